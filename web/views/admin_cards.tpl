% rebase('admin_base', title=t("cards"))
<table class="list" id="cards">
<tr><th>#</th><th>{{t("number")}}</th><th>{{t("holder")}}</th><th>{{t("bank")}}</th><th>{{t("today")}}</th><th>{{t("ceiling")}}</th><th>{{t("active")}}</th><th></th></tr>
% for v in cards:
% c = v.card
<tr class="{{'warn' if v.near_ceiling else ''}}"><td>{{p.num(c.id)}}</td><td><bdi class="data" dir="ltr">{{mask_card(c.number)}}</bdi></td><td><bdi class="data">{{c.holder}}</bdi></td><td>{{p.bank(c.bank)}}</td>
  <td>{{p.rial_short(v.total_today)}} ({{p.num(v.count_today)}})</td>
  <td>{{p.rial_short(c.daily_limit_rial) if c.daily_limit_rial else "—"}} ({{p.num(c.daily_limit_count) if c.daily_limit_count else "—"}})</td>
  <td>{{t("yes") if c.active else t("no")}}</td>
  <td><form method="post" action="/admin/cards/{{c.id}}/active" class="inline">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/cards">
    <input type="hidden" name="active" value="{{'0' if c.active else '1'}}">
    <button type="submit">{{t("disable") if c.active else t("enable")}}</button></form></td></tr>
% end
</table>
<h2>{{t("add_card")}}</h2>
<form method="post" action="/admin/cards" class="box">
  <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/cards">
  <label>{{t("number")}} <input name="number" required dir="ltr" inputmode="numeric"></label>
  <label>{{t("holder")}} <input name="holder" required></label>
  <label>{{t("bank")}} <input name="bank"></label>
  <label>{{t("account")}} <input name="account" dir="ltr"></label>
  <label>{{t("daily_limit")}} <input name="daily_limit" dir="ltr" inputmode="numeric"></label>
  <label>{{t("daily_count")}} <input name="daily_count" dir="ltr" inputmode="numeric"></label>
  <button type="submit" id="add-card">{{t("add_card")}}</button>
</form>
