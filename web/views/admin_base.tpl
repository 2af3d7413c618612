<!doctype html>
<html lang="{{lang}}" dir="{{'ltr' if lang == 'en' else 'rtl'}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} — {{box_name}}</title>
<link rel="stylesheet" href="/static/admin.css">
<link rel="icon" href="data:,">
</head>
<body>
<nav>
  <b class="data">{{box_name}}</b>
% if session:
  <a href="/admin" class="{{'here' if path == '/admin' else ''}}">{{t("overview")}}</a>
  <a href="/admin/payments">{{t("payments")}}</a>
  <a href="/admin/sms">{{t("inbox")}}</a>
  <a href="/admin/review">{{t("review")}}</a>
  <a href="/admin/capacity">{{t("capacity")}}</a>
  <a href="/admin/cards">{{t("cards")}}</a>
  <a href="/admin/tokens">{{t("tokens")}}</a>
  <a href="/admin/webhooks">{{t("webhooks")}}</a>
  <a href="/admin/export">{{t("export")}}</a>
  <a href="/admin/alerts">{{"Alerts" if lang == "en" else "هشدارها"}}</a>
% end
  <a href="?lang={{'fa' if lang == 'en' else 'en'}}" id="lang" lang="{{'fa' if lang == 'en' else 'en'}}">{{t("language")}}</a>
% if session:
  <form method="post" action="/admin/logout" class="inline"><input type="hidden" name="csrf" value="{{session.csrf}}">
    <button type="submit" id="logout">{{t("logout")}} (<bdi class="data">{{session.username}}</bdi>)</button></form>
% end
</nav>
<main>
% include("admin_alerts_banner")
% if flash == "done":
<p class="flash ok" id="flash">{{t("done")}}</p>
% elif flash.startswith("error:"):
%   _, kind, detail = (flash.split(":", 2) + ["", ""])[:3]
<p class="flash bad" id="flash">{{t("err." + kind) if p.word("err." + kind, "") else t("err.other")}}{{(" " + detail) if lang == "en" and detail else ""}}</p>
% elif flash:
<p class="flash bad" id="flash">{{t("err.other")}}</p>
% end
<h1>{{title}}</h1>
{{!base}}
</main>
</body>
</html>
