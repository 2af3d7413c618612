% rebase('admin_base', title=t("export"))
% error = get("error", "")
% if error:
<p class="flash bad" id="export-error">{{t("bad_date")}}{{(" " + error) if lang == "en" else ""}}</p>
% end
<p class="muted">{{t("export_help")}}</p>
% for what in ("payments", "deposits"):
<form method="get" action="/admin/export/{{what}}.csv" class="box row" id="export-{{what}}">
  <h2>{{t("export_" + what)}}</h2>
  <label>{{t("from_date")}} <input name="from" value="{{p.num(today)}}" placeholder="{{t('date_hint')}}" inputmode="numeric" size="11" required></label>
  <label>{{t("to_date")}} <input name="to" value="{{p.num(today)}}" placeholder="{{t('date_hint')}}" inputmode="numeric" size="11" required></label>
  <button type="submit">{{t("download")}}</button>
</form>
% end
<p class="muted"><bdi class="data" dir="ltr">carttocart payment export --from {{today}} --to {{today}} · carttocart deposit export --from {{today}} --to {{today}}</bdi></p>
