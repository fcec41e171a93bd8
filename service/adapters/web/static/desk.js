// Front desk: sign in, scan a card, lend, return, renew. All data comes from the JSON API.
import { Api, ApiError, h, notice, volume } from "./api.js";
import { languageSwitch, money, pick, t } from "./i18n.js";

const api = new Api("desk", "desk");
const $ = (id) => document.getElementById(id);
const state = { reader: null, summary: null, loans: [], notes: {} };

// Notices are kept as functions so a language switch re-renders them in the new language.
function note(id, kind, text, small, big = false) {
  state.notes[id] = () => notice($(id), kind, text(), small ? small() : null, big);
  state.notes[id]();
}

function fail(id, error) {
  if (!(error instanceof ApiError)) throw error;
  note(id, "bad", () => error.text(), () => error.body.code);
  if (!api.session) showSignIn();
}

function showSignIn() {
  $("signin-form").hidden = false;
  $("work").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("username").focus();
}

function showWork() {
  $("signin-form").hidden = true;
  $("work").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = `${api.session.name} · ${api.session.role}`;
  $("card").focus();
}

function renderReader() {
  const box = $("reader");
  if (!state.reader) { box.replaceChildren(h("p", { class: "empty" }, t("desk.no_reader"))); return; }
  const r = state.reader, s = state.summary;
  const stat = (key, value, alert) => h("div", { class: `stat${alert ? " alert" : ""}` },
    h("b", {}, value), h("span", {}, t(key)));
  const status = s.blocked
    ? h("div", { class: "notice bad" }, t("stat.blocked"), h("small", {},
        s.block_reasons.map((code) => t(`block.${code}`)).join(" · ")))
    : h("div", { class: "notice ok" }, t("stat.ok"));
  box.replaceChildren(
    h("div", { class: "reader-head" },
      h("p", { class: "reader-name", id: "reader-name" }, r.name || r.card_number),
      h("p", { class: "muted" }, `${r.card_number} · ${r.category}`)),
    h("div", { class: "stats" },
      stat("stat.loans", s.loans), stat("stat.overdue", s.overdue, s.overdue > 0),
      stat("stat.holds", s.holds), stat("stat.fines", money(s.fines_owed_fen), s.fines_owed_fen > 0)),
    status);
}

function renderLoans() {
  const box = $("loans");
  if (!state.reader) { box.replaceChildren(h("p", { class: "empty" }, t("desk.no_reader"))); return; }
  if (!state.loans.length) { box.replaceChildren(h("p", { class: "empty" }, t("no_loans"))); return; }
  const rows = state.loans.map((loan) => h("tr", { class: loan.days_overdue > 0 ? "overdue" : "" },
    h("td", {}, loan.title || loan.title_id, volume(loan)),
    h("td", {}, h("code", {}, loan.barcode)),
    h("td", {}, loan.due_on, " ", loan.days_overdue > 0
      ? h("span", { class: "badge bad" }, t("overdue_days", { n: loan.days_overdue })) : null),
    h("td", {}, loan.renewals_used),
    h("td", {}, h("button", { type: "button", class: "secondary", "data-barcode": loan.barcode,
                              onclick: () => renew(loan.barcode) }, t("renew")))));
  box.replaceChildren(h("table", {},
    h("thead", {}, h("tr", {}, ["col.title", "col.barcode", "col.due", "col.renewals", ""]
      .map((k) => h("th", {}, k ? t(k) : "")))),
    h("tbody", {}, rows)), h("div", { id: "loans-msg" }));
}

function render() {
  renderReader();
  renderLoans();
  Object.values(state.notes).forEach((show) => { try { show(); } catch { /* box gone */ } });
}

async function loadReader(card) {
  const found = await api.get(`/readers?card_number=${encodeURIComponent(card)}`);
  const reader = found.items.find((r) => r.card_number === card) || found.items[0];
  if (!reader) {
    state.reader = null;
    render();
    note("lend-msg", "bad", () => t("desk.not_found"));
    return;
  }
  await refresh(reader);
}

async function refresh(reader = state.reader) {
  const id = encodeURIComponent(reader.reader_id);
  const [summary, loans] = await Promise.all([api.get(`/readers/${id}/summary`),
                                              api.get(`/readers/${id}/loans`)]);
  Object.assign(state, { reader, summary, loans });
  render();
}

async function renew(barcode) {
  try {
    const done = await api.post("/renewals", { barcode });
    await refresh();
    note("loans-msg", "ok", () => `${t("renewed")} ${done.due_on}`);
  } catch (e) { fail("loans-msg", e); }
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await api.signIn({ username: $("username").value.trim(), password: $("password").value });
    $("password").value = "";
    $("signin-msg").replaceChildren();
    showWork();
  } catch (e) { fail("signin-msg", e); }
});

$("signout").addEventListener("click", () => {
  api.signOut();
  Object.assign(state, { reader: null, summary: null, loans: [], notes: {} });
  ["lend-msg", "return-msg"].forEach((id) => $(id).replaceChildren());
  render();
  showSignIn();
});

$("card-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    await loadReader($("card").value.trim());
    $("lend").focus();
  } catch (e) { fail("lend-msg", e); }
});

$("lend-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (!state.reader) { note("lend-msg", "warn", () => t("desk.no_reader")); return; }
  const barcode = $("lend").value.trim();
  try {
    const done = await api.post("/checkouts", { card_number: state.reader.card_number, barcode });
    $("lend").value = "";
    note("lend-msg", "ok", () => `${t("desk.lent")} ${done.due_on}`,
         () => `${done.title || ""} · ${done.barcode}`);
    await refresh();
  } catch (e) { fail("lend-msg", e); }
  $("lend").focus();
});

$("return-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const barcode = $("return").value.trim();
  try {
    const done = await api.post("/checkins", { barcode });
    $("return").value = "";
    const fine = done.fine_fen ? ` · ${t("desk.fine")} ${money(done.fine_fen)}` : "";
    note("return-msg", done.route === "hold_shelf" ? "warn" : "ok",
         () => pick(done.message_zh, done.message_en),
         () => `${done.title || ""} · ${done.barcode}${fine}`, true);
    if (state.reader) await refresh();
  } catch (e) { fail("return-msg", e); }
  $("return").focus();
});

languageSwitch($("lang"), render);
if (api.session) showWork(); else showSignIn();
