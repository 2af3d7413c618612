<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>پرداخت کارت به کارت — {{box_name}}</title>
<link rel="stylesheet" href="/static/pay.css">
<link rel="icon" href="data:,">
% if view == "pending":
<noscript><meta http-equiv="refresh" content="15"></noscript>
% end
</head>
<body>
<main id="pay" data-state="{{view}}" data-seconds="{{seconds_left}}" data-status-url="{{base}}/status"
      data-callback="{{back or ''}}">
<header>
  <h1>پرداخت کارت به کارت</h1>
  <p class="muted">{{box_name}} — فاکتور <span class="num">{{fa.fa_digits(payment.fid)}}</span></p>
</header>

% if notice == "demo_sent":
<p class="notice" id="notice">بانک آزمایشی پیامک واریز را فرستاد؛ چند لحظه صبر کنید.</p>
% elif notice == "card_saved":
<p class="notice" id="notice">شماره کارت شما ثبت شد.</p>
% elif notice.startswith("card_error"):
<p class="notice bad" id="notice">شماره کارت ثبت نشد: شماره ۱۶ رقمی معتبر وارد کنید (یا قبلا ثبت شده است).</p>
% end

% if view == "paid":
<section class="state ok" id="state-box">
  <h2>پرداخت شما تأیید شد ✓</h2>
  <p>مبلغ <b>{{fa.fa_grouped(payment.amount)}}</b> ریال دریافت شد.</p>
% if back:
  <p id="redirecting">در حال بازگشت به فروشگاه…</p>
  <p><a class="button" id="back" href="{{back}}">بازگشت به فروشگاه</a></p>
% end
</section>
% elif view == "expired":
<section class="state bad" id="state-box">
  <h2>مهلت پرداخت تمام شد</h2>
  <p>اگر هنوز پولی واریز نکرده‌اید، به فروشگاه برگردید و دوباره سفارش دهید.
  اگر واریز کرده‌اید، فروشگاه آن را بررسی می‌کند.</p>
% if back:
  <p><a class="button" id="back" href="{{back}}">بازگشت به فروشگاه</a></p>
% end
</section>
% elif view == "late":
<section class="state warn" id="state-box">
  <h2>واریز شما پس از پایان مهلت رسید</h2>
  <p>فروشگاه آن را بررسی می‌کند و یا سفارش را تأیید می‌کند یا پول را برمی‌گرداند.</p>
% if back:
  <p><a class="button" id="back" href="{{back}}">بازگشت به فروشگاه</a></p>
% end
</section>
% elif view == "partial":
<section class="state warn" id="state-box">
  <h2>بخشی از مبلغ رسید و مهلت تمام شد</h2>
  <p>از <b>{{fa.fa_grouped(payment.amount)}}</b> ریال، <b>{{fa.fa_grouped(paid_rial)}}</b> ریال رسیده است.
  فروشگاه آن را بررسی می‌کند؛ اگر بقیه را واریز کنید، سفارش شما کامل می‌شود.</p>
% if back:
  <p><a class="button" id="back" href="{{back}}">بازگشت به فروشگاه</a></p>
% end
</section>
% if parts:
<p class="muted" id="rest-title">واریزهایی که هنوز نرسیده‌اند:</p>
% include('pay_parts', parts=parts, only_unpaid=True)
% end
% elif parts:
<section class="plan" id="plan" data-parts="{{len(parts)}}">
  <h2>این {{fa.fa_digits(len(parts))}} مبلغ را جداگانه کارت به کارت کنید</h2>
  <p class="muted">مبلغ فاکتور بیش از سقف یک انتقال است. هر مبلغ را دقیقاً به کارتِ کنار آن بفرستید.</p>
  <p class="progress" id="progress">رسیده: <b id="parts-paid">{{fa.fa_digits(sum(1 for p in parts if p["paid"]))}}</b>
    از {{fa.fa_digits(len(parts))}} واریز — جمع <b>{{fa.fa_grouped(payment.amount)}}</b> ریال</p>
