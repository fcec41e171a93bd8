// The teacher's page: sign in (role teacher; librarians and admins see every class), pick a
// class, see each pupil's progress on the reading list, and reserve the list for a visit.
import { Api, ApiError, h, notice } from "./api.js";
import { languageSwitch, lang, t } from "./i18n.js";
import "./classes-words.js";
import { staffSession } from "./shell.js";

const api = new Api("classes", "api");
const $ = (id) => document.getElementById(id);
const STAFF = ["teacher", "librarian", "admin"];
const state = { classes: [], current: null };
const esc = encodeURIComponent;
const session = staffSession(api, {
  onWork: () => showClasses(),
  onSignOut: () => $("msg").replaceChildren(),
  accept: (s) => (STAFF.includes(s.role) ? null : t("cls.not_teacher")),
});

function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  notice($("msg"), "bad", error.text());
  if (!api.session) session.showSignIn();
}

async function showClasses() {
  try {
    state.classes = await api.get("/classes");
    $("class-pick").replaceChildren(...state.classes.map((c) =>
      h("option", { value: c.class_id }, `${c.school} ${c.name}`)));
    if (!state.classes.length) { $("class-about").textContent = t("cls.none"); return; }
    state.current = state.current || state.classes[0].class_id;
    $("class-pick").value = state.current;
    await showClass();
  } catch (e) { fail(e); }
}

async function showClass() {
  const id = esc(state.current);
  const [detail, progress] = await Promise.all([api.get(`/classes/${id}`), api.get(`/classes/${id}/progress`)]);
  $("class-about").textContent = t("cls.about", { s: detail.school, n: detail.pupils.length,
                                                  l: detail.list_name || "—" });
  const head = h("tr", {}, h("th", { scope: "col" }, t("cls.pupil")),
    ...progress.titles.map((x) => h("th", { scope: "col" }, x.title || x.title_id)),
    h("th", { scope: "col" }, t("cls.totals")));
  const rows = progress.pupils.map((p) => h("tr", { "data-pupil": p.card_number || p.reader_id },
    h("th", { scope: "row" }, p.name || p.card_number),
    ...p.titles.map((c) => h("td", { class: c.status, "data-status": c.status }, t(`cls.st.${c.status}`))),
    h("td", {}, `${p.borrowed} / ${p.returned}`)));
  $("progress").replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));
  document.body.dataset.ready = "progress";
}

$("class-pick").addEventListener("change", () => {
  state.current = $("class-pick").value;
  showClass().catch(fail);
});
$("reserve-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const answer = await api.post(`/classes/${esc(state.current)}/reservations`,
                                  { pickup_branch: $("reserve-branch").value });
    const titles = new Map((await api.get(`/classes/${esc(state.current)}`)).titles.map((x) => [x.title_id, x.title]));
    const refused = answer.results.filter((r) => !r.placed);
    $("reserve-results").replaceChildren(...answer.results.map((r) => h("li", { class: "item" },
      h("div", { class: "body" }, h("p", { class: "title" }, titles.get(r.title_id) || r.title_id),
        h("span", { class: r.placed ? "badge ok" : "badge bad" },
          r.placed ? t("cls.placed") : (lang() === "en" ? r.message_en : r.message_zh))))));
    notice($("msg"), refused.length ? "warn" : "ok",
           t("cls.reserved", { ok: answer.results.length - refused.length, no: refused.length }));
  } catch (e) { fail(e); }
});

languageSwitch($("lang"), () => { if (api.session) showClasses(); });
session.start();
