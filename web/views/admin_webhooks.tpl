% rebase('admin_base', title=t("webhooks"))
<table class="list" id="deliveries">
<tr><th>#</th><th>{{t("tokens")}}</th><th>{{t("pay_id")}}</th><th>{{t("state")}}</th><th>{{t("attempts")}}</th><th>{{t("last_error")}}</th><th></th></tr>
% for d in deliveries:
<tr id="delivery-{{d.id}}"><td>{{p.num(d.id)}}</td><td><bdi class="data">{{tokens.get(d.token_id, "?")}}</bdi></td><td><a href="/admin/payments/{{d.payment_id}}">{{p.num(d.payment_id)}}</a></td>
  <td class="tag">{{p.state(d.state)}}</td>
  <td><details><summary>{{p.num(d.attempts)}}</summary>
% for a in attempts[d.id]:
    <div>{{p.when(a.at)}} · <bdi class="data" dir="ltr">{{a.http_status or a.error}}</bdi> ({{p.num(a.duration_ms)}} {{t("ms")}})</div>
% end
  </details></td>
  <td><bdi class="data" dir="ltr">{{d.last_error or ""}}</bdi></td>
  <td><form method="post" action="/admin/webhooks/{{d.id}}/redeliver" class="inline">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/webhooks">
    <button type="submit">{{t("redeliver")}}</button></form></td></tr>
% end
</table>
