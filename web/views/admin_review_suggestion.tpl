% # The one payment a near-miss deposit most likely belongs to (docs/customer-mistakes.md): included by admin_review.
% if hint and d.state == "unmatched":
  <div class="suggestion" id="suggestion-{{d.id}}">
    <p><b>{{t("suggested")}}:</b> <a href="/admin/payments/{{hint['pay_id']}}">#{{fa.fa_digits(hint['pay_id']) if lang == "fa" else hint['pay_id']}}</a>
      — {{t("rule_" + str(hint["rule"]))}}{{(" #" + (fa.fa_digits(hint["with_deposit"]) if lang == "fa" else str(hint["with_deposit"]))) if hint.get("with_deposit") else ""}}
      — {{t("difference")}} <span dir="ltr">{{fa.fa_grouped(hint["difference"]) if lang == "fa" else "{:,}".format(hint["difference"])}}</span></p>
    <form method="post" action="/admin/review/suggested" class="settle-suggested">
      <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
      <input type="hidden" name="deposit_id" value="{{d.id}}">
      <input name="note" placeholder="{{t('note')}}">
      <button type="submit">{{t("settle_suggested")}}</button>
    </form>
  </div>
% end
