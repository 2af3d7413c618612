  <form method="post" action="/admin/review/accept-late" class="accept-late">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="pay_id" value="{{d.payment_id}}">
    <label>{{t("note")}} <input name="note"></label>
    <button type="submit">{{t("accept_late")}}</button>
  </form>
