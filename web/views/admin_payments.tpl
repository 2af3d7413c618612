% rebase('admin_base', title=t("payments"))
<form method="get" action="/admin/payments" class="row">
  <label>{{t("fid")}} <input name="fid" value="{{q['fid']}}" inputmode="numeric"></label>
  <label>{{t("amount")}} <input name="amount" value="{{q['amount']}}" inputmode="numeric"></label>
  <label>{{t("state")}} <select name="state"><option value="">{{t("any")}}</option>
% for s in states:
    <option value="{{s}}" {{"selected" if s == q["state"] else ""}}>{{s}}</option>
% end
  </select></label>
  <button type="submit" id="search">{{t("search")}}</button>
</form>
<table class="list" id="payments">
<tr><th>#</th><th>{{t("fid")}}</th><th>{{t("amount")}}</th><th>{{t("state")}}</th><th>{{t("created")}}</th><th>{{t("expires")}}</th></tr>
% for p in payments:
<tr><td><a href="/admin/payments/{{p.id}}">{{p.id}}</a></td><td>{{p.fid}}</td><td dir="ltr">{{"{:,}".format(p.amount)}}</td>
  <td class="state-{{p.state}}">{{p.state}}</td><td dir="ltr">{{local_time(p.created_at)}}</td><td dir="ltr">{{local_time(p.expires_at)}}</td></tr>
% end
</table>
