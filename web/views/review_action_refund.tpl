  <form method="post" action="/admin/review/refund" class="refund">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="deposit_id" value="{{d.id}}">
    <label>{{t("note")}} <input name="note"></label>
    <button type="submit" class="secondary">{{t("refund")}}</button>
  </form>
