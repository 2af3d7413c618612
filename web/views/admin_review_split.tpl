% # Split payments whose time ended with some parts paid (docs/split-payments.md): included by admin_review.
% if partial:
<h2 id="partial-title">{{t("partially_paid")}}</h2>
% end
% for p in partial:
% parts = parts_of(p)
% got = sum(x.amount for x in parts if x.paid_at is not None)
<section class="box review partial" id="partial-{{p.id}}">
  <h2><a href="/admin/payments/{{p.id}}">#{{fa.fa_digits(p.id) if lang == "fa" else p.id}}</a> — {{t("fid")}} {{fa.fa_digits(p.fid) if lang == "fa" else p.fid}}
% if waiting(p.id):
    — <span class="tag">{{t("waiting_rest")}}</span>
% end
  </h2>
  <p class="paid-of">{{t("paid_of", fa.fa_grouped(got) if lang == "fa" else "{:,}".format(got), fa.fa_grouped(p.amount) if lang == "fa" else "{:,}".format(p.amount), fa.fa_grouped(p.amount - got) if lang == "fa" else "{:,}".format(p.amount - got), fa.fa_toman(p.amount - got) if lang == "fa" else "{:,}".format((p.amount - got) // 10))}}</p>
  <ul class="parts">
% for x in parts:
    <li>{{t("part_n", fa.fa_digits(x.seq) if lang == "fa" else x.seq)}}: <span dir="ltr">{{fa.fa_grouped(x.amount) if lang == "fa" else "{:,}".format(x.amount)}}</span> — {{t("part_paid") if x.paid_at else t("part_open")}}</li>
% end
  </ul>
  <div class="actions">
% for action, word in (("accept", "accept_partial"), ("wait", "wait_rest"), ("refund", "refund_partial")):
  <form method="post" action="/admin/review/partial/{{action}}" class="partial-{{action}}">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
    <input type="hidden" name="pay_id" value="{{p.id}}">
    <input name="note" placeholder="{{t('note')}}">
    <button type="submit">{{t(word)}}</button>
  </form>
% end
  </div>
</section>
% end
