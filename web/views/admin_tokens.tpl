% rebase('admin_base', title=t("tokens"))
<table class="list" id="tokens">
<tr><th>#</th><th>{{t("name")}}</th><th>token</th><th>{{t("scopes")}}</th><th>{{t("created")}}</th><th>{{t("webhook_url")}}</th><th>{{t("webhook_secret")}}</th></tr>
% for tok in tokens:
<tr><td>{{tok.id}}</td><td>{{tok.name}}{{" (" + t("revoked") + ")" if tok.revoked_at else ""}}</td><td dir="ltr">{{tok.prefix}}…</td><td dir="ltr">{{tok.scopes}}</td>
  <td dir="ltr">{{local_time(tok.created_at)}}</td><td dir="ltr">{{tok.webhook_url or "—"}}</td>
  <td dir="ltr">{{!'<details><summary>…</summary><code>%s</code></details>' % webhook_secrets[tok.id] if tok.id in webhook_secrets else "—"}}</td></tr>
% end
</table>
<p class="muted" dir="ltr">carttocart token add NAME [--scope payments|sms|admin] [--webhook URL] · carttocart token revoke NAME</p>
