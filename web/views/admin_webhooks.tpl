% rebase('admin_base', title=t("webhooks"))
<table class="list" id="deliveries">
<tr><th>#</th><th>{{t("tokens")}}</th><th>{{t("pay_id")}}</th><th>{{t("state")}}</th><th>{{t("attempts")}}</th><th>{{t("last_error")}}</th><th></th></tr>
% for d in deliveries:
<tr id="delivery-{{d.id}}"><td>{{d.id}}</td><td>{{tokens.get(d.token_id, "?")}}</td><td><a href="/admin/payments/{{d.payment_id}}">{{d.payment_id}}</a></td>
  <td class="tag">{{d.state}}</td>
  <td dir="ltr"><details><summary>{{d.attempts}}</summary>
% for a in attempts[d.id]:
    <div>{{local_time(a.at)}} → {{a.http_status or a.error}} ({{a.duration_ms}} ms)</div>
% end
  </details></td>
  <td dir="ltr">{{d.last_error or ""}}</td>
  <td><form method="post" action="/admin/webhooks/{{d.id}}/redeliver" class="inline">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/webhooks">
    <button type="submit">{{t("redeliver")}}</button></form></td></tr>
% end
</table>
