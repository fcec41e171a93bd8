// Reader 360 (staff): one reader's contact, circulation, activity, segment, lapse risk, timeline.
import { Api, ApiError, h, notice } from "./api.js";
import { languageSwitch, money, t } from "./i18n.js";
import { staffSession } from "./shell.js";

const api = new Api("staff", "desk");
const $ = (id) => document.getElementById(id);
const readerId = document.body.dataset.readerId;
let view = null;
// #work is shown once the profile has loaded (load()), not at sign-in.
const session = staffSession(api, { onWork: () => load(), onSignOut: () => { view = null; },
                                    reveal: false });

function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  notice($("profile-msg"), "bad", error.text(), error.body.code);
  if (!api.session) session.showSignIn();
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(document.documentElement.lang || "zh-CN") : "—";
}

function day(iso) {
  return iso ? new Date(`${iso}T00:00:00`).toLocaleDateString(document.documentElement.lang || "zh-CN") : "—";
}

function pairs(rows) {
  return h("dl", {}, ...rows.flatMap(([k, v]) => [h("dt", {}, t(k)), h("dd", {}, String(v ?? "—"))]));
}

function list(items, line) {
  return items.length ? h("ul", {}, ...items.map((x) => h("li", {}, line(x)))) : h("p", { class: "empty" }, t("r360.none"));
}

function render() {
  if (!view) return;
  const r = view.reader;
  $("contact").replaceChildren(h("h2", {}, `${r.name || "—"} · ${r.card_number}`), pairs([
    ["r360.category", r.category], ["r360.phone", r.phone], ["r360.email", r.email],
    ["r360.language", r.language], ["r360.channels", (r.notice_channels || []).join(", ")],
    ["r360.keep_history", t(r.keep_history ? "r360.yes" : "r360.no")],
    ["r360.expires", day(r.expires_on)], ["r360.block", r.manual_block || t("r360.no")],
  ]));
  const now = view.now;
  $("now").replaceChildren(h("h2", {}, t("r360.now")), pairs([
    ["r360.loans", now.loans.length], ["r360.overdue", now.overdue],
    ["r360.holds", now.holds.length], ["r360.fines", money(now.fines_owed_fen)],
  ]), list(now.loans, (x) => `${x.title || x.title_id} · ${x.barcode} · ${t("r360.due")} ${day(x.due_on)}`));
  const a = view.activity;
  $("activity").replaceChildren(h("h2", {}, t("r360.activity")), pairs([
    ["r360.lifetime", a.lifetime_loans], ["r360.year", a.loans_12_months],
    ["r360.last", when(a.last_activity_at)],
  ]), h("h3", {}, t("r360.favourites")), a.profiled_from_titles
    ? list(a.favourite_classes, (c) => `${c.clc_class} · ${c.loans}`)
    : h("p", { class: "muted" }, t("r360.private")));
  const s = view.segment;
  $("segment").replaceChildren(h("h2", {}, t("r360.segment")), s
    ? h("p", { class: "big" }, `${t(`seg.${s.segment}`)} (R${s.r_score} F${s.f_score} V${s.v_score}) · ${day(s.as_of)}`)
    : h("p", { class: "empty" }, t("r360.no_segment")),
  list(view.segment_history.slice(-12).reverse(), (x) => `${day(x.as_of)} · ${t(`seg.${x.segment}`)}`));
  const k = view.lapse_risk;
  $("risk").replaceChildren(h("h2", {}, t("r360.risk")), !k || !k.active
    ? h("p", { class: "muted" }, t("r360.inactive"))
    : h("div", {}, h("p", { class: "big" }, `${Math.round(k.probability * 100)}%`),
      h("p", { class: "muted" }, t("r360.risk_about", { days: k.horizon_days, served: t(`r360.served_${k.served}`) })),
      list(k.reasons, (x) => (document.documentElement.lang === "en" ? x.message_en : x.message_zh))));
  $("voice").replaceChildren(h("h2", {}, t("r360.voice")),
    list(view.feedback, (f) => `${when(f.submitted_at)} · ${f.category} · ${f.status}`),
    list(view.suggestions, (x) => `${when(x.submitted_at)} · ${x.title} · ${x.status}`));
  $("notices").replaceChildren(h("h2", {}, t("r360.notices", { n: view.notices.total })),
    list(view.notices.items, (n) => `${when(n.sent_at || n.created_at)} · ${n.kind} · ${n.status}`));
  $("timeline").replaceChildren(h("h2", {}, t("r360.timeline", { n: view.timeline.total })),
    list(view.timeline.items, (e) => `${when(e.occurred_at)} · ${e.type}${e.channel ? ` · ${e.channel}` : ""}`),
    h("p", { class: "muted" }, t("r360.position", { n: view.position })));
}

async function load() {
  try {
    view = await api.get(`/readers/${encodeURIComponent(readerId)}/profile`);
    $("profile-msg").replaceChildren();
    $("work").hidden = false;
    render();
  } catch (e) { fail(e); }
}

languageSwitch($("lang"), render);
session.start();
