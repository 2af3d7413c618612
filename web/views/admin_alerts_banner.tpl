% for a in get("owner_alerts", []):
<p class="flash bad alert-banner" role="alert" data-kind="{{a['kind']}}"><b>{{t("al.alert")}}:</b> {{!a["html"]}} <small>— {{t("al.since")}} <bdi>{{a["since"]}}</bdi> · <a href="/admin/alerts">{{t("al.details")}}</a></small></p>
% end
