% rebase('admin_base', title=t("tokens"))
% if new_token:
<section class="box flash ok" id="new-token">
  <p>{{t("token_once")}} <b class="data">{{new_token[0]}}</b>:</p>
  <p><code class="data" dir="ltr">{{new_token[1]}}</code></p>
</section>
% end
<table class="list" id="tokens">
<tr><th>#</th><th>{{t("name")}}</th><th>{{t("tokens")}}</th><th>{{t("scopes")}}</th><th>{{t("created")}}</th><th>{{t("webhook_url")}}</th><th>{{t("webhook_secret")}}</th><th></th></tr>
% for tok in tokens:
<tr><td>{{p.num(tok.id)}}</td><td><bdi class="data">{{tok.name}}</bdi>{{" (" + t("revoked") + ")" if tok.revoked_at else ""}}</td><td><bdi class="data" dir="ltr">{{tok.prefix}}…</bdi></td><td>{{", ".join(t("scope." + s) for s in tok.scopes.split(","))}}</td>
  <td>{{p.when(tok.created_at)}}</td><td><bdi class="data" dir="ltr">{{tok.webhook_url or "—"}}</bdi></td>
  <td dir="ltr">{{!'<details><summary>…</summary><code class="data">%s</code></details>' % webhook_secrets[tok.id] if tok.id in webhook_secrets else "—"}}</td>
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
  <label><span><input type="checkbox" name="scope" value="payments" checked> {{t("scope.payments")}}</span></label>
  <label><span><input type="checkbox" name="scope" value="sms"> {{t("scope.sms")}}</span></label>
  <label>{{t("webhook_url")}} <input name="webhook_url" dir="ltr" type="url"></label>
  <button type="submit" id="add-token">{{t("add_token")}}</button>
</form>
<p class="muted data" dir="ltr">CLI: carttocart token add NAME [--scope payments|sms|admin] [--webhook URL] · carttocart token revoke NAME</p>
