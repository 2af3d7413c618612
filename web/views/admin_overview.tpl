% rebase('admin_base', title=t("overview"))
% g = glance
<section class="grid money">
  <div class="box" id="today"><h2>{{t("received_today")}}</h2>
    <p class="big">{{p.grouped(g.today.total)}} <small>{{t("rial")}}</small></p>
    <p class="muted">{{p.toman(g.today.total)}} {{t("toman")}} · {{p.num(g.today.count)}} {{t("deposits_n")}}</p></div>
  <div class="box" id="week"><h2>{{t("received_week")}}</h2>
    <p class="big">{{p.grouped(g.week.total)}} <small>{{t("rial")}}</small></p>
    <p class="muted">{{p.toman(g.week.total)}} {{t("toman")}} · {{p.num(g.week.count)}} {{t("deposits_n")}}</p></div>
  <div class="box" id="queue"><h2>{{t("review_queue")}}</h2>
    <p class="big {{'warn' if g.review_count else 'ok'}}"><a href="/admin/review">{{p.num(g.review_count)}}</a> <small>{{t("items")}}</small></p>
% if g.review_oldest:
    <p class="muted">{{t("oldest")}}: {{p.ago(g.review_oldest)}}</p>
% end
% if g.in_review.count:
    <p class="muted">{{t("in_review_today")}}: {{p.rial_short(g.in_review.total)}}</p>
% end
  </div>
  <div class="box" id="box-health"><h2>{{t("status")}}</h2>
    <p class="big {{health['status']}}" id="health-status">{{t("health_" + health["status"])}}</p>
    <p class="muted">{{t("last_sms")}}: <span id="last-sms-age">{{p.ago(g.last_sms_at) if g.last_sms_at else t("no_sms_yet")}}</span></p></div>
</section>
% if not recording["ok"]:
<p class="flash bad" id="recording-alert">{{t("recording_down")}}
  {{t("reason")}}: {{recording["error"] if lang == "en" and recording["error"] else t(recording["reason"])}}.
  {{t("since")}} {{p.when(recording["since"])}}.</p>
% end
<section class="grid">
  <div class="box" id="by-state"><h2>{{t("payments_by_state")}}</h2>
    <table class="kv">
% for state, n in g.payments_by_state.items():
      <tr class="{{'' if n else 'zero'}}"><th><a href="/admin/payments?state={{state}}">{{p.state(state)}}</a></th><td>{{p.num(n)}}</td></tr>
% end
    </table></div>
  <div class="box" id="cards-today"><h2>{{t("cards_today")}}</h2>
% if not g.cards:
    <p class="muted">—</p>
% end
% for v in g.cards:
%   c = v.card
    <div class="card-use {{'warn' if v.near_ceiling else ''}}">
      <p><bdi class="data" dir="ltr">{{mask_card(c.number)}}</bdi> · <bdi class="data">{{p.bank(c.bank)}}</bdi>{{"" if c.active else " · " + t("no") + " " + t("active")}}</p>
      <p>{{p.rial_short(v.total_today)}} · {{p.num(v.count_today)}} {{t("deposits_n")}}</p>
%   if c.daily_limit_rial:
      <meter min="0" max="{{c.daily_limit_rial}}" value="{{min(v.total_today, c.daily_limit_rial)}}" high="{{int(c.daily_limit_rial * 0.9)}}"></meter>
      <p class="muted">{{p.num(int(100 * v.total_today / c.daily_limit_rial))}}{{"٪" if p.fa else "%"}} {{t("of_ceiling")}} {{p.rial_short(c.daily_limit_rial)}}{{(" · " + p.num(v.count_today) + " / " + p.num(c.daily_limit_count)) if c.daily_limit_count else ""}}</p>
%   else:
      <p class="muted">{{t("no_ceiling")}}{{(" · " + p.num(v.count_today) + " / " + p.num(c.daily_limit_count)) if c.daily_limit_count else ""}}</p>
%   end
    </div>
% end
  </div>
  <div class="box" id="box-clock"><h2>{{t("box_time")}}</h2>
    <p class="big">{{p.time(now)}}</p><p>{{p.date(now)}}</p>
    <p>{{t("clock_trusted")}}: {{t("yes") if health["clock_trusted"] else t("no")}}</p>
    <p>{{t("receiving")}}: {{t("yes") if health["receiving"] else t("no")}} · {{t("recording")}}: <span id="recording">{{t("yes") if recording["ok"] else t("no")}}</span></p>
    <p>{{t("database")}}: {{t("db_ok") if health["database"] == "ok" else t("db_error")}}</p>
% if g.disk:
    <p id="disk">{{t("disk")}}: {{p.num("%.1f" % (g.disk.free / 1e9))}} {{"گیگابایت" if p.fa else "GB"}} {{t("free")}} ({{p.num(int(100 * g.disk.free_fraction))}}{{"٪" if p.fa else "%"}})</p>
% end
  </div>
</section>
<h2>{{t("modem")}}</h2>
% if not modems:
<p class="muted">{{t("no_modems")}}</p>
% end
% history = {h.name: h for h in g.history}
% for m in modems:
<section class="box modem">
  <h3><bdi class="data" dir="ltr">{{m.name}}</bdi> <span class="tag {{'ok' if m.responsive else 'bad'}}">{{t("responsive") if m.responsive else t("unresponsive")}}</span></h3>
  <table class="kv">
    <tr><th>{{t("signal")}}</th><td><bdi dir="ltr">{{p.num(m.signal_dbm).replace("-", "−") if m.signal_dbm is not None else "—"}}</bdi> {{t("dbm")}}</td></tr>
    <tr><th>{{t("registered")}}</th><td>{{t("yes") if m.registered else t("no")}}</td></tr>
    <tr><th>{{t("operator")}}</th><td><bdi class="data">{{m.operator or "—"}}</bdi></td></tr>
    <tr><th>{{t("storage")}}</th><td><bdi dir="ltr">{{p.num(m.storage) if m.storage != "?" else "—"}}</bdi></td></tr>
    <tr><th>{{t("last_sms")}}</th><td>{{p.ago(g.last_sms_at) if g.last_sms_at else "—"}}</td></tr>
  </table>
% if m.problems:
  <p class="flash bad problems">⚠ {{!("؛ " if p.fa else "; ").join(p.reason(problem) for problem in m.problems)}}</p>
% end
% if m.name in history:
  <h4>{{t("signal_24h")}}</h4>
  {{!charts.signal_chart(history[m.name], p)}}
  <p class="muted legend"><span class="key reg"></span> {{t("registered")}} <span class="key unreg"></span> {{t("not_registered_band")}} · {{t("axis_hours")}}</p>
% end
</section>
% end
