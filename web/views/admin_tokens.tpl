% rebase('admin_base', title=t("tokens"))
% if new_token:
<section class="box flash ok" id="new-token">
  <p>{{t("token_once")}} <b>{{new_token[0]}}</b>:</p>
  <p><code dir="ltr">{{new_token[1]}}</code></p>
</section>
% end
<table class="list" id="tokens">
<tr><th>#</th><th>{{t("name")}}</th><th>token</th><th>{{t("scopes")}}</th><th>{{t("created")}}</th><th>{{t("webhook_url")}}</th><th>{{t("webhook_secret")}}</th><th></th></tr>
% for tok in tokens:
<tr><td>{{tok.id}}</td><td>{{tok.name}}{{" (" + t("revoked") + ")" if tok.revoked_at else ""}}</td><td dir="ltr">{{tok.prefix}}…</td><td dir="ltr">{{tok.scopes}}</td>
  <td dir="ltr">{{local_time(tok.created_at)}}</td><td dir="ltr">{{tok.webhook_url or "—"}}</td>
  <td dir="ltr">{{!'<details><summary>…</summary><code>%s</code></details>' % webhook_secrets[tok.id] if tok.id in webhook_secrets else "—"}}</td>
  <td>
% if not tok.revoked_at:
  <form method="post" action="/admin/tokens/{{tok.id}}/revoke" class="inline">
    <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/tokens">
    <button type="submit">{{t("revoke")}}</button></form>
% end
  </td></tr>
% end
</table>
<h2>{{t("add_token")}}</h2>
<form method="post" action="/admin/tokens" class="box">
  <input type="hidden" name="csrf" value="{{session.csrf}}"><input type="hidden" name="back" value="/admin/tokens">
  <label>{{t("name")}} <input name="name" required dir="ltr"></label>
  <label><span><input type="checkbox" name="scope" value="payments" checked> payments</span></label>
  <label><span><input type="checkbox" name="scope" value="sms"> sms</span></label>
  <label>{{t("webhook_url")}} <input name="webhook_url" dir="ltr" type="url"></label>
  <button type="submit" id="add-token">{{t("add_token")}}</button>
</form>
<p class="muted" dir="ltr">CLI: carttocart token add NAME [--scope payments|sms|admin] [--webhook URL] · carttocart token revoke NAME</p>
