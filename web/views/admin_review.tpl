% rebase('admin_base', title=t("review"))
<form method="get" action="/admin/review" class="row filters" id="review-filter">
  <label>{{t("state")}} <select name="state"><option value="">{{t("any")}}</option>
% for s in states:
    <option value="{{s}}" {{"selected" if s == q["state"] else ""}}>{{p.state(s)}}</option>
% end
  </select></label>
  <label>{{t("from_date")}} <input name="from" value="{{q['from']}}" placeholder="{{t('date_hint')}}" inputmode="numeric" size="11"></label>
  <label>{{t("to_date")}} <input name="to" value="{{q['to']}}" placeholder="{{t('date_hint')}}" inputmode="numeric" size="11"></label>
  <button type="submit" id="filter">{{t("filter")}}</button>
</form>
% if bad_date:
<p class="flash bad" id="bad-date">{{t("bad_date")}}</p>
% end
% include('admin_review_split', partial=partial, parts_of=parts_of, waiting=waiting)
% if not items and not partial:
<p class="muted" id="empty">{{t("nothing_to_review")}}</p>
% else:
<p class="muted" id="shown">{{t("shown")}}: {{p.num(len(items))}} {{t("items")}}</p>
% end
% for item in items:
% d = item.deposit
<section class="box review" id="deposit-{{d.id}}" data-state="{{d.state}}">
  <header>
    <h2>{{t("deposit")}} <bdi>#{{p.num(d.id)}}</bdi> · <span class="amount">{{p.rial(d.amount)}}</span></h2>
    <span class="tag state-{{d.state}}">{{p.state(d.state)}}</span>
    <span class="muted">{{p.when_ago(d.received_at)}}</span>
  </header>
  <div class="review-body">
  <div class="facts">
    <h3>{{t("why_held")}}</h3>
    <p class="why">{{!p.reason(d.reason)}}</p>
% for m in item.messages:
%   if m.trust_reason and not m.trusted and d.reason not in m.trust_reason:
    <p class="why muted">{{t("trust")}}: {{!p.reason(m.trust_reason)}}</p>
%   end
% if d.state == "held":
    <p><a href="/admin/sms/{{m.id}}/teach" class="teach">{{t("teach_link")}}: {{t("this_sender_is")}}</a></p>
% end
% end
    <h3>{{t("candidates")}}</h3>
% if item.candidates:
    <table class="list candidates">
    <tr><th>#</th><th>{{t("fid")}}</th><th>{{t("amount")}}</th><th>{{t("created")}}</th><th>{{t("cards")}}</th><th>{{t("state")}}</th><th></th></tr>
%   for c in item.candidates:
    <tr id="candidate-{{d.id}}-{{c.id}}"><td><a href="/admin/payments/{{c.id}}">{{p.num(c.id)}}</a></td><td>{{p.num(c.fid)}}</td>
      <td class="{{'same' if c.amount == d.amount else 'near'}}">{{p.rial_short(c.amount)}}</td><td>{{p.ago(c.created_at)}}</td>
      <td>{{!"<br>".join('<bdi class="data nowrap" dir="ltr">%s</bdi>' % mask_card(k.number) for k in candidate_cards.get(c.id, []))}}</td>
      <td>{{p.state(c.state)}}</td>
      <td>
%     if d.state in ("unmatched", "ambiguous", "held") and c.state in ("pending", "expired"):
      <form method="post" action="/admin/review/assign" class="inline assign-one">
        <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/review">
        <input type="hidden" name="deposit_id" value="{{d.id}}"><input type="hidden" name="pay_id" value="{{c.id}}">
        <button type="submit">{{t("use_this")}}</button></form>
%     end
      </td></tr>
%   end
    </table>
% else:
    <p class="muted">{{t("no_candidates")}}</p>
% end
    <div class="read-sms">
    <div>
    <h3>{{t("what_read")}}</h3>
    <table class="kv">
      <tr><th>{{t("bank")}}</th><td>{{p.bank(d.bank)}}</td></tr>
      <tr><th>{{t("account")}}</th><td><bdi class="data" dir="ltr">{{d.account or "—"}}</bdi></td></tr>
      <tr><th>{{t("amount")}}</th><td>{{p.rial(d.amount)}}</td></tr>
      <tr><th>{{t("transfer_at")}}</th><td>{{p.when(d.transfer_at)}}</td></tr>
% if d.payer_card:
      <tr><th>{{t("payer_card")}}</th><td><bdi class="data" dir="ltr">{{mask_card(d.payer_card) if len(d.payer_card) == 16 else d.payer_card}}</bdi></td></tr>
% end
    </table>
    </div>
    <div>
    <h3>{{t("the_sms")}}</h3>
% for m in item.messages:
    <p class="muted"><bdi class="data" dir="ltr">{{m.sender}}</bdi> · {{p.when(m.received_at)}}</p>
    <pre class="data" dir="auto">{{m.text}}</pre>
% end
% if not item.messages:
    <p class="muted">{{t("no_sms_for_deposit")}}</p>
% end
    </div>
    </div>
  </div>
% include('admin_review_suggestion', d=d, hint=suggestion_of(d))
  <div class="actions">
% for name, applies in actions:
%   if d.state in applies:
%     include('review_action_' + name, d=d, item=item)
%   end
% end
  </div>
  </div>
  <details><summary>{{t("events")}}</summary>
% include('admin_events', events=events[d.id])
  </details>
</section>
% end
