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
  <b>{{box_name}}</b>
% if session:
  <a href="/admin">{{t("health")}}</a>
  <a href="/admin/payments">{{t("payments")}}</a>
  <a href="/admin/sms">{{t("inbox")}}</a>
  <a href="/admin/review">{{t("review")}}</a>
  <a href="/admin/cards">{{t("cards")}}</a>
  <a href="/admin/tokens">{{t("tokens")}}</a>
  <a href="/admin/webhooks">{{t("webhooks")}}</a>
  <a href="/admin/alerts">{{"Alerts" if lang == "en" else "هشدارها"}}</a>
% end
  <a href="?lang={{'fa' if lang == 'en' else 'en'}}" id="lang">{{t("language")}}</a>
% if session:
  <form method="post" action="/admin/logout" class="inline"><input type="hidden" name="csrf" value="{{session.csrf}}">
    <button type="submit" id="logout">{{t("logout")}} ({{session.username}})</button></form>
% end
</nav>
<main>
% include("admin_alerts_banner")
% if flash == "done":
<p class="flash ok" id="flash">{{t("done")}}</p>
% elif flash:
<p class="flash bad" id="flash">{{flash}}</p>
% end
<h1>{{title}}</h1>
{{!base}}
</main>
</body>
</html>
