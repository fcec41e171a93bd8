// Campaigns: create one (with a live audience count), launch it, read its uplift report.
import { Api, ApiError, h, notice } from "./api.js";
import { SEGMENTS, addWords, lang, languageSwitch, t } from "./i18n.js";
import { CAMPAIGN_WORDS } from "./campaigns-words.js";
import { staffSession } from "./shell.js";

addWords(CAMPAIGN_WORDS);
const api = new Api("campaigns", "desk");
const $ = (id) => document.getElementById(id);
let shown = null;  // the campaign whose report is open

function audience() {
  const out = {};
  for (const name of ["segment", "category", "branch", "lapse_band"]) {
    const value = $("audience").querySelector(`[name="${name}"]`).value;
    if (value) out[name] = value;
  }
  return out;
}

function when(value) {
  return value ? new Date(value).toLocaleString(lang()) : "—";
}

function pct(value) {
  if (value === null || value === undefined) return "—";
  return `${(value * 100).toLocaleString(lang(), { maximumFractionDigits: 1 })}%`;
}

function num(value) {
  return Number(value).toLocaleString(lang(), { maximumFractionDigits: 2 });
}

function interval(ci, share) {
  if (!ci) return "—";
  const f = share ? pct : num;
  return `${f(ci.difference)} (${f(ci.low)} … ${f(ci.high)})`;
}

async function fillOptions() {
  const seg = $("a-segment");
  seg.replaceChildren(seg.querySelector('option[value=""]'),
    ...SEGMENTS.map((s) => h("option", { value: s }, t(`seg.${s}`))));
  const options = await api.get("/reports/filters").catch(() => null);
  if (!options) return;
  const fill = (id, items) => {
    const select = $(id);
    select.replaceChildren(select.querySelector('option[value=""]'), ...items.map((o) =>
      h("option", { value: o.code }, o.name ? `${o.code} · ${lang() === "en" ? (o.name_en || o.name) : o.name}` : o.code)));
  };
  fill("a-category", options.categories || []);
  fill("a-branch", options.branches || []);
  const surveys = await api.get("/surveys?status=open").catch(() => []);
  $("c-survey").replaceChildren(...surveys.map((s) =>
    h("option", { value: s.survey_id }, lang() === "en" ? s.title_en : s.title_zh)));
}

// A survey invitation names its survey; the other templates name none.
$("c-template").addEventListener("change", () => {
  $("survey-field").hidden = $("c-template").value !== "campaign_survey";
});

async function preview() {
  try {
    const answer = await api.post("/campaigns/preview", audience());
    $("preview-count").textContent = t("camp.preview_n", { n: answer.readers.toLocaleString(lang()) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    $("preview-count").textContent = e.text();
  }
}

async function loadList(position) {
  const answer = await api.get(`/campaigns${position ? `?min_position=${position}` : ""}`);
  if (!answer.items.length) {
    $("list").replaceChildren(h("p", { class: "muted" }, t("camp.none")));
    return;
  }
  const cols = ["camp.col.name", "camp.col.template", "camp.col.status", "camp.col.send_at", "camp.col.groups"];
  $("list").replaceChildren(h("table", { class: "data" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(c))), h("th", {}, ""))),
    h("tbody", {}, answer.items.map((c) => h("tr", { "data-campaign": c.campaign_id },
      h("td", {}, c.name), h("td", {}, t(`camp.t.${c.template}`)),
      h("td", {}, t(`camp.status.${c.status}`)), h("td", {}, when(c.send_at)),
      h("td", {}, c.status === "launched" ? `${c.sent_count} / ${c.holdout_count}` : "—"),
      h("td", {}, c.status === "draft"
        ? h("button", { type: "button", "data-launch": c.campaign_id }, t("camp.launch"))
        : h("button", { type: "button", "data-report": c.campaign_id, "data-name": c.name }, t("camp.report"))))))));
}

async function loadReport(id, name) {
  shown = { id, name };
  const r = await api.get(`/campaigns/${id}/report`);
  $("report-card").hidden = false;
  $("report-title").textContent = t("camp.report_of", { name });
  const blocks = r.windows.map((w) => h("div", {},
    h("h3", {}, t("camp.window", { n: w.days }), w.complete ? "" : ` ${t("camp.window_open")}`),
    h("table", { class: "data", "data-window": String(w.days) },
      h("thead", {}, h("tr", {}, ["camp.col.measure", "camp.col.sent", "camp.col.holdout", "camp.col.diff"]
        .map((c) => h("th", { scope: "col" }, t(c))))),
      h("tbody", {},
        ["borrowed", "visited"].map((m) => h("tr", {}, h("th", { scope: "row" }, t(`camp.m.${m}`)),
          h("td", {}, pct(w[m].sent.share)), h("td", {}, pct(w[m].holdout.share)),
          h("td", {}, interval(w[m].interval, true)))),
        h("tr", {}, h("th", { scope: "row" }, t("camp.m.loans_per_reader")),
          h("td", {}, num(w.loans_per_reader.sent)), h("td", {}, num(w.loans_per_reader.holdout)),
          h("td", {}, interval(w.loans_per_reader.interval, false)))))));
  const csv = h("button", { type: "button", id: "csv" }, t("camp.csv"));
  csv.addEventListener("click", () => downloadCsv(id));
  $("report").replaceChildren(h("p", {}, t("camp.readers_n", { s: r.readers.sent, h: r.readers.holdout })),
    ...blocks, csv);
  document.body.dataset.report = "true";
}

async function downloadCsv(id) {
  const reply = await fetch(`/api/v1/campaigns/${id}/report.csv`,
    { headers: { Authorization: `Bearer ${api.session.token}` } });
  const blob = await reply.blob();
  const link = h("a", { href: URL.createObjectURL(blob), download: `campaign-${id}.csv` });
  link.click();
  URL.revokeObjectURL(link.href);
}

async function start() {
  const soon = new Date(Date.now() + 3600 * 1000);
  soon.setSeconds(0, 0);
  $("c-send").value = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await fillOptions();
  await loadList();
  document.body.dataset.loaded = "true";
}

$("preview").addEventListener("click", preview);
$("create").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { name: $("c-name").value, template: $("c-template").value,
                 message: $("c-message").value, holdout_pct: Number($("c-holdout").value || 10),
                 send_at: new Date($("c-send").value).toISOString(), audience: audience() };
  if (body.template === "campaign_survey") body.survey_id = $("c-survey").value || null;
  try {
    const answer = await api.post("/campaigns", body);
    notice($("create-msg"), "ok", t("camp.created"));
    await loadList(answer.position);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    notice($("create-msg"), "bad", e.text());
  }
});
$("list").addEventListener("click", async (event) => {
  const launch = event.target.closest("[data-launch]");
  const report = event.target.closest("[data-report]");
  try {
    if (launch && window.confirm(t("camp.launch_confirm"))) {
      const answer = await api.post(`/campaigns/${launch.dataset.launch}/launch`, {});
      await loadList(answer.position);
    } else if (report) {
      await loadReport(report.dataset.report, report.dataset.name);
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    notice($("create-msg"), "bad", e.text());
  }
});

languageSwitch($("lang"), () => { if (api.session) { fillOptions(); loadList(); if (shown) loadReport(shown.id, shown.name); } });
staffSession(api, { onWork: start }).start();
