% rebase('admin_base', title=t("health"))
<section class="grid">
  <div class="box"><h2>{{t("status")}}</h2><p class="big {{health['status']}}" id="health-status">{{health["status"]}}</p></div>
  <div class="box"><h2>{{t("clock")}}</h2><p dir="ltr">{{local_time(now)}} (Tehran)</p>
    <p>{{t("clock_trusted")}}: {{t("yes") if health["clock_trusted"] else t("no")}}</p></div>
  <div class="box"><h2>{{t("receiving")}}</h2><p>{{t("yes") if health["receiving"] else t("no")}}</p>
    <p>{{t("recording")}}: <span id="recording">{{t("yes") if recording["ok"] else t("no")}}</span></p>
    <p>{{t("database")}}: {{health["database"]}}</p></div>
  <div class="box"><h2>{{t("pending_payments")}}</h2><p class="big">{{counts["pending"]}}</p>
    <p><a href="/admin/review">{{t("to_review")}}: {{counts["review"]}}</a></p></div>
</section>
% if not recording["ok"]:
<p class="flash bad" id="recording-alert">{{t("recording_down")}}
  {{t("reason")}}: {{recording["error"] if lang == "en" and recording["error"] else t(recording["reason"])}}.
  {{t("since")}} <span dir="ltr">{{local_time(recording["since"])}}</span>.</p>
% end
<h2>{{t("modem")}}</h2>
% if not modems:
<p class="muted">{{t("no_modems")}}</p>
% end
% for m in modems:
<section class="box modem">
  <h3 dir="ltr">{{m.name}} {{"✓" if m.responsive else "✗"}}</h3>
  <table>
    <tr><th>{{t("signal")}}</th><td dir="ltr">{{m.signal_dbm if m.signal_dbm is not None else "?"}} dBm</td></tr>
    <tr><th>{{t("registered")}}</th><td>{{t("yes") if m.registered else t("no")}}</td></tr>
    <tr><th>{{t("operator")}}</th><td>{{m.operator or "?"}}</td></tr>
    <tr><th>{{t("storage")}}</th><td dir="ltr">{{m.storage}}</td></tr>
    <tr><th>{{t("last_sms")}}</th><td dir="ltr">{{m.last_sms_at or "—"}}</td></tr>
  </table>
% if m.problems:
  <p class="flash bad">{{"; ".join(m.problems)}}</p>
% end
% if m.signal:
%   pts = " ".join("%.1f,%.1f" % (300 - minutes * 300 / 1440, -dbm - 50) for minutes, dbm in m.signal)
  <svg class="chart" viewBox="0 0 300 70" width="300" height="70" role="img" aria-label="signal, last 24 h">
    <rect x="0" y="0" width="300" height="70" fill="#f4f6f9"/>
    <polyline points="{{pts}}" fill="none" stroke="#0b5394" stroke-width="2"/>
%   last_minutes, last_dbm = m.signal[-1]
    <circle cx="{{"%.1f" % (300 - last_minutes * 300 / 1440)}}" cy="{{"%.1f" % (-last_dbm - 50)}}" r="3" fill="#0b5394"/>
  </svg>
  <p class="muted" dir="ltr">−50 dBm (top) … −120 dBm (bottom), last 24 h</p>
% end
</section>
% end
% if last_sms:
<p>{{t("last_sms")}}: <span dir="ltr">{{local_time(last_sms[0].received_at)}}</span> — {{last_sms[0].sender}}</p>
% end
