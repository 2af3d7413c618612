% rebase("admin_base", title=title)
% en = lang == "en"
<h2>{{"History" if en else "سابقهٔ هشدارها"}}</h2>
% if not history:
<p id="no-alerts">{{"No alert so far." if en else "تاکنون هشداری نبوده است."}}</p>
% else:
<table class="list" id="alert-history">
<tr><th>{{"Raised" if en else "زمان"}}</th><th>{{"Alert" if en else "هشدار"}}</th><th>{{"State" if en else "وضعیت"}}</th><th>{{"Resolved" if en else "رفع"}}</th></tr>
% for a in history:
<tr><td><bdi>{{when(a.raised_at)}}</bdi></td><td>{{render_alert(a)}}</td>
  <td>{{("active" if en else "فعال") if a.state == "active" else word("resolved")}}</td><td><bdi>{{when(a.resolved_at)}}</bdi></td></tr>
% end
</table>
% end
<h2>{{"The SIM's credit (USSD)" if en else "اعتبار سیم‌کارت"}}</h2>
% if balance:
<p id="sim-balance">{{"Credit" if en else "اعتبار"}}: <bdi>{{balance["credit"]}}</bdi> · {{"valid until" if en else "مهلت تا"}} <bdi>{{balance["until"]}}</bdi> · {{"asked" if en else "پرسیده شده"}} <bdi>{{balance["at"]}}</bdi></p>
<p dir="auto"><small>{{balance["reply"]}}</small></p>
% else:
<p id="sim-balance">{{"Not asked yet." if en else "هنوز پرسیده نشده است."}}</p>
% end
<h2>{{"Notices to the owner (SMS, webhooks, forwarded messages)" if en else "پیام‌ها به مالک (پیامک، وب‌هوک، بازارسال)"}}</h2>
<table class="list" id="notices">
<tr><th>{{"When" if en else "زمان"}}</th><th>{{"Channel" if en else "راه"}}</th><th>{{"Why" if en else "برای"}}</th><th>{{"State" if en else "وضعیت"}}</th><th>{{"Text" if en else "متن"}}</th></tr>
% for n in notices:
<tr><td><bdi>{{when(n.created_at)}}</bdi></td><td>{{word(n.channel)}}</td><td>{{word(n.purpose)}}</td><td>{{word(n.state)}}</td>
  <td dir="auto">{{n.body if n.channel == "sms" else ""}}</td></tr>
% end
</table>
