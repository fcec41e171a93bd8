// What the dashboard shows: each KPI and chart names its API call, its table columns, its
// ECharts option and its export. Definitions are stated on the page (rep.def.*) as in the API.
import { SEGMENTS, lang, money, pick, t } from "./i18n.js";

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


/** Month-to-month movement (from, to, readers) as one row per month end: readers in each
 *  segment at that month's refresh and how many of them came from another segment. */
function segmentMonths(items) {
  const months = new Map();
  for (const m of items) {
    const month = m.to_as_of.slice(0, 7);
    const row = months.get(month) || { month, moved: 0, ...Object.fromEntries(SEGMENTS.map((s) => [s, 0])) };
    if (m.to_segment in row) row[m.to_segment] += m.readers;
    if (m.from_segment !== m.to_segment) row.moved += m.readers;
    months.set(month, row);
  }
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}

/** One row per question of a survey's results: its answers and what they say (mean, NPS,
 *  the most chosen option, or the latest free texts), plus the distribution for the chart. */
function surveyRows(data) {
  const rate = data.response_rate === null ? "—" : `${(data.response_rate * 100).toFixed(1)} %`;
  const head = { question: `${pick(data.survey.title_zh, data.survey.title_en)} · ${t("rep.col.rate")} ${rate}`,
                 short: t("rep.col.rate"), answered: data.responses, summary: `${data.responses} / ${data.sent_to}`,
                 distribution: {} };
  const asked = new Map((data.survey.questions || []).map((q) => [q.id, q]));
  return [head, ...data.questions.map((q, i) => {
    const text = pick(q.text_zh, q.text_en);
    let summary = "";
    let distribution = q.type === "text" ? {} : q.distribution;
    if (q.type === "nps") summary = `NPS ${q.nps ?? "—"} · ${t("rep.col.mean")} ${q.mean ?? "—"}`;
    else if (q.type === "rating") summary = `${t("rep.col.mean")} ${q.mean ?? "—"} / 5`;
    else if (q.type === "text") summary = q.texts.slice(-3).map((x) => `“${x.text}”`).join(" ");
    else {
      // Choices are stored by 0-based index; readers and staff count options from #1.
      const options = (asked.get(q.id) || {}).options || [];
      distribution = Object.fromEntries(Object.entries(q.distribution)
        .map(([k, n]) => [`#${Number(k) + 1}`, n]));
      const top = Object.entries(q.distribution).sort((a, b) => b[1] - a[1])[0];
      const option = top && options[Number(top[0])];
      summary = top ? `${t("rep.col.most_chosen")} #${Number(top[0]) + 1}`
        + `${option ? ` “${pick(option.zh, option.en)}”` : ""} (${top[1]})` : "";
    }
    return { question: text, short: `Q${i + 1}`, answered: q.answered, summary, distribution };
  })];
}

/** Stacked bars, one bar per question, one series per score (0-10) or option (#1, #2, ...). */
function surveySeries(rows) {
  const order = (k) => (k.startsWith("#") ? 100 + Number(k.slice(1)) : Number(k));
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.distribution)))]
    .sort((a, b) => order(a) - order(b));
  if (!keys.length) return [{ type: "bar", name: t("rep.col.answers"), data: rows.map((r) => r.answered) }];
  return keys.map((k) => ({ type: "bar", stack: "answers", name: String(k),
                            data: rows.map((r) => r.distribution[k] ?? 0) }));
}

function trendPath(f, from, to, interval = "month") {
  return `/reports/trends${query({ from, to, interval, ...(f.branch ? {} : {}) })}`;
}

const WEEKDAYS = { "zh-CN": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
                   en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] };

/** The filters each family of reports takes (names as their APIs spell them). */
const range = (f) => ({ from: f.from, to: f.to, branch: f.branch, category: f.category });
const stock = (f) => ({ as_of: f.to, branch: f.branch, class: f.clc_class });
const readersPath = (f, extra = {}) => `/reports/readers${query({ ...range(f), ...extra })}`;
const servicePath = (f) => `/reports/service${query({ ...range(f), as_of: f.to })}`;
const classesPath = (f) => `/reports/collection/classes${query({ ...stock(f), page_size: 1000 })}`;

