<table class="list events">
<tr><th>{{t("when")}}</th><th>{{t("events")}}</th><th>{{t("who")}}</th><th>{{t("why")}}</th></tr>
% for e in events:
<tr><td dir="ltr">{{local_time(e.at)}}</td><td>{{e.kind}}{{" (%s → %s)" % (e.from_state or "∅", e.to_state) if e.to_state else ""}}</td>
  <td dir="ltr">{{e.actor}}</td><td>{{e.reason}}</td></tr>
% end
</table>