</section>

<section class="countdown">
  <p>زمان باقی‌مانده: <b id="countdown">{{fa.fa_clock(seconds_left)}}</b></p>
</section>

<section class="warning" role="alert">
  <p><b>هر مبلغ را دقیقاً</b> همان‌طور که نوشته شده واریز کنید؛ حتی یک ریال کمتر یا بیشتر، آن واریز خودکار تأیید نمی‌شود.</p>
  <p>فقط <b>کارت به کارت</b> — <b>نه پایا، نه ساتنا</b>. پس از آخرین واریز، پرداخت شما کامل است.</p>
</section>
% include('pay_parts', parts=parts, only_unpaid=False)


<p class="muted" id="watching">پس از هر واریز، تیک آن خودکار زده می‌شود.</p>
<noscript><p class="muted">این صفحه هر ۱۵ ثانیه خودکار تازه می‌شود.</p></noscript>
% if demo:
<section class="demo">
  <form method="post" action="{{base}}/demo">
    <p>حالت نمایشی: بانک شبیه‌سازی‌شده پیامک واریز نخستین مبلغ پرداخت‌نشده را به مودم می‌فرستد.</p>
    <button type="submit" id="demo-pay">بانک آزمایشی: واریز بعدی</button>
  </form>
</section>
% end
% else:
<section class="amount">
  <p class="label">مبلغ دقیق واریز</p>
  <p class="big"><span id="amount-fa">{{fa.fa_grouped(payment.amount)}}</span> ریال</p>
  <p class="muted">(<span id="toman-fa">{{fa.fa_toman(payment.amount)}}</span> تومان)</p>
  <p class="copyline"><code dir="ltr" id="amount-latin">{{payment.amount}}</code>
    <button type="button" class="copy" data-copy="{{payment.amount}}" hidden>کپی مبلغ</button></p>
</section>

<section class="warning" role="alert">
  <p><b>دقیقاً همین مبلغ</b> را واریز کنید؛ حتی یک ریال کمتر یا بیشتر، پرداخت شما خودکار تأیید نمی‌شود.</p>
  <p>فقط <b>کارت به کارت</b> (از همراه بانک، خودپرداز یا اپلیکیشن پرداخت) — <b>نه پایا، نه ساتنا</b>.</p>
</section>

<section class="countdown">
  <p>زمان باقی‌مانده: <b id="countdown">{{fa.fa_clock(seconds_left)}}</b></p>
</section>

<section class="cards">
  <h2>به یکی از این کارت‌ها</h2>
% for card in cards:
  <div class="card">
    <p class="bank">{{card["bank"]}}</p>
    <p class="number" dir="ltr">{{fa.fa_digits(card["groups"])}}</p>
    <p class="copyline"><code dir="ltr">{{card["groups"]}}</code>
      <button type="button" class="copy" data-copy="{{card["number"]}}" hidden>کپی شماره کارت</button></p>
    <p class="holder">به نام {{card["holder"]}}</p>
  </div>
% end
</section>

% if ask_card:
<section class="payer-card">
  <form method="post" action="{{base}}/card">
    <label for="card">شماره کارتی که از آن پرداخت می‌کنید (۱۶ رقم):</label>
    <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" dir="ltr" maxlength="24" required>
    <button type="submit">ثبت کارت</button>
  </form>
</section>
% end

<p class="muted" id="watching">پس از واریز، این صفحه خودکار به‌روز می‌شود.</p>
<noscript><p class="muted">این صفحه هر ۱۵ ثانیه خودکار تازه می‌شود.</p></noscript>

% if demo:
<section class="demo">
  <form method="post" action="{{base}}/demo">
    <p>حالت نمایشی: بانک شبیه‌سازی‌شده پیامک واریز همین مبلغ را به مودم می‌فرستد.</p>
    <button type="submit" id="demo-pay">بانک آزمایشی: واریز کن</button>
  </form>
</section>
% end
% end
</main>
<script src="/static/pay.js"></script>
</body>
</html>