/** Class rows are class x branch: sum them per class for the chart. */
function perClass(items) {
  const by = new Map();
  for (const r of items) {
    const c = by.get(r.class) || { class: r.class, holdings: 0, circulations: 0 };
    c.holdings += r.holdings;
    c.circulations += r.circulations;
    by.set(r.class, c);
  }
  const rows = [...by.values()];
  const h = rows.reduce((a, r) => a + r.holdings, 0) || 1;
  const c = rows.reduce((a, r) => a + r.circulations, 0) || 1;
  for (const r of rows) {
    r.share_of_holdings = r.holdings / h;
    r.share_of_circulations = r.circulations / c;
    r.relative_use = r.holdings ? r.share_of_circulations / r.share_of_holdings : null;
    r.turnover = r.holdings ? r.circulations / r.holdings : null;
  }
  return rows.sort((a, b) => a.class.localeCompare(b.class));
}

export const KPIS = [
  { id: "loans_week", title: "rep.kpi.loans_week", format: (v) => v.text,
    async value(get) {
      const today = new Date();
      const from = new Date(today); from.setDate(today.getDate() - 13);
      const data = await get(`/reports/trends${query({ from: isoDay(from), to: isoDay(today), interval: "day" })}`);
      let last = 0, prev = 0;
      const cut = new Date(today); cut.setDate(today.getDate() - 6);
      for (const r of data.rows) (r.period >= isoDay(cut) ? (last += r.checkouts) : (prev += r.checkouts));
      const change = prev ? Math.round(((last - prev) / prev) * 100) : null;
      return { text: last.toLocaleString(lang()), note: t("rep.kpi.vs_last", { n: prev.toLocaleString(lang()),
        c: change === null ? "—" : `${change > 0 ? "+" : ""}${change}%` }) };
    } },
  { id: "active_readers", title: "rep.kpi.active_readers", format: (v) => v.toLocaleString(lang()),
    async value(get, f) {
      const data = await get(readersPath(f));
      return data.rows.reduce((a, r) => a + r.active, 0);
    } },
  { id: "overdue", title: "rep.kpi.overdue", format: (v) => v.toLocaleString(lang()),
    async value(get, f) {
      const data = await get(servicePath(f));
      return data.overdue_aging.reduce((a, r) => a + r.loans, 0);
    } },
  { id: "holds_waiting", title: "rep.kpi.holds_waiting", format: (v) => v.toLocaleString(lang()),
    async value(get, f) {
      const data = await get(`/reports/collection/holds${query({ ...stock(f), page_size: 1000 })}`);
      return data.items.reduce((a, r) => a + r.active_holds, 0);
    } },
  { id: "turnover", title: "rep.kpi.turnover",
    format: (v) => v.toLocaleString(lang(), { maximumFractionDigits: 2 }),
    async value(get, f) {
      const data = await get(classesPath(f));
      return data.totals.turnover ?? 0;
    } },
];

