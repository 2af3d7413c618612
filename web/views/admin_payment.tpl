% rebase('admin_base', title=t("payment_one") + " #" + p.num(payment.id))
<table class="box kv">
  <tr><th>{{t("fid")}}</th><td>{{p.num(payment.fid)}}</td></tr>
  <tr><th>{{t("price")}}</th><td>{{p.rial(payment.price)}}</td></tr>
  <tr><th>{{t("amount")}}</th><td>{{p.rial(payment.amount)}}</td></tr>
  <tr><th>{{t("state")}}</th><td id="payment-state" data-state="{{payment.state}}">{{p.state(payment.state)}}</td></tr>
  <tr><th>{{t("created")}}</th><td>{{p.when_ago(payment.created_at)}}</td></tr>
  <tr><th>{{t("expires")}}</th><td>{{p.when(payment.expires_at)}}</td></tr>
  <tr><th>{{t("cards")}}</th><td>{{!"<br>".join('<bdi class="data nowrap" dir="ltr">%s</bdi>' % mask_card(c.number) for c in cards)}}</td></tr>
</table>
% if deposits:
<h2>{{t("deposit")}}</h2>
<ul>
% for d in deposits:
<li>#{{p.num(d.id)}} {{p.rial_short(d.amount)}} — {{p.state(d.state)}} — {{!p.reason(d.reason)}}</li>
% end
</ul>
% end
<h2>{{t("events")}}</h2>
% include('admin_events', events=events)
