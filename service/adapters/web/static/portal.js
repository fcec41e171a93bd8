// Reader portal: loans, holds, search and reserve, feedback, history (mobile first).
import { Api, ApiError, h, notice, volume } from "./api.js";
import { languageSwitch, t } from "./i18n.js";

const api = new Api("portal", "portal");
const $ = (id) => document.getElementById(id);
const state = { tab: "loans", data: {}, results: null, note: null };
const me = () => encodeURIComponent(api.session.reader_id);

function say(kind, text) {
  state.note = () => notice($("msg"), kind, text());
  state.note();
}

function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  say("bad", () => error.text());
  if (!api.session) showSignIn();
}

const empty = (key) => h("li", { class: "empty" }, t(key));
const item = (cls, body, action) => h("li", { class: `item ${cls}` },
  h("div", { class: "body" }, body), action);

const RENDER = {
  loans: (loans) => loans.length ? loans.map((loan) => item(loan.days_overdue > 0 ? "overdue" : "", [
    h("p", { class: "title" }, loan.title || loan.title_id, volume(loan)),
    h("div", { class: "muted" }, `${t("due")} ${loan.due_on} · ${loan.barcode}`),
    loan.days_overdue > 0
      ? h("span", { class: "badge bad" }, t("overdue_days", { n: loan.days_overdue })) : null,
  ], h("button", { type: "button", class: "secondary", "data-barcode": loan.barcode,
                   onclick: () => act(() => api.post("/renewals", { barcode: loan.barcode }),
                                      (r) => `${t("renewed")} ${r.due_on}`) }, t("renew"))))
    : [empty("no_loans")],
  holds: (holds) => {
    const open = holds.filter((x) => x.status === "waiting" || x.status === "trapped");
    return open.length ? open.map((x) => item("", [
      h("p", { class: "title" }, x.title || x.title_id, volume(x)),
      x.status === "trapped"
        ? h("span", { class: "badge ok" }, t("holds.ready", { d: x.pickup_by, b: t(`branch.${x.pickup_branch}`) }))
        : h("span", { class: "badge" }, t("holds.position", { n: x.queue_position })),
    ], h("button", { type: "button", class: "danger",
                     onclick: () => act(() => api.del(`/holds/${encodeURIComponent(x.hold_id)}`),
                                        () => t("holds.cancelled")) }, t("holds.cancel"))))
      : [empty("holds.none")];
  },
  feedback: (list) => list.length ? list.map((f) => item("", [
    h("div", { class: "muted" }, `${t(`fb.cat.${f.category}`)} · ${f.submitted_at.slice(0, 10)}`,
      f.rating ? ` · ${"★".repeat(f.rating)}` : "", " ",
      h("span", { class: "badge" }, t(`fb.status.${f.status}`))),
    h("p", { class: "feedback-text" }, f.text),
    f.answer ? h("div", { class: "answer" }, h("b", {}, `${t("fb.answer")}: `), f.answer) : null,
  ])) : [empty("fb.none")],
  history: (hist) => {
    if (!hist.keeps_history) return [empty("history.off")];
    return hist.items.length ? hist.items.map((x) => item("", [
      h("p", { class: "title" }, x.title || x.title_id),
      h("div", { class: "muted" }, `${t("history.borrowed")} ${x.borrowed_at.slice(0, 10)}`,
        x.returned_at ? ` · ${t("history.returned")} ${x.returned_at.slice(0, 10)}` : ""),
    ])) : [empty("history.none")];
  },
};

const SOURCE = {
  loans: () => api.get(`/readers/${me()}/loans`),
  holds: () => api.get(`/readers/${me()}/holds`),
  feedback: () => api.get(`/readers/${me()}/feedback`),
  history: () => api.get(`/readers/${me()}/history`),
};

function renderResults() {
  if (state.results === null) { $("results").replaceChildren(); return; }
  const rows = state.results.map((title) => {
    // A multi-volume work: the reader may reserve one volume, or any copy of the title.
    const pick = title.volumes?.length ? h("select", { "data-volumes": title.title_id, "aria-label": t("volume") },
      h("option", { value: "" }, t("search.any_volume")),
      ...title.volumes.map((v) => h("option", { value: v.enumeration },
        `${v.enumeration} · ${t("search.available", { n: v.available })}`))) : null;
    return item("", [
    h("p", { class: "title" }, title.title),
    h("div", { class: "muted" }, (title.authors || []).join(", ")),
    h("span", { class: "badge ok" }, t("search.available", { n: title.availability?.available ?? 0 })),
    " ", title.holds_waiting ? h("span", { class: "badge" }, t("search.waiting", { n: title.holds_waiting })) : null,
    pick ? h("div", {}, pick) : null,
  ], h("button", { type: "button", "data-title": title.title_id,
                   onclick: () => act(() => api.post("/holds", { title_id: title.title_id,
                                                                pickup_branch: $("pickup").value,
                                                                enumeration: pick?.value || null }),
                                      (r) => `${t("search.reserved")} ${t("holds.position", { n: r.queue_position })}`) },
       t("search.reserve")));
  });
  $("results").replaceChildren(...(rows.length ? rows : [empty("search.none")]));
}

function render() {
  document.querySelectorAll("[data-tab]").forEach((b) => {
    b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
    if (b.dataset.tab === state.tab) b.scrollIntoView({ inline: "nearest", block: "nearest" });
  });
  document.querySelectorAll("[data-panel]").forEach((p) => { p.hidden = p.dataset.panel !== state.tab; });
  for (const [name, data] of Object.entries(state.data)) $(name).replaceChildren(...RENDER[name](data));
  renderResults();
  if (state.note) state.note();
}

async function load(tab = state.tab) {
  if (SOURCE[tab]) state.data[tab] = await SOURCE[tab]();
  render();
}

async function act(command, success) {
  try {
    const answer = await command();
    say("ok", () => success(answer));
    await load();
  } catch (e) { fail(e); }
}

function showSignIn() {
  $("signin-form").hidden = false;
  $("work").hidden = true;
  $("signout").hidden = true;
}

async function showWork() {
  $("signin-form").hidden = true;
  $("work").hidden = false;
  $("signout").hidden = false;
  try { await load("loans"); } catch (e) { fail(e); }
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api.signIn({ card_number: $("card").value.trim(), pin: $("pin").value });
    $("pin").value = "";
    $("signin-msg").replaceChildren();
    await showWork();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    notice($("signin-msg"), "bad", e.text());
  }
});

$("signout").addEventListener("click", () => {
  api.signOut();
  Object.assign(state, { tab: "loans", data: {}, results: null, note: null });
  $("msg").replaceChildren();
  showSignIn();
});

document.querySelectorAll("[data-tab]").forEach((button) => button.addEventListener("click", async () => {
  state.tab = button.dataset.tab;
  state.note = null;
  $("msg").replaceChildren();
  try { await load(); } catch (e) { fail(e); }
}));

$("search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const found = await api.get(`/titles?q=${encodeURIComponent($("q").value.trim())}`);
    state.results = found.items;
    render();
  } catch (e) { fail(e); }
});

$("feedback-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const rating = document.querySelector("#fb-rating input:checked");
  await act(() => api.post("/feedback", { category: $("fb-category").value, text: $("fb-text").value,
                                          rating: rating ? Number(rating.value) : null }),
            () => t("fb.sent"));
  if (state.note && $("msg").querySelector(".ok")) {
    $("fb-text").value = "";
    if (rating) rating.checked = false;
  }
});

languageSwitch($("lang"), render);
if (api.session) showWork(); else showSignIn();