const defs = (data) => (data.definitions || []).map((d) => (lang() === "en" ? d.en : (d["zh-CN"] || d.zh)));

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

  { id: "classes", title: "rep.classes", definition: "rep.def.classes", wide: true,
    exportKind: "collection-classes", fetch: classesPath, exportParams: stock,
    columns: () => [{ key: "class", label: "rep.col.class" }, { key: "holdings", label: "rep.col.holdings" },
      { key: "circulations", label: "rep.col.checkouts" }, { key: "turnover", label: "rep.col.turnover", ratio: true },
      { key: "share_of_holdings", label: "rep.col.share_holdings", percent: true },
      { key: "share_of_circulations", label: "rep.col.share_loans", percent: true },
      { key: "relative_use", label: "rep.col.relative_use", ratio: true }],
    rows: (data) => perClass(data.items),
    option: (rows) => ({ ...base(), xAxis: { type: "category", data: rows.map((r) => r.class) },
      yAxis: [{ type: "value", axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
              { type: "value", name: t("rep.col.relative_use"), splitLine: { show: false } }],
      series: [{ type: "bar", name: t("rep.col.share_holdings"), data: rows.map((r) => r.share_of_holdings) },
               { type: "bar", name: t("rep.col.share_loans"), data: rows.map((r) => r.share_of_circulations) },
               { type: "line", name: t("rep.col.relative_use"), yAxisIndex: 1,
                 data: rows.map((r) => r.relative_use), markLine: { silent: true, data: [{ yAxis: 1 }] } }] }) },

  { id: "heatmap", title: "rep.heatmap", definition: "rep.def.heatmap", exportKind: "report_service",
    fetch: servicePath, exportParams: range,
    columns: () => [{ key: "day", label: "rep.col.weekday" }, { key: "hour", label: "rep.col.hour" },
      { key: "actions", label: "rep.col.actions" }],
    rows: (data) => data.heatmap.filter((c) => c.actions > 0)
      .map((c) => ({ ...c, day: WEEKDAYS[lang()][c.weekday] || c.weekday })),
    option(rows, data) {
      const cells = data.heatmap.map((c) => [c.hour, c.weekday, c.actions]);
      const max = Math.max(1, ...cells.map((c) => c[2]));
      return { ...base(), tooltip: { position: "top" }, grid: { left: 56, right: 16, top: 16, bottom: 64 },
        xAxis: { type: "category", data: [...Array(24).keys()].map(String), splitArea: { show: true } },
        yAxis: { type: "category", data: WEEKDAYS[lang()], inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                     inRange: { color: ["#f4f6f9", "#8cc0e6", "#1f5f8b"] } },
        series: [{ type: "heatmap", name: t("rep.col.actions"), data: cells }] };
    } },

  { id: "top", title: "rep.top", definition: "rep.def.top", exportKind: "report_top",
    fetch: (f) => `/reports/top${query({ ...range(f), clc: f.clc_class, by: "title", page_size: 10 })}`,
    exportParams: (f) => ({ ...range(f), by: "title" }),
    columns: () => [{ key: "rank", label: "rep.col.rank" }, { key: "title", label: "rep.col.title" },
      { key: "author", label: "rep.col.author" }, { key: "loans", label: "rep.col.checkouts" }],
    rows: (data) => data.items.map((r) => ({ ...r, author: (r.authors || []).join("; ") })),
    option: (rows) => bars(rows.map((r) => ({ ...r, label: r.title && r.title.length > 16 ? `${r.title.slice(0, 15)}…` : r.title })),
      "label", [["loans", "rep.col.checkouts"]], true) },

  { id: "readers", title: "rep.readers", definition: "rep.def.readers", exportKind: "report_readers",
    fetch: (f) => readersPath(f, { group_by: "category" }), exportParams: (f) => ({ ...range(f), group_by: "category" }),
    columns: () => [{ key: "group", label: "rep.col.category" }, { key: "active", label: "rep.col.active" },
      { key: "new", label: "rep.col.new" }, { key: "returning", label: "rep.col.returning" },
      { key: "lapsed", label: "rep.col.lapsed" }, { key: "loans_per_active", label: "rep.col.loans_per_active", ratio: true }],
    rows: (data) => data.rows,
    option: (rows) => bars(rows, "group", [["active", "rep.col.active"], ["new", "rep.col.new"],
      ["returning", "rep.col.returning"], ["lapsed", "rep.col.lapsed"]]) },

  { id: "overdue", title: "rep.overdue", definition: "rep.def.overdue", exportKind: "overdue",
    fetch: servicePath, exportParams: () => ({}),
    columns: () => [{ key: "bucket", label: "rep.col.days_overdue" }, { key: "loans", label: "rep.col.loans" }],
    rows: (data) => data.overdue_aging,
    option: (rows) => bars(rows, "bucket", [["loans", "rep.col.loans"]]) },

  { id: "branches", title: "rep.branches", definition: "rep.def.branches", exportKind: "report_service",
    fetch: servicePath, exportParams: range,
    columns: () => [{ key: "branch", label: "rep.col.branch" }, { key: "checkout", label: "rep.col.checkouts" },
      { key: "return", label: "rep.col.returns" }, { key: "renewal", label: "rep.col.renewals" },
      { key: "hold", label: "rep.col.holds" }, { key: "active_readers", label: "rep.col.active" }],
    rows: (data) => data.branches,
    option: (rows) => bars(rows, "branch", [["checkout", "rep.col.checkouts"], ["return", "rep.col.returns"],
      ["renewal", "rep.col.renewals"], ["hold", "rep.col.holds"], ["active_readers", "rep.col.active"]]) },

  { id: "channels", title: "rep.channels", definition: "rep.def.channels", exportKind: "report_service",
    fetch: servicePath, exportParams: range,
    columns: () => [{ key: "name", label: "rep.col.channel" }, { key: "checkout", label: "rep.col.checkouts" },
      { key: "renewal", label: "rep.col.renewals" }, { key: "hold", label: "rep.col.holds" },
      { key: "total", label: "rep.col.total" }],
    rows: (data) => data.channels.map((c) => ({ ...c, name: t(`rep.channel.${c.channel}`) })),
    option: (rows) => ({ ...base(), tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], name: t("rep.col.channel"),
                 data: rows.map((r) => ({ name: r.name, value: r.total })) }] }) },

  { id: "segments", title: "rep.segments", definition: "rep.def.segments", wide: true,
    fetch: () => "/segments/movement?months=12",
    columns: () => [{ key: "month", label: "rep.col.month" },
      ...SEGMENTS.map((s) => ({ key: s, label: `seg.${s}` })), { key: "moved", label: "rep.col.moved" }],
    rows: (data) => segmentMonths(data.items),
    option: (rows) => ({ ...base(), xAxis: { type: "category", data: rows.map((r) => r.month) },
      yAxis: { type: "value" },
      series: [...SEGMENTS.map((s) => ({ type: "bar", stack: "readers", name: t(`seg.${s}`),
                                        data: rows.map((r) => r[s]) })),
               { type: "line", name: t("rep.col.moved"), data: rows.map((r) => r.moved) }] }) },

  { id: "survey", title: "rep.survey", definition: "rep.def.survey", wide: true,
    // The latest survey that readers could answer (open, else the last closed one).
    fetch: async (f, get) => {
      const open = await get("/surveys?status=open&page_size=1");
      const latest = open.length ? open : await get("/surveys?status=closed&page_size=1");
      return latest.map((s) => `/surveys/${encodeURIComponent(s.survey_id)}/results`);
    },
    columns: () => [{ key: "question", label: "rep.col.question" },
      { key: "answered", label: "rep.col.answers" }, { key: "summary", label: "rep.col.result" }],
    rows: (data) => (Array.isArray(data) ? [] : surveyRows(data)),
    option: (rows) => ({ ...base(), tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.short) },
      series: surveySeries(rows) }) },

  { id: "dead_stock", title: "rep.dead_stock", definition: "rep.def.dead_stock", chart: false,
    exportKind: "collection-dead-stock",
    fetch: (f) => `/reports/collection/dead-stock${query({ ...stock(f), page_size: 15 })}`, exportParams: stock,
    columns: () => [{ key: "barcode", label: "rep.col.barcode" }, { key: "title", label: "rep.col.title" },
      { key: "class", label: "rep.col.class" }, { key: "branch", label: "rep.col.branch" },
      { key: "last_circulated_on", label: "rep.col.last_loan" }, { key: "added_on", label: "rep.col.added" }],
    rows: (data) => data.items },

  { id: "buy_list", title: "rep.buy_list", definition: "rep.def.buy_list", chart: false,
    exportKind: "collection-buy-list",
    fetch: (f) => `/reports/collection/buy-list${query({ ...stock(f), page_size: 15 })}`, exportParams: stock,
    columns: () => [{ key: "title", label: "rep.col.title" }, { key: "active_holds", label: "rep.col.holds" },
      { key: "holdable_copies", label: "rep.col.copies" }, { key: "holds_ratio", label: "rep.col.holds_ratio", ratio: true },
      { key: "copies_needed", label: "rep.col.to_buy" }],
    rows: (data) => data.items },
];

export { defs };
