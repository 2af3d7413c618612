% rebase('admin_base', title=t("teach"))
% def money(v):
%   return p.rial(v)
% end
% def digits(v):
%   return fa.fa_digits(v) if lang != "en" else str(v)
% end
% if changes:
<p class="flash ok" id="changes">{{t("reread_count", digits(changes))}}</p>
% end
<section class="box sms" id="sms-{{m.id}}">
  <h2>{{t("message_no", digits(m.id))}} — <span class="tag" id="kind">{{t("kind_" + m.kind)}}</span></h2>
  <p><b>{{t("sender")}}:</b> <bdi dir="ltr" class="data sender">{{digits(m.sender)}}</bdi>
    · <b>{{t("smsc")}}:</b> <bdi dir="ltr" class="data">{{digits(m.smsc or "—")}}</bdi> · {{jalali(m.received_at, lang)}}</p>
  <pre dir="auto" class="data text">{{m.text}}</pre>
  <p>{{t("sender_trusted") if m.trusted else t("sender_untrusted")}}
% if m.bank or claimed:
    · {{t("bank")}}: {{bank_name(m.bank or claimed)}}
% end
% if m.amount is not None:
    · {{t("amount")}}: {{money(m.amount)}}
% end
% if m.deposit_id:
    · {{t("deposit")}} #{{digits(m.deposit_id)}}
% end
  </p>
  <p class="muted why">{{!p.reason(m.reason)}} — {{!p.reason(m.trust_reason)}}</p>
</section>

% if can_trust:
<section class="box" id="trust">
  <h2>{{t("this_sender_is")}}</h2>
  <p>{{t("trust_explain")}}</p>
  <form method="post" action="/admin/sms/{{m.id}}/trust-sender" class="trust-sender">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/sms/{{m.id}}/teach">
    <label>{{t("bank")}} <select name="bank" id="trust-bank">
% for b in banks:
      <option value="{{b}}" {{"selected" if b == claimed else ""}}>{{bank_name(b)}}</option>
% end
    </select></label>
    <button type="submit" id="trust-button">{{t("trust_button")}}</button>
  </form>
</section>
% end

% if m.kind == "unparsed" and not m.bank:
<p class="muted">{{t("trust_sender_first")}}</p>
% end
% if proposal is not None:
<section class="box" id="learn">
  <h2>{{t("learn_format")}}</h2>
  <p>{{t("learn_explain")}}</p>
  <p><b>{{t("found")}}:</b>
    {{t("amount_candidates")}}: {{"، ".join(money(a) for a in proposal.amounts) if proposal.amounts else t("none_found")}}
    · {{t("date_time")}}: {{digits(((proposal.date or "") + " " + (proposal.time or "")).strip() or t("none_found"))}}</p>
  <form method="post" action="/admin/sms/{{m.id}}/learn" class="learn">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/sms/{{m.id}}/teach">
    <label>{{t("amount_rial")}} <input name="amount" id="learn-amount" inputmode="numeric" dir="ltr" required value="{{digits(proposal.amounts[0]) if proposal.amounts else ''}}"></label>
    <fieldset><legend>{{t("direction")}}</legend>
% for d in ("deposit", "withdrawal"):
      <label><input type="radio" name="direction" value="{{d}}" {{"checked" if (proposal.direction or "deposit") == d else ""}}> {{t("kind_" + d)}}</label>
% end
    </fieldset>
    <label>{{t("balance_rial")}} <input name="balance" id="learn-balance" inputmode="numeric" dir="ltr" value="{{digits(proposal.balance) if proposal.balance is not None else ''}}"></label>
    <label>{{t("account_printed")}} <input name="account" id="learn-account" dir="ltr" value="{{digits(proposal.account or '')}}"></label>
    <button type="submit" id="learn-button">{{t("learn_button")}}</button>
  </form>
</section>
% end
% if not can_trust and proposal is None and m.kind != "unparsed":
<p class="muted" id="nothing">{{t("nothing_to_teach")}}</p>
% end

<section class="box" id="events">
<h2>{{t("events")}}</h2>
<table class="list events">
<tr><th>{{t("when")}}</th><th>{{t("events")}}</th><th>{{t("who")}}</th><th>{{t("why")}}</th></tr>
% for e in events:
<tr class="event {{e.kind}}"><td>{{jalali(e.at, lang)}}</td><td>{{t("ev_" + e.kind) if e.kind in ("sender_trusted", "format_learned", "format_forgotten", "reread") else e.kind}}</td>
  <td><bdi>{{!who(e.actor, t)}}</bdi></td>
  <td>{{!p.reason(e.reason)}}</td></tr>
% end
</table>
</section>
