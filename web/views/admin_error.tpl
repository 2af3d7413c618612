% rebase('admin_base', title="403")
<p class="flash bad" id="error">{{t(message_key)}}</p>
