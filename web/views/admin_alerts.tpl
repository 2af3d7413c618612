% rebase("admin_base", title=title)
% en = lang == "en"
<h2>{{"History" if en else "سابقهٔ هشدارها"}}</h2>
% if not history:
<p id="no-alerts">{{"No alert so far." if en else "تاکنون هشداری نبوده است."}}</p>
% else:
<table class="list" id="alert-history">
<tr><th>{{"Raised" if en else "زمان"}}</th><th>{{"Alert" if en else "هشدار"}}</th><th>{{"State" if en else "وضعیت"}}</th><th>{{"Resolved" if en else "رفع"}}</th></tr>
% for a in history:
<tr><td dir="ltr">{{when(a.raised_at)}}</td><td>{{render_alert(a)}}</td>
  <td>{{("active" if en else "فعال") if a.state == "active" else word("resolved")}}</td><td dir="ltr">{{when(a.resolved_at)}}</td></tr>
% end
</table>
% end
<h2>{{"Notices to the owner (SMS, webhooks, forwarded messages)" if en else "پیام‌ها به مالک (پیامک، وب‌هوک، بازارسال)"}}</h2>
<table class="list" id="notices">
<tr><th>{{"When" if en else "زمان"}}</th><th>{{"Channel" if en else "راه"}}</th><th>{{"Why" if en else "برای"}}</th><th>{{"State" if en else "وضعیت"}}</th><th>{{"Text" if en else "متن"}}</th></tr>
% for n in notices:
<tr><td dir="ltr">{{when(n.created_at)}}</td><td>{{word(n.channel)}}</td><td>{{word(n.purpose)}}</td><td>{{word(n.state)}}</td>
  <td>{{n.body if n.channel == "sms" else ""}}</td></tr>
% end
</table>
