% # The transfers of a split payment, each with its card, copy buttons and tick (pay.tpl includes it).
% for part in parts:
% if only_unpaid and part["paid"]:
%   continue
% end
<section class="part{{' paid' if part["paid"] else ''}}" id="part-{{part["seq"]}}" data-seq="{{part["seq"]}}">
  <p class="part-head"><span class="step">واریز {{fa.fa_digits(part["seq"])}} از {{fa.fa_digits(len(parts))}}</span>
    <span class="tick" aria-live="polite">{{"✓ رسید" if part["paid"] else "در انتظار واریز"}}</span></p>
  <p class="big"><span class="part-amount">{{fa.fa_grouped(part["amount"])}}</span> ریال
    <span class="muted">({{fa.fa_toman(part["amount"])}} تومان)</span></p>
  <p class="copyline"><code dir="ltr">{{part["amount"]}}</code>
    <button type="button" class="copy" data-copy="{{part["amount"]}}" hidden>کپی مبلغ</button></p>
  <div class="card">
    <p class="bank">به کارت {{part["card"]["bank"]}}</p>
    <p class="number" dir="ltr">{{fa.fa_digits(part["card"]["groups"])}}</p>
    <p class="copyline"><code dir="ltr">{{part["card"]["groups"]}}</code>
      <button type="button" class="copy" data-copy="{{part["card"]["number"]}}" hidden>کپی شماره کارت</button></p>
    <p class="holder">به نام {{part["card"]["holder"]}}</p>
  </div>
</section>
% end
