  <form method="post" action="/admin/review/assign" class="assign">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="deposit_id" value="{{d.id}}">
    <label>{{t("pay_id")}} <input name="pay_id" size="6" inputmode="numeric" value="{{item.candidates[0].id if len(item.candidates) == 1 else ''}}"></label>
    <label>{{t("note")}} <input name="note"></label>
    <button type="submit">{{t("assign")}}</button>
  </form>
