% rebase('admin_base', title=t("review"))
% include('admin_review_split', partial=partial, parts_of=parts_of, waiting=waiting)
% if not items and not partial:
<p class="muted" id="empty">{{t("nothing_to_review")}}</p>
% end
% for item in items:
% d = item.deposit
<section class="box review" id="deposit-{{d.id}}">
  <h2>{{t("deposit")}} #{{d.id}} — <span dir="ltr">{{"{:,}".format(d.amount)}}</span> — <span class="tag">{{d.state}}</span></h2>
  <p dir="auto">{{d.reason}}</p>
  <p class="muted" dir="ltr">{{d.bank or ""}} {{d.account or ""}} · {{local_time(d.transfer_at)}}{{" · payer " + mask_card(d.payer_card) if d.payer_card and len(d.payer_card) == 16 else ""}}</p>
% for m in item.messages:
  <pre dir="auto">{{m.text}}</pre>
% if d.state == "held":
  <p><a href="/admin/sms/{{m.id}}/teach" class="teach">{{t("teach_link")}}: {{t("this_sender_is")}}</a></p>
% end
% end
% if item.candidates:
  <p>{{t("candidates")}}:
% for p in item.candidates:
    <a href="/admin/payments/{{p.id}}">#{{p.id}}</a> (fid {{p.fid}}, <span dir="ltr">{{"{:,}".format(p.amount)}}</span>, {{p.state}})
% end
  </p>
% end
% include('admin_review_suggestion', d=d, hint=suggestion_of(d))
  <div class="actions">
% if d.state in ("unmatched", "ambiguous", "held"):
  <form method="post" action="/admin/review/assign" class="assign">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="deposit_id" value="{{d.id}}">
    <label>{{t("pay_id")}} <input name="pay_id" size="6" inputmode="numeric" value="{{item.candidates[0].id if len(item.candidates) == 1 else ''}}"></label>
    <input name="note" placeholder="{{t('note')}}">
    <button type="submit">{{t("assign")}}</button>
  </form>
  <form method="post" action="/admin/review/dismiss" class="dismiss">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="deposit_id" value="{{d.id}}">
    <input name="note" placeholder="{{t('note')}}" required>
    <button type="submit">{{t("dismiss")}}</button>
  </form>
% end
% if d.state == "late":
  <form method="post" action="/admin/review/accept-late" class="accept-late">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="pay_id" value="{{d.payment_id}}">
    <input name="note" placeholder="{{t('note')}}">
    <button type="submit">{{t("accept_late")}}</button>
  </form>
% end
  <form method="post" action="/admin/review/refund" class="refund">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="deposit_id" value="{{d.id}}">
    <input name="note" placeholder="{{t('note')}}">
    <button type="submit">{{t("refund")}}</button>
  </form>
  </div>
  <details><summary>{{t("events")}}</summary>
% include('admin_events', events=events[d.id])
  </details>
</section>
% end
