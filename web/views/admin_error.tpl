% rebase('admin_base', title=t("error"))
<p class="flash bad" id="error">{{t(message_key)}}</p>
