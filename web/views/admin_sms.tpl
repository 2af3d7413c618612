% rebase('admin_base', title=t("inbox"))
<p><a href="/admin/sms">{{t("any")}}</a> · <a href="/admin/sms?kind=deposit">deposit</a> · <a href="/admin/sms?kind=withdrawal">withdrawal</a> · <a href="/admin/sms?kind=other">other</a> · <a href="/admin/sms?kind=unparsed">unparsed</a></p>
% for m in messages:
<section class="box sms" id="sms-{{m.id}}">
  <p><b dir="ltr">{{m.sender}}</b> <span class="muted" dir="ltr">{{local_time(m.received_at)}} · {{m.source}}:{{m.origin}}</span>
    <span class="tag">{{m.kind}}</span> {{"✓" if m.trusted else "⚠"}}</p>
  <pre dir="auto">{{m.text}}</pre>
  <p><b>{{t("parsed")}}:</b> <span dir="ltr">{{m.bank or "?"}} · {{t("account")}} {{m.account or "?"}} · {{t("amount")}} {{"{:,}".format(m.amount) if m.amount is not None else "?"}}</span> — {{m.reason}}</p>
  <p><b>{{t("trust")}}:</b> {{m.trust_reason}}</p>
% if m.flag:
  <p class="flash bad">{{m.flag}}</p>
% end
% if m.deposit_id:
  <p>{{t("deposit")}} #{{m.deposit_id}}</p>
% end
% if m.kind == "unparsed" or not m.trusted:
  <p><a href="/admin/sms/{{m.id}}/teach" class="teach">{{t("teach_link")}}</a></p>
% end
</section>
% end
