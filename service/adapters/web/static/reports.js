// The reports dashboard: KPI tiles and charts over the report API, every chart with its data
// table one click away and the same CSV/XLSX export. ECharts is served from our own static
// folder (vendor/echarts), so the page works offline and in mainland China.
import { Api, ApiError, h, notice } from "./api.js";
import { addWords, lang, languageSwitch, money, t } from "./i18n.js";
import { REPORT_WORDS } from "./report-words.js";
import { CHARTS, KPIS, defs, query } from "./report-charts.js";
import { staffSession } from "./shell.js";

addWords(REPORT_WORDS);
const api = new Api("reports", "desk");
const $ = (id) => document.getElementById(id);
const charts = new Map();  // chart id -> { spec, chart, data }
let lastFilters = null;
const session = staffSession(api, { onWork: () => start() });
let answers = new Map();  // path -> promise of its answer, for one refresh (charts share calls)

function get(path) {
  if (!answers.has(path)) answers.set(path, api.get(path));
  return answers.get(path);
}

function iso(d) { return d.toISOString().slice(0, 10); }

function defaultRange() {
  const to = new Date();
  const from = new Date(to);
  from.setFullYear(to.getFullYear() - 1);
  from.setDate(from.getDate() + 1);
  return { from: iso(from), to: iso(to) };
}

/** The filters as the API takes them: empty selects mean "all" and are left out. */
function filters() {
  const form = new FormData($("filters"));
  const out = {};
  for (const [k, v] of form.entries()) if (v) out[k] = v;
  return out;
}


/** Format a table cell: numbers with grouping, fen as money, ratios with two decimals. */
function cell(value, column) {
  if (value === null || value === undefined) return "—";
  if (column.money) return money(value);
  if (column.ratio) return Number(value).toLocaleString(lang(), { maximumFractionDigits: 2 });
  if (column.percent) return `${(Number(value) * 100).toLocaleString(lang(), { maximumFractionDigits: 1 })}%`;
  if (typeof value === "number") return value.toLocaleString(lang());
  return String(value);
}

function table(spec, rows) {
  const columns = spec.columns();
  return h("table", { class: "data" },
    h("caption", { class: "sr-only" }, t(spec.title)),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, t(c.label))))),
    h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) => h("td", {}, cell(r[c.key], c)))))));
}

async function download(spec, format) {
  const kind = spec.exportKind;
  const params = { ...spec.exportParams(lastFilters), format, lang: lang() };
  const headers = { Authorization: `Bearer ${api.session.token}`, "Accept-Language": lang() };
  const reply = await fetch(`/api/v1/exports/${kind}${query(params)}`, { headers });
  if (!reply.ok) {
    const body = await reply.json().catch(() => ({}));
    throw new ApiError(reply.status, body);
  }
  const blob = await reply.blob();
  const link = h("a", { href: URL.createObjectURL(blob), download: `${kind}.${format}` });
  document.body.append(link);
  link.click();
  link.remove();
}

function card(spec) {
  const chartBox = h("div", { class: "chart", id: `chart-${spec.id}`, role: "img",
                               "aria-label": t(spec.title) });
  const tableBox = h("div", { class: "table-box", id: `table-${spec.id}`, hidden: true });
  const toggle = h("button", { type: "button", class: "secondary", "aria-expanded": "false",
                               "aria-controls": `table-${spec.id}`, "data-toggle": spec.id });
  toggle.textContent = t("rep.show_table");
  toggle.addEventListener("click", () => {
    const open = tableBox.hidden;
    tableBox.hidden = !open;
    if (spec.chart !== false) chartBox.hidden = open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = t(open ? "rep.show_chart" : "rep.show_table");
  });
  const exports = spec.exportKind ? ["csv", "xlsx"].map((format) => {
    const b = h("button", { type: "button", class: "secondary", "data-export": `${spec.id}:${format}` },
      format.toUpperCase());
    b.addEventListener("click", () => download(spec, format).catch((e) => {
      if (!(e instanceof ApiError)) throw e;
      notice($(`msg-${spec.id}`), "bad", e.text());
    }));
    return b;
  }) : [];
  if (spec.chart === false) { chartBox.hidden = true; tableBox.hidden = false; toggle.hidden = true; }
  return h("section", { class: `card chart-card ${spec.wide ? "wide" : ""}`, id: `card-${spec.id}`,
                        "aria-labelledby": `title-${spec.id}` },
    h("div", { class: "chart-head" },
      h("h2", { id: `title-${spec.id}` }, t(spec.title)),
      h("span", { class: "spacer" }), toggle, ...exports),
    h("p", { class: "definition muted" }, t(spec.definition)),
    h("div", { id: `msg-${spec.id}` }),
    chartBox, tableBox);
}

