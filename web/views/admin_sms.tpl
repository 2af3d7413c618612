% rebase('admin_base', title=t("inbox"))
<p class="row filters" id="sms-filter">{{t("sms_kind")}}:
% for k in ("", "deposit", "withdrawal", "other", "unparsed"):
  <a href="/admin/sms{{'?kind=' + k if k else ''}}" class="{{'here' if k == kind else ''}}">{{p.kind(k) if k else t("any")}}</a>
% end
</p>
% if not messages:
<p class="muted" id="empty">{{t("no_sms_yet")}}</p>
% end
% for m in messages:
<section class="box sms" id="sms-{{m.id}}">
  <p><b><bdi class="data" dir="ltr">{{m.sender}}</bdi></b> <span class="muted">{{p.when_ago(m.received_at)}}</span>
    <span class="tag kind-{{m.kind}}">{{p.kind(m.kind)}}</span> <span class="tag {{'ok' if m.trusted else 'bad'}}">{{t("trusted_mark") if m.trusted else t("untrusted_mark")}}</span></p>
  <pre class="data" dir="auto">{{m.text}}</pre>
  <p><b>{{t("what_read")}}:</b> {{p.bank(m.bank)}} · {{t("account")}} <bdi class="data" dir="ltr">{{m.account or "—"}}</bdi> · {{t("amount")}} {{p.rial_short(m.amount)}}</p>
  <p class="why">{{!p.reason(m.reason)}}</p>
  <p><b>{{t("trust")}}:</b> {{!p.reason(m.trust_reason)}}</p>
% if m.flag:
  <p class="flash bad">{{t("flag")}}: {{!p.reason(m.flag)}}</p>
% end
% if m.deposit_id:
  <p><a href="/admin/review#deposit-{{m.deposit_id}}">{{t("deposit")}} #{{p.num(m.deposit_id)}}</a></p>
% end
% if m.kind == "unparsed" or not m.trusted:
  <p><a href="/admin/sms/{{m.id}}/teach" class="teach">{{t("teach_link")}}</a></p>
% end
</section>
% end
