// Activities and surveys (staff): publish, sign-ups, attendance at the door, the report with
// CSV, survey drafts, publishing, closing and results.
import { Api, ApiError, h, notice } from "./api.js";
import { addWords, languageSwitch, lang, pick, t } from "./i18n.js";
import { ACTIVITY_WORDS } from "./activities-words.js";
import { staffSession } from "./shell.js";

addWords(ACTIVITY_WORDS);
const api = new Api("staff", "desk");
const $ = (id) => document.getElementById(id);
const state = { activities: [], current: null, surveys: [] };
const session = staffSession(api, { onWork: () => loadAll() });

function fail(where, error) {
  if (!(error instanceof ApiError)) throw error;
  notice($(where), "bad", error.text(), error.body.code);
  if (!api.session) session.showSignIn();
}


const when = (iso) => new Date(iso).toLocaleString(lang());
const title = (x) => pick(x.title_zh, x.title_en);

function renderActivities() {
  if (!state.activities.length) {
    $("activities").replaceChildren(h("tr", {}, h("td", { colspan: 7 }, t("act.none"))));
    return;
  }
  $("activities").replaceChildren(...state.activities.map((a) => h("tr", {},
    h("td", {}, when(a.starts_at)), h("td", {}, title(a)), h("td", {}, t(`kind.${a.kind}`)),
    h("td", {}, a.branch), h("td", {}, `${a.seated + a.attended} / ${a.capacity}`),
    h("td", {}, a.waiting),
    h("td", {}, h("button", { type: "button", onclick: () => openDoor(a) }, t("act.open"))))));
}

async function openDoor(activity) {
  state.current = activity;
  $("door").hidden = false;
  $("door-title").textContent = `${title(activity)} · ${when(activity.starts_at)}`;
  $("scan-msg").replaceChildren();
  await loadSignUps();
  $("scan").focus();
}

async function loadSignUps() {
  try {
    const rows = await api.get(`/activities/${state.current.activity_id}/sign-ups`);
    $("signups").replaceChildren(...rows.map((r, i) => h("tr", {},
      h("td", {}, i + 1), h("td", {}, r.card_number || r.reader_id), h("td", {}, r.name || ""),
      h("td", {}, t(`status.${r.status}`)))));
  } catch (e) { fail("scan-msg", e); }
}

async function loadReport() {
  try {
    const { items } = await api.get("/activities/report");
    $("report").replaceChildren(...items.map((r) => h("tr", {},
      h("td", {}, title(r)), h("td", {}, r.sign_ups), h("td", {}, r.attended),
      h("td", {}, r.attendance_rate == null ? "—" : `${Math.round(r.attendance_rate * 100)}%`),
      h("td", {}, r.new_readers))));
  } catch (e) { fail("act-msg", e); }
}

async function loadActivities() {
  try {
    state.activities = await api.get("/activities?include_past=true");
    renderActivities();
  } catch (e) { fail("act-msg", e); }
}

function renderSurveys() {
  $("surveys").replaceChildren(...state.surveys.map((s) => h("tr", {},
    h("td", {}, title(s)), h("td", {}, t(`sv.status.${s.status}`)), h("td", {}, s.answers),
    h("td", {},
      s.status === "draft" ? h("button", { type: "button", onclick: () => act(s, "publish") }, t("sv.publish")) : null,
      s.status === "open" ? h("button", { type: "button", onclick: () => act(s, "close") }, t("sv.close")) : null,
      h("button", { type: "button", onclick: () => showResults(s) }, t("sv.results"))))));
}

async function loadSurveys() {
  try {
    state.surveys = await api.get("/surveys");
    renderSurveys();
  } catch (e) { fail("sv-msg", e); }
}

async function act(survey, verb) {
  try {
    await api.post(`/surveys/${survey.survey_id}/${verb}`);
    await loadSurveys();
  } catch (e) { fail("sv-msg", e); }
}

function optionLabel(q, key) {
  const option = (q.options || [])[Number(key)];
  return option ? pick(option.zh, option.en) : key;
}

