// The seizure ledger for the current filter: totals by item and unit, by place, by month (GET /seizures/summary).
import { clear, content, table } from "./dom.js";
import { country, date, itemLabel, month, num, t, unitLabel } from "./i18n.js";

const amount = (r) => `${num(r.total, 2)} ${unitLabel(r.unit)}`;

export function renderLedger(summary) {
  const item = { label: t("item"), value: (r) => itemLabel(r.item) };
  clear(document.getElementById("ledger-items")).append(table([
    item,
    { label: t("total"), num: true, value: amount },
    { label: t("seizures"), num: true, value: (r) => num(r.seizures) },
    { label: t("articles"), num: true, value: (r) => num(r.articles) },
    { label: t("first_last"), value: (r) => `${date(r.first_day)} — ${date(r.last_day)}` },
  ], summary.totals, t("no_data")));
  clear(document.getElementById("ledger-places")).append(table([
    { label: t("place"), value: (r) => (r.place_name ? content(r.place_name) : t("unknown_place")) },
    { label: t("country"), value: (r) => country(r.country) },
    item,
    { label: t("total"), num: true, value: amount },
  ], summary.by_place, t("no_data")));
  clear(document.getElementById("ledger-months")).append(table([
    { label: t("month"), value: (r) => month(r.month) },
    item,
    { label: t("total"), num: true, value: amount },
    { label: t("seizures"), num: true, value: (r) => num(r.seizures) },
  ], summary.by_month, t("no_data")));
}
