% for a in get("owner_alerts", []):
<p class="flash bad alert-banner" role="alert" data-kind="{{a['kind']}}"><b>{{"Alert" if lang == "en" else "هشدار"}}:</b> {{a["text"]}} <small>— {{"since" if lang == "en" else "از"}} <bdi>{{a["since"]}}</bdi> · <a href="/admin/alerts">{{"details" if lang == "en" else "جزئیات"}}</a></small></p>
% end
