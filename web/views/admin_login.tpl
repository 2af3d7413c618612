% rebase('admin_base', title=t("login"))
% if error == "too_many":
<p class="flash bad" id="error">{{t("too_many", retry)}}</p>
% elif error:
<p class="flash bad" id="error">{{t(error)}}</p>
% end
% if not has_password:
<p class="flash bad">{{t("no_password_run")}} <bdi class="data" dir="ltr">carttocart admin set-password</bdi></p>
% end
<form method="post" action="/admin/login" class="box">
  <input type="hidden" name="csrf" value="{{nonce}}">
  <input type="hidden" name="next" value="{{next}}">
  <label>{{t("username")}} <input name="username" value="admin" autocomplete="username" dir="ltr"></label>
  <label>{{t("password")}} <input name="password" type="password" autocomplete="current-password" dir="ltr"></label>
  <button type="submit" id="login">{{t("login")}}</button>
</form>
