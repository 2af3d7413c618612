% rebase('admin_base', title=t("payments") + " #" + str(payment.id))
<table class="box">
  <tr><th>{{t("fid")}}</th><td>{{payment.fid}}</td></tr>
  <tr><th>{{t("price")}}</th><td dir="ltr">{{"{:,}".format(payment.price)}}</td></tr>
  <tr><th>{{t("amount")}}</th><td dir="ltr">{{"{:,}".format(payment.amount)}}</td></tr>
  <tr><th>{{t("state")}}</th><td id="payment-state">{{payment.state}}</td></tr>
  <tr><th>{{t("created")}}</th><td dir="ltr">{{local_time(payment.created_at)}}</td></tr>
  <tr><th>{{t("expires")}}</th><td dir="ltr">{{local_time(payment.expires_at)}}</td></tr>
  <tr><th>{{t("cards")}}</th><td dir="ltr">{{", ".join(mask_card(c.number) for c in cards)}}</td></tr>
</table>
% if deposits:
<h2>{{t("deposit")}}</h2>
<ul>
% for d in deposits:
<li dir="auto">#{{d.id}} {{"{:,}".format(d.amount)}} — {{d.state}} — {{d.reason}}</li>
% end
</ul>
% end
<h2>{{t("events")}}</h2>
% include('admin_events', events=events)
