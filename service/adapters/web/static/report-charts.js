// What the dashboard shows: each KPI and chart names its API call, its table columns, its
// ECharts option and its export. Definitions are stated on the page (rep.def.*) as in the API.
import { lang, money, t } from "./i18n.js";

const PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#b3261e", "#7a5195", "#8c8c8c", "#c9a227"];

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

function isoDay(d) { return d.toISOString().slice(0, 10); }

function yearBefore(day) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return isoDay(d);
}

function base() {
  return { color: PALETTE, tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, top: 36, bottom: 48, containLabel: true },
           legend: { top: 0 }, textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', sans-serif" } };
}

function bars(rows, label, series, horizontal = false) {
  const cats = rows.map((r) => r[label]);
  const axis = { type: "category", data: cats, axisLabel: { interval: 0, rotate: horizontal ? 0 : (cats.length > 8 ? 40 : 0) } };
  const value = { type: "value" };
  return { ...base(), xAxis: horizontal ? value : axis, yAxis: horizontal ? { ...axis, inverse: true } : value,
           series: series.map(([key, name]) => ({ type: "bar", name: t(name), data: rows.map((r) => r[key]) })) };
}

function trendPath(f, from, to, interval = "month") {
  return `/reports/trends${query({ from, to, interval, ...(f.branch ? {} : {}) })}`;
}

export const KPIS = [
  { id: "loans_week", title: "rep.kpi.loans_week", format: (v) => v.text,
    async value(api) {
      const today = new Date();
      const from = new Date(today); from.setDate(today.getDate() - 13);
      const data = await api.get(`/reports/trends${query({ from: isoDay(from), to: isoDay(today), interval: "day" })}`);
      let last = 0, prev = 0;
      const cut = new Date(today); cut.setDate(today.getDate() - 6);
      for (const r of data.rows) (r.period >= isoDay(cut) ? (last += r.checkouts) : (prev += r.checkouts));
      const change = prev ? Math.round(((last - prev) / prev) * 100) : null;
      return { text: last.toLocaleString(lang()), note: t("rep.kpi.vs_last", { n: prev.toLocaleString(lang()),
        c: change === null ? "—" : `${change > 0 ? "+" : ""}${change}%` }) };
    } },
];

export const CHARTS = [
  { id: "loans", title: "rep.loans", definition: "rep.def.loans", wide: true, exportKind: "trends",
    fetch: (f) => [trendPath(f, f.from, f.to), trendPath(f, yearBefore(f.from), yearBefore(f.to))],
    exportParams: (f) => ({ from: f.from, to: f.to, interval: "month" }),
    columns: () => [{ key: "period", label: "rep.col.period" }, { key: "checkouts", label: "rep.col.checkouts" },
      { key: "previous", label: "rep.col.previous_year" }, { key: "renewals", label: "rep.col.renewals" },
      { key: "distinct_readers", label: "rep.col.readers" }],
    rows([now, before]) {
      // A year earlier, keyed by the period it is compared with (2024-12 -> 2025-12).
      const later = (p) => `${Number(p.slice(0, 4)) + 1}${p.slice(4, 7)}`;
      const prev = new Map(before.rows.map((r) => [later(r.period), r.checkouts]));
      return now.rows.map((r) => ({ ...r, previous: prev.get(r.period.slice(0, 7)) ?? 0 }));
    },
    option: (rows) => ({ ...base(), xAxis: { type: "category", data: rows.map((r) => r.period.slice(0, 7)) },
      yAxis: { type: "value" },
      series: [{ type: "line", name: t("rep.col.checkouts"), data: rows.map((r) => r.checkouts), smooth: true },
               { type: "line", name: t("rep.col.previous_year"), data: rows.map((r) => r.previous),
                 lineStyle: { type: "dashed" }, smooth: true }] }) },
];

export { bars, base, money };
