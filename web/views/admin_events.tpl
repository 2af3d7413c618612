<table class="list events">
<tr><th>{{t("when")}}</th><th>{{t("events")}}</th><th>{{t("who")}}</th><th>{{t("why")}}</th></tr>
% for e in events:
<tr><td>{{p.when(e.at)}}</td><td>{{p.state(e.kind)}}{{" (%s %s %s)" % (p.state(e.from_state) if e.from_state else "∅", "←" if p.fa else "→", p.state(e.to_state)) if e.to_state else ""}}</td>
  <td>{{!p.actor(e.actor)}}</td><td>{{!p.reason(e.reason)}}</td></tr>
% end
</table>
