% rebase('admin_base', title=t("capacity"))
% def n(v):
%   return (fa.fa_grouped(v) if lang == "fa" else "{:,}".format(v)) if v is not None else t("no_ceiling")
% end
<table class="list" id="capacity">
  <thead><tr><th>{{t("cards")}}</th><th>{{t("free_amounts")}}</th><th>{{t("received_today")}}</th>
    <th>{{t("open_on_card")}}</th><th>{{t("daily_ceiling")}}</th><th>{{t("left_today")}}</th></tr></thead>
  <tbody>
% for r in rows:
  <tr id="card-{{r['card']}}"><td>{{p.bank(r["bank"])}} <span dir="ltr">…{{fa.fa_digits(r["number_last4"]) if lang == "fa" else r["number_last4"]}}</span></td>
    <td>{{n(r["free_amounts"])}} / {{n(r["amounts_per_price"])}}</td>
    <td>{{n(r["received_today"])}}</td><td>{{n(r["open_rial"])}}</td><td>{{n(r["daily_limit_rial"])}}</td>
    <td>{{n(r["rial_left"])}}</td></tr>
% end
  </tbody>
</table>
<p class="muted">{{t("capacity_note")}}</p>