function layout() {
  $("charts").replaceChildren(...CHARTS.map(card));
}

function draw(id) {
  const entry = charts.get(id);
  if (!entry || !entry.data) return;
  const { spec } = entry;
  const rows = spec.rows(entry.data);
  $(`table-${id}`).replaceChildren(rows.length ? table(spec, rows)
    : h("p", { class: "empty" }, t("rep.no_data")));
  $(`card-${id}`).dataset.rows = String(rows.length);
  // The API states its own definitions (both languages); the page shows them as sent.
  const stated = Array.isArray(entry.data) ? [] : defs(entry.data);
  $(`card-${id}`).querySelector(".definition").textContent = stated.length
    ? stated.join(" ") : t(spec.definition);
  if (spec.chart === false) return;
  const box = $(`chart-${id}`);
  if (!entry.chart) entry.chart = window.echarts.init(box, null, { renderer: "canvas" });
  entry.chart.clear();
  entry.chart.setOption({ animation: false, ...spec.option(rows, entry.data) }, true);
}

async function loadChart(spec, f) {
  const entry = charts.get(spec.id) || { spec };
  charts.set(spec.id, entry);
  try {
    // A card may look something up first (the latest survey), so fetch may be async.
    const paths = [].concat(await spec.fetch(f, get));
    const replies = await Promise.all(paths.map(get));
    entry.data = replies.length === 1 ? replies[0] : replies;
    $(`msg-${spec.id}`).replaceChildren();
    draw(spec.id);
    return replies.map((a) => a.position).filter((p) => p !== undefined);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    entry.data = null;
    notice($(`msg-${spec.id}`), "bad", e.text(), e.body.code);
    if (!api.session) session.showSignIn();
    return [];
  }
}

async function loadKpis(f) {
  const tiles = await Promise.all(KPIS.map(async (k) => {
    try {
      const value = await k.value(get, f);
      return { k, value };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return { k, value: null, error: e };
    }
  }));
  $("kpis").replaceChildren(...tiles.map(({ k, value, error }) => h("div", {
    class: `kpi${error ? " failed" : ""}`, "data-kpi": k.id },
    h("b", {}, value === null ? "—" : k.format(value)),
    h("span", {}, t(k.title)),
    value && value.note ? h("small", {}, value.note) : null)));
}

async function refresh() {
  lastFilters = filters();
  answers = new Map();
  $("report-msg").replaceChildren();
  const positions = (await Promise.all([loadKpis(lastFilters),
    ...CHARTS.map((spec) => loadChart(spec, lastFilters))])).slice(1).flat();
  if (positions.length) {
    $("position").textContent = t("rep.position", { n: Math.min(...positions).toLocaleString(lang()) });
  }
  document.body.dataset.loaded = "true";
}

async function fillFilters() {
  // Branches, classes and categories from the projections the filters apply to.
  const options = await api.get("/reports/filters").catch(() => null);
  if (!options) return;
  const fill = (id, items) => {
    const select = $(id);
    const all = select.querySelector('option[value=""]');
    select.replaceChildren(all, ...items.map((o) => h("option", { value: o.code },
      o.name ? `${o.code} · ${lang() === "en" ? (o.name_en || o.name) : o.name}` : o.code)));
  };
  fill("f-branch", options.branches || []);
  fill("f-class", options.classes || []);
  fill("f-category", options.categories || []);
}

function relabel() {
  for (const spec of CHARTS) {
    $(`title-${spec.id}`).textContent = t(spec.title);
    const toggle = document.querySelector(`[data-toggle="${spec.id}"]`);
    const open = !$(`table-${spec.id}`).hidden && spec.chart !== false;
    toggle.textContent = t(open ? "rep.show_chart" : "rep.show_table");
    draw(spec.id);
  }
  if (lastFilters) loadKpis(lastFilters);
}

async function start() {
  await fillFilters();
  await refresh();
}

$("filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
window.addEventListener("resize", () => { for (const e of charts.values()) if (e.chart) e.chart.resize(); });

const range = defaultRange();
$("f-from").value = range.from;
$("f-to").value = range.to;
layout();
languageSwitch($("lang"), relabel);
session.start();
