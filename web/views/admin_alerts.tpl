% rebase("admin_base", title=title)
<h2>{{t("al.history")}}</h2>
% if not history:
<p id="no-alerts">{{t("al.none")}}</p>
% else:
<table class="list" id="alert-history">
<tr><th>{{t("al.raised")}}</th><th>{{t("al.alert")}}</th><th>{{t("al.state")}}</th><th>{{t("al.resolved_at")}}</th></tr>
% for a in history:
<tr><td><bdi>{{when(a.raised_at)}}</bdi></td><td>{{!render_alert(a)}}</td>
  <td>{{t("al.active") if a.state == "active" else word("resolved")}}</td><td><bdi>{{when(a.resolved_at)}}</bdi></td></tr>
% end
</table>
% end
<h2>{{t("al.sim_credit")}}</h2>
% if balance:
<p id="sim-balance">{{t("al.credit")}}: <bdi>{{balance["credit"]}}</bdi> · {{t("al.valid_until")}} <bdi>{{balance["until"]}}</bdi> · {{t("al.asked")}} <bdi>{{balance["at"]}}</bdi></p>
<p dir="auto" class="data"><small>{{balance["reply"]}}</small></p>
% else:
<p id="sim-balance">{{t("al.not_asked")}}</p>
% end
<h2>{{t("al.notices")}}</h2>
<table class="list" id="notices">
<tr><th>{{t("al.when")}}</th><th>{{t("al.channel")}}</th><th>{{t("al.why")}}</th><th>{{t("al.state")}}</th><th>{{t("al.text")}}</th></tr>
% for n in notices:
<tr><td><bdi>{{when(n.created_at)}}</bdi></td><td>{{word(n.channel)}}</td><td>{{word(n.purpose)}}</td><td>{{word(n.state)}}</td>
  <td dir="auto" class="data">{{n.body if n.channel == "sms" else ""}}</td></tr>
% end
</table>
