% rebase('admin_base', title=t("payments"))
<form method="get" action="/admin/payments" class="row filters">
  <label>{{t("fid")}} <input name="fid" value="{{q['fid']}}" inputmode="numeric"></label>
  <label>{{t("amount")}} <input name="amount" value="{{q['amount']}}" inputmode="numeric"></label>
  <label>{{t("state")}} <select name="state"><option value="">{{t("any")}}</option>
% for s in states:
    <option value="{{s}}" {{"selected" if s == q["state"] else ""}}>{{p.state(s)}}</option>
% end
  </select></label>
  <button type="submit" id="search">{{t("search")}}</button>
</form>
<table class="list" id="payments">
<tr><th>#</th><th>{{t("fid")}}</th><th>{{t("amount")}}</th><th>{{t("state")}}</th><th>{{t("created")}}</th><th>{{t("expires")}}</th></tr>
% for pm in payments:
<tr><td><a href="/admin/payments/{{pm.id}}">{{p.num(pm.id)}}</a></td><td>{{p.num(pm.fid)}}</td><td>{{p.rial_short(pm.amount)}}</td>
  <td class="state-{{pm.state}}">{{p.state(pm.state)}}</td><td>{{p.when_ago(pm.created_at)}}</td><td>{{p.when(pm.expires_at)}}</td></tr>
% end
</table>