async function showResults(survey) {
  try {
    const r = await api.get(`/surveys/${survey.survey_id}/results`);
    const rate = r.response_rate == null ? "—" : `${Math.round(r.response_rate * 100)}%`;
    const full = state.surveys.find((s) => s.survey_id === survey.survey_id) || survey;
    const questions = Object.fromEntries((full.questions || []).map((q) => [q.id, q]));
    $("results").replaceChildren(h("h3", {}, title(r.survey)),
      h("p", {}, t("sv.rate", { n: r.responses, m: r.sent_to, r: rate })),
      h("button", { type: "button", onclick: () => download(`/surveys/${survey.survey_id}/results.csv`, `survey-${survey.survey_id}.csv`) }, t("sv.csv")),
      ...r.questions.map((q) => h("div", { class: "result" },
        h("h4", {}, pick(q.text_zh, q.text_en)),
        q.nps != null ? h("p", {}, t("sv.nps", { n: q.nps })) : null,
        q.mean != null ? h("p", {}, t("sv.mean", { n: q.mean })) : null,
        Object.keys(q.distribution || {}).length ? h("ul", {}, ...Object.entries(q.distribution).map(
          ([k, n]) => h("li", {}, `${optionLabel(questions[q.id] || {}, k)}: ${n}`))) : null,
        q.texts && q.texts.length ? h("ul", { "aria-label": t("sv.texts") }, ...q.texts.map(
          (x) => h("li", {}, x.text))) : null)));
  } catch (e) { fail("sv-msg", e); }
}

async function download(path, filename) {
  // The API wants the bearer token, so the file is fetched and handed over as a blob.
  const reply = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${api.session.token}` } });
  const url = URL.createObjectURL(await reply.blob());
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

function parseQuestions(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((line, i) => {
    const [type, zh, en, options] = line.split("|").map((x) => (x || "").trim());
    if (!type || !zh || !en) throw new Error(t("sv.bad_line", { n: i + 1 }));
    const opts = (options || "").split(";").map((o) => o.trim()).filter(Boolean).map((o) => {
      const [ozh, oen] = o.split("/").map((x) => (x || "").trim());
      return { zh: ozh, en: oen || ozh };
    });
    return { id: `q${i + 1}`, type, text_zh: zh, text_en: en, options: opts };
  });
}

function loadAll() {
  loadActivities();
  loadReport();
  loadSurveys();
}

$("scan-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const code = $("scan").value.trim();
  if (!code || !state.current) return;
  try {
    const r = await api.post(`/activities/${state.current.activity_id}/attendance`, { code });
    notice($("scan-msg"), r.already ? "warn" : "ok",
      t(r.already ? "act.already" : "act.marked", { card: r.card_number }));
    $("scan").value = "";
    await loadSignUps();
    loadReport();
  } catch (e) { fail("scan-msg", e); }
  $("scan").focus();
});

$("publish-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const iso = (v) => new Date(v).toISOString();
  try {
    await api.post("/activities", {
      kind: $("a-kind").value, title_zh: $("a-title-zh").value, title_en: $("a-title-en").value,
      description_zh: $("a-desc-zh").value, description_en: $("a-desc-en").value,
      branch: $("a-branch").value.trim(), starts_at: iso($("a-start").value),
      ends_at: iso($("a-end").value), capacity: Number($("a-capacity").value),
      audience_category: $("a-audience").value.trim() || null });
    notice($("publish-msg"), "ok", t("act.published"));
    loadActivities();
  } catch (e) { fail("publish-msg", e); }
});

$("survey-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  let questions;
  try { questions = parseQuestions($("s-questions").value); } catch (e) {
    notice($("survey-msg"), "bad", e.message);
    return;
  }
  try {
    await api.post("/surveys", { title_zh: $("s-title-zh").value, title_en: $("s-title-en").value,
                                 anonymous: $("s-anon").checked, questions });
    notice($("survey-msg"), "ok", t("sv.created"));
    loadSurveys();
  } catch (e) { fail("survey-msg", e); }
});

$("report-csv").addEventListener("click", () => download("/activities/report.csv", "activities-report.csv"));


languageSwitch($("lang"), () => {
  if (!api.session) return;
  renderActivities();
  renderSurveys();
  loadReport();
});
session.start();
