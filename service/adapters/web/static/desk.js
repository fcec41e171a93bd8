// Front desk, keyboard and scanner only: scan a card, lend, return (hold trap, transit, book
// drop), renew, fines, holds, register; overrides for librarians; today's lists. Data: the API.
import "./desk-words.js";
import { Api, ApiError, h, notice, volume } from "./api.js";
import { announce, beep } from "./desk-signal.js";
import { printHoldSlip, printReceipt } from "./desk-print.js";
import { lang, languageSwitch, money, pick, t } from "./i18n.js";

const api = new Api("desk", "desk");
const $ = (id) => document.getElementById(id);
const state = { reader: null, summary: null, loans: [], holds: [], fines: [], notes: {},
                lists: null, acked: false, refused: null };
const OVERRIDERS = new Set(["librarian", "admin"]);

// ---- words, names, money, dates -------------------------------------------------------
function listName(kind, code) {
  const entry = (state.lists?.[kind] || []).find((e) => e.code === code);
  return entry ? pick(entry.name_zh, entry.name_en) : (code || "");
}
const branchName = (code) => listName("branch", code);
const dateText = (iso) => (iso ? new Intl.DateTimeFormat(lang(), { dateStyle: "long" })
  .format(new Date(`${iso.slice(0, 10)}T12:00:00`)) : "");
const today = () => new Date().toLocaleDateString("sv");
const branch = () => $("desk-branch").value || null;

// Notices are kept as functions so a language switch re-renders them in the new language.
function note(id, kind, text, small, big = false) {
  state.notes[id] = () => notice($(id), kind, text(), small ? small() : null, big);
  state.notes[id]();
}

/** The outcome of one scan: its own message (never glued to the last), said and sounded. */
function outcome(id, kind, text, small, big = false) {
  note(id, kind, text, small, big);
  announce([text(), small ? small() : ""].filter(Boolean).join(". "));
  beep(kind !== "bad");
}

function fail(id, error) {
  if (!(error instanceof ApiError)) throw error;
  outcome(id, "bad", () => error.text(), () => error.body.code);
  if (!api.session) showSignIn();
}

function scanField(id) {
  const field = $(id);
  const value = field.value.trim();
  field.value = "";
  return value;
}

// ---- sign in ---------------------------------------------------------------------------
function showSignIn() {
  $("signin-form").hidden = false;
  $("work").hidden = true;
  $("signout").hidden = true;
  $("who").textContent = "";
  $("username").focus();
}

async function showWork() {
  $("signin-form").hidden = true;
  $("work").hidden = false;
  $("signout").hidden = false;
  $("who").textContent = `${api.session.name} · ${api.session.role}`;
  $("card").focus();
  try {
    state.lists = await api.get("/lists");
  } catch (e) { if (!(e instanceof ApiError)) throw e; state.lists = {}; }
  fillChoices();
  render();
  loadLists();
}

function fillChoices() {
  const saved = localStorage.getItem("lector.desk.branch");
  const branches = (state.lists.branch || []).filter((b) => b.active !== false);
  $("desk-branch").replaceChildren(...branches.map((b) => h("option", { value: b.code }, listName("branch", b.code))));
  const main = branches.some((b) => b.code === "main") ? "main" : null;  // the demo's and tests' main library
  $("desk-branch").value = (saved && branches.some((b) => b.code === saved)) ? saved : (main || branches[0]?.code || "");
  const cats = (state.lists.reader_category || []).filter((c) => c.active !== false);
  $("reg-category").replaceChildren(...cats.map((c) => h("option", { value: c.code }, listName("reader_category", c.code))));
}

// ---- the reader ------------------------------------------------------------------------
function warnings() {
  const s = state.summary, r = state.reader, out = [];
  if (s.overdue > 0) out.push(t("warn.overdue", { n: s.overdue }));
  if (s.fines_owed_fen > 0) out.push(t("warn.fines", { m: money(s.fines_owed_fen) }));
  if (r.expires_on) {
    const days = (new Date(r.expires_on) - new Date(today())) / 864e5;
    if (days >= 0 && days <= 30) out.push(t("warn.expiring", { d: dateText(r.expires_on) }));
  }
  return out;
}

function renderReader() {
  const box = $("reader");
  if (!state.reader) {
    box.replaceChildren(h("p", { class: "empty" }, t("desk.no_reader")));
    $("alerts").replaceChildren();
    $("reader-holds").replaceChildren();
    return;
  }
  const r = state.reader, s = state.summary;
  const stat = (key, value, alert) => h("div", { class: `stat${alert ? " alert" : ""}` },
    h("b", {}, value), h("span", {}, t(key)));
  box.replaceChildren(
    h("div", { class: "reader-head" },
      h("p", { class: "reader-name", id: "reader-name" }, r.name || r.card_number),
      h("p", { class: "muted" }, `${r.card_number} · ${listName("reader_category", r.category)}`),
      h("p", { class: "muted", id: "contact" }, [r.phone, r.email].filter(Boolean).join(" · ")),
      h("button", { type: "button", class: "secondary", id: "edit-contact", onclick: editContact },
        t("desk.edit_contact"))),
    h("div", { class: "stats" },
      stat("stat.loans", s.loans), stat("stat.overdue", s.overdue, s.overdue > 0),
      stat("stat.holds", s.holds), stat("stat.fines", money(s.fines_owed_fen), s.fines_owed_fen > 0)),
    s.blocked
      ? h("div", { class: "notice bad", id: "blocks" }, t("stat.blocked"), h("small", {},
          s.block_reasons.map((code) => t(`block.${code}`)).join(" · ")))
      : h("div", { class: "notice ok" }, t("stat.ok")));
  const warn = warnings();
  $("alerts").replaceChildren(...(warn.length && !state.acked ? [h("div", { class: "notice warn", role: "alert" },
    h("ul", {}, warn.map((w) => h("li", {}, w))),
    h("button", { type: "button", id: "ack", onclick: acknowledge }, t("desk.ack")))] : []));
  renderReaderHolds();
}

function renderReaderHolds() {
  const open = state.holds.filter((x) => x.status === "waiting" || x.status === "trapped");
  $("reader-holds").replaceChildren(...(open.length ? [h("h3", {}, t("desk.holds")), h("ul", { class: "holds" },
    open.map((x) => h("li", { class: x.status === "trapped" ? "ready" : "" },
      x.status === "trapped" ? h("span", { class: "badge ok" }, t("desk.ready")) : null, " ",
      `${x.title || x.title_id} `, x.status === "trapped"
        ? `${x.barcode} · ${branchName(x.pickup_branch)} · ${t("desk.until", { d: dateText(x.pickup_by) })}`
        : t("desk.waiting", { n: x.queue_position }), " ",
      h("button", { type: "button", class: "secondary", "data-cancel": x.hold_id,
                    onclick: () => cancelHold(x.hold_id) }, t("desk.cancel_hold")))))] : []));
}

function acknowledge() {
  state.acked = true;
  renderReader();
  announce(t("desk.acked"));
  $("lend").focus();
}

function renderLoans() {
  const box = $("loans");
  if (!state.reader) { box.replaceChildren(h("p", { class: "empty" }, t("desk.no_reader"))); return; }
  if (!state.loans.length) { box.replaceChildren(h("p", { class: "empty" }, t("no_loans")), h("div", { id: "loans-msg" })); return; }
  const rows = state.loans.map((loan) => h("tr", { class: loan.days_overdue > 0 ? "overdue" : "" },
    h("td", {}, loan.title || loan.title_id, volume(loan)),
    h("td", {}, h("code", {}, loan.barcode)),
    h("td", {}, dateText(loan.due_on), " ", loan.days_overdue > 0
      ? h("span", { class: "badge bad" }, t("overdue_days", { n: loan.days_overdue })) : null),
    h("td", {}, loan.renewals_used),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "secondary", "data-barcode": loan.barcode,
                    onclick: () => renew(loan.barcode) }, t("renew")),
      h("button", { type: "button", class: "secondary", "data-lost": loan.barcode,
                    onclick: () => markLost(loan.barcode) }, t("desk.lost")))));
  box.replaceChildren(h("table", {},
    h("thead", {}, h("tr", {}, ["col.title", "col.barcode", "col.due", "col.renewals", ""]
      .map((k) => h("th", {}, k ? t(k) : "")))),
    h("tbody", {}, rows)), h("div", { id: "loans-msg" }));
}

function renderFines() {
  const box = $("fines");
  if (!state.reader) { box.replaceChildren(h("p", { class: "empty" }, t("desk.no_reader"))); return; }
  const open = state.fines.filter((f) => f.owed_fen > 0);
  if (!open.length) { box.replaceChildren(h("p", { class: "empty" }, t("desk.no_fines"))); return; }
  const waiver = OVERRIDERS.has(api.session?.role);
  box.replaceChildren(h("ul", { class: "fines" }, open.map((f) => h("li", {},
    `${money(f.owed_fen)} · ${t(`fine.${f.kind}`)}${f.barcode ? ` · ${f.barcode}` : ""} `,
    waiver ? h("button", { type: "button", class: "secondary", "data-waive": f.fine_id,
                           onclick: () => waive(f) }, t("desk.waive")) : null))));
  $("pay-amount").value = (state.summary.fines_owed_fen / 100).toFixed(2);
}

function render() {
  renderReader();
  renderLoans();
  renderFines();
  renderKeymap();
  if (state.lists) fillChoicesNames();
  Object.values(state.notes).forEach((show) => { try { show(); } catch { /* box gone */ } });
}

function fillChoicesNames() {
  for (const opt of $("desk-branch").options) opt.textContent = listName("branch", opt.value);
  for (const opt of $("reg-category").options) opt.textContent = listName("reader_category", opt.value);
}

async function loadReader(card) {
  const found = await api.get(`/readers?card_number=${encodeURIComponent(card)}`);
  const reader = found.items.find((r) => r.card_number === card) || found.items[0];
  state.acked = false;
  state.refused = null;
  ["lend-msg", "return-msg", "fines-msg", "holds-msg"].forEach((id) => { delete state.notes[id]; $(id).replaceChildren(); });
  if (!reader) {
    state.reader = null;
    render();
    outcome("lend-msg", "bad", () => t("desk.not_found"), () => card);
    $("card").focus();
    return;
  }
  await refresh(reader);
  announce(`${reader.name || ""} ${reader.card_number}. ${warnings().join(". ")}`);
  if ($("ack")) $("ack").focus(); else $("lend").focus();
}

async function refresh(reader = state.reader) {
  const id = encodeURIComponent(reader.reader_id);
  const [summary, loans, holds, fines] = await Promise.all([
    api.get(`/readers/${id}/summary`), api.get(`/readers/${id}/loans`),
    api.get(`/readers/${id}/holds`), api.get(`/readers/${id}/fines`)]);
  Object.assign(state, { reader, summary, loans, holds, fines: fines.fines || fines.items || [] });
  render();
}

function finish() {
  if (!state.reader) { $("card").focus(); return; }
  const n = printReceipt(state.reader, state.loans, dateText, today());
  announce(`${t("desk.finished")} (${n})`);
  Object.assign(state, { reader: null, summary: null, loans: [], holds: [], fines: [], refused: null });
  ["lend-msg", "loans-msg", "fines-msg", "holds-msg"].forEach((id) => delete state.notes[id]);
  $("lend-msg").replaceChildren();
  render();
  $("card").focus();
}

// ---- lending, overrides, returns ------------------------------------------------------
async function lend(barcode, reason = null) {
  const body = { card_number: state.reader.card_number, barcode, branch: branch() };
  if (reason) body.override_reason = reason;
  try {
    const done = await api.post("/checkouts", body);
    state.refused = null;
    const over = done.overridden?.length ? ` ${t("desk.overridden")}` : "";
    outcome("lend-msg", "ok", () => `${t("desk.lent")} ${dateText(done.due_on)}${over}`,
            () => `${done.title || ""} · ${done.barcode}`);
    await refresh();
  } catch (e) { refused(e, "lend-msg", { kind: "lend", barcode }); }
}

function refused(error, id, retry) {
  if (!(error instanceof ApiError)) throw error;
  const soft = error.body.overridable === true;
  state.refused = soft ? { ...retry, text: error.text() } : null;
  const hint = soft ? (OVERRIDERS.has(api.session?.role) ? t("desk.override_offer") : t("desk.override_ask")) : "";
  outcome(id, "bad", () => error.text(), () => [error.body.code, hint].filter(Boolean).join(" · "));
  if (!api.session) showSignIn();
}

function openOverride() {
  if (!state.refused || !OVERRIDERS.has(api.session?.role)) return;
  $("override").hidden = false;
  $("override-what").textContent = t("desk.override_what", { what: state.refused.text });
  $("override-reason").value = "";
  $("override-reason").focus();
}

function closeOverride() {
  $("override").hidden = true;
  $("lend").focus();
}

async function doOverride() {
  const reason = $("override-reason").value.trim();
  const pending = state.refused;
  if (!reason || !pending) return;
  $("override").hidden = true;
  if (pending.kind === "lend") await lend(pending.barcode, reason);
  else await renew(pending.barcode, reason);
  $("lend").focus();
}

async function giveBack(barcode) {
  const body = { barcode, branch: branch() };
  if ($("drop-mode").checked && $("drop-time").value) body.returned_at = new Date($("drop-time").value).toISOString();
  try {
    const done = await api.post("/checkins", body);
    const fine = done.fine_fen ? ` · ${t("desk.fine")} ${money(done.fine_fen)}` : "";
    const kind = done.route === "shelf" ? "ok" : "warn";
    const held = done.hold_id && done.hold_reader_card
      ? ` · ${t("slip.hold")}: ${done.hold_reader_name || ""} (${done.hold_reader_card}), ${branchName(done.pickup_branch)}, ${t("desk.until", { d: dateText(done.pickup_by) })}`
      : "";
    const text = done.route === "transit"
      ? () => t("desk.transit_to", { b: branchName(done.transit_to) })
      : () => pick(done.message_zh, done.message_en);
    outcome("return-msg", kind, text, () => `${done.title || ""} · ${done.barcode}${fine}${held}`, true);
    if (done.hold_id && done.hold_reader_card) printHoldSlip(done, branchName, dateText);
    if (state.reader) await refresh();
    loadLists();
  } catch (e) { fail("return-msg", e); }
}

async function renew(barcode, reason = null) {
  try {
    const body = { barcode };
    if (reason) body.override_reason = reason;
    const done = await api.post("/renewals", body);
    state.refused = null;
    await refresh();
    outcome("loans-msg", "ok", () => `${t("renewed")} ${dateText(done.due_on)}`, () => done.barcode);
  } catch (e) { refused(e, "loans-msg", { kind: "renew", barcode }); }
}

async function renewAll() {
  if (!state.reader) return;
  try {
    const done = await api.post(`/readers/${encodeURIComponent(state.reader.reader_id)}/renewals`);
    await refresh();
    const ok = done.results.filter((r) => r.renewed).length;
    outcome("loans-msg", ok === done.results.length ? "ok" : "warn", () => `${t("desk.renew_all")}: ${ok}/${done.results.length}`,
            () => done.results.filter((r) => !r.renewed).map((r) => `${r.barcode} ${pick(r.message_zh, r.message_en)}`).join(" · "));
  } catch (e) { fail("loans-msg", e); }
}

async function markLost(barcode) {
  if (!window.confirm(t("desk.confirm_lost"))) return;
  try {
    const done = await api.post("/loans/lost", { barcode });
    await refresh();
    outcome("loans-msg", "warn", () => `${t("desk.marked_lost")} ${money(done.charge_fen)}`, () => barcode);
  } catch (e) { fail("loans-msg", e); }
}

// ---- fines, holds, readers ------------------------------------------------------------
function yuanToFen(text) {
  const m = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  return m ? Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0")) : null;
}

async function pay() {
  const fen = yuanToFen($("pay-amount").value);
  if (!state.reader || !fen) { $("pay-amount").focus(); return; }
  try {
    await api.post(`/readers/${encodeURIComponent(state.reader.reader_id)}/payments`,
                   { amount_fen: fen, method: $("pay-method").value });
    await refresh();
    outcome("fines-msg", "ok", () => `${t("desk.paid")} ${money(fen)}`);
  } catch (e) { fail("fines-msg", e); }
  $("lend").focus();
}

async function waive(fine) {
  const reason = window.prompt(t("desk.waive_reason"));
  if (!reason) return;
  try {
    await api.post(`/readers/${encodeURIComponent(state.reader.reader_id)}/fines/${encodeURIComponent(fine.fine_id)}/waive`, { reason });
    await refresh();
    outcome("fines-msg", "ok", () => `${t("desk.waived")} ${money(fine.owed_fen)}`);
  } catch (e) { fail("fines-msg", e); }
}

async function placeHold(barcode) {
  try {
    const copy = await api.get(`/copies/${encodeURIComponent(barcode)}`);
    const done = await api.post("/holds", { card_number: state.reader.card_number, title_id: copy.title_id,
                                            pickup_branch: branch() });
    await refresh();
    outcome("holds-msg", "ok", () => t("desk.held", { n: done.queue_position }), () => copy.title || barcode);
  } catch (e) { fail("holds-msg", e); }
}

async function cancelHold(holdId) {
  try {
    await api.del(`/holds/${encodeURIComponent(holdId)}?reason=desk`);
    await refresh();
    outcome("holds-msg", "ok", () => t("desk.cancelled"));
  } catch (e) { fail("holds-msg", e); }
}

function editContact() {
  const r = state.reader;
  const form = h("form", { class: "row wrap", id: "contact-form" },
    h("div", { class: "field" }, h("label", { for: "edit-phone" }, t("desk.reg_phone")), h("input", { id: "edit-phone", value: r.phone || "" })),
    h("div", { class: "field" }, h("label", { for: "edit-email" }, t("desk.reg_email")), h("input", { id: "edit-email", type: "email", value: r.email || "" })),
    h("button", { type: "submit" }, t("desk.save")));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      await api.call("PATCH", `/readers/${encodeURIComponent(r.reader_id)}`,
                     { phone: $("edit-phone").value.trim() || null, email: $("edit-email").value.trim() || null });
      const fresh = await api.get(`/readers/${encodeURIComponent(r.reader_id)}`);
      await refresh({ ...r, ...fresh });
      outcome("lend-msg", "ok", () => t("desk.saved"));
      $("lend").focus();
    } catch (e) { fail("lend-msg", e); }
  });
  $("contact").replaceChildren(form);
  $("edit-phone").focus();
}

async function register() {
  const body = { card_number: $("reg-card").value.trim(), name: $("reg-name").value.trim(),
                 category: $("reg-category").value, phone: $("reg-phone").value.trim() || null,
                 email: $("reg-email").value.trim() || null };
  try {
    await api.post("/readers", body);
    outcome("register-msg", "ok", () => `${t("desk.registered")} ${body.card_number}`);
    ["reg-card", "reg-name", "reg-phone", "reg-email"].forEach((id) => { $(id).value = ""; });
    $("card").value = body.card_number;
    await loadReader(body.card_number);
  } catch (e) { fail("register-msg", e); }
}

// ---- today's lists ---------------------------------------------------------------------
function table(rows, cells) {
  if (!rows.length) return h("p", { class: "empty" }, t("desk.empty"));
  return h("ul", { class: "plain" }, rows.map((r) => h("li", {}, cells(r))));
}

async function loadLists() {
  const b = branch();
  const q = b ? `?branch=${encodeURIComponent(b)}` : "";
  try {
    const [pull, shelf, transit] = await Promise.all([api.get(`/desk/pull-list${q}`), api.get(`/desk/hold-shelf${q}`),
      api.get(`/transits${b ? `?to_branch=${encodeURIComponent(b)}` : ""}`)]);
    $("pull-list").replaceChildren(table(pull, (p) => `${p.shelf_mark || ""} ${p.title || p.title_id} · ${p.barcode} → ${branchName(p.pickup_branch)}`));
    $("hold-shelf").replaceChildren(table(shelf, (s) => `${s.barcode} ${s.title || ""} · ${s.reader_name || ""} ${s.card_number || ""} · ${dateText(s.pickup_by)}${s.expired ? ` (${t("desk.expired")})` : ""}`));
    $("transits").replaceChildren(table(transit, (x) => `${x.barcode} ${x.title || ""} · ${branchName(x.from_branch)} → ${branchName(x.to_branch)}`));
  } catch (e) { if (!(e instanceof ApiError)) throw e; }
}

// ---- keyboard --------------------------------------------------------------------------
const KEYS = [["F2", "key.f2"], ["F3", "key.f3"], ["F4", "key.f4"], ["F5", "key.f5"], ["F6", "key.f6"],
  ["F7", "key.f7"], ["F8", "key.f8"], ["F9", "key.f9"], ["Alt+H", "key.alt_h"], ["Alt+N", "key.alt_n"],
  ["Alt+E", "key.alt_e"], ["Esc", "key.esc"], ["Enter", "key.enter"], ["Tab", "key.tab"], ["Alt+1…7", "key.alt_n_nav"]];

function renderKeymap() {
  $("keymap").replaceChildren(...KEYS.flatMap(([k, w]) => [h("dt", {}, h("kbd", {}, k)), h("dd", {}, t(w))]));
}

function toggleDrop() {
  $("drop-mode").checked = !$("drop-mode").checked;
  syncDrop();
}

function syncDrop() {
  $("drop-time-field").hidden = !$("drop-mode").checked;
  if ($("drop-mode").checked && !$("drop-time").value) {
    const d = new Date(Date.now() - 12 * 3600e3);  // last night by default
    $("drop-time").value = new Date(d - d.getTimezoneOffset() * 6e4).toISOString().slice(0, 16);
  }
  $("return").focus();
}

const ACTIONS = {
  F2: () => $("card").focus(), F3: () => $("lend").focus(), F4: () => $("return").focus(),
  F5: openOverride, F6: toggleDrop, F7: renewAll, F8: () => $("pay-amount").focus(), F9: loadLists,
};
const ALT = { h: () => $("hold-barcode").focus(), n: () => $("reg-card").focus(), e: () => state.reader && editContact() };

document.addEventListener("keydown", (ev) => {
  if ($("work").hidden) return;
  if (ACTIONS[ev.key] && !ev.altKey && !ev.ctrlKey) { ev.preventDefault(); ACTIONS[ev.key](); return; }
  if (ev.altKey && ALT[ev.key.toLowerCase()]) { ev.preventDefault(); ALT[ev.key.toLowerCase()](); return; }
  if (ev.key === "Escape") {
    ev.preventDefault();
    if (!$("override").hidden) closeOverride(); else finish();
  }
});

// ---- wiring ----------------------------------------------------------------------------
const submit = (id, fn) => $(id).addEventListener("submit", async (ev) => { ev.preventDefault(); await fn(); });

submit("signin-form", async () => {
  try {
    await api.signIn({ username: $("username").value.trim(), password: $("password").value });
    $("password").value = "";
    $("signin-msg").replaceChildren();
    await showWork();
  } catch (e) { fail("signin-msg", e); }
});

$("signout").addEventListener("click", () => {
  api.signOut();
  Object.assign(state, { reader: null, summary: null, loans: [], holds: [], fines: [], notes: {} });
  ["lend-msg", "return-msg"].forEach((id) => $(id).replaceChildren());
  render();
  showSignIn();
});

submit("card-form", async () => {
  const card = scanField("card");
  if (!card) return;
  try { await loadReader(card); } catch (e) { fail("lend-msg", e); $("card").focus(); }
});

submit("lend-form", async () => {
  const barcode = scanField("lend");
  if (!barcode) { finish(); return; }
  if (!state.reader) { outcome("lend-msg", "warn", () => t("desk.no_reader")); $("card").focus(); return; }
  await lend(barcode);
  $("lend").focus();
});

submit("return-form", async () => {
  const barcode = scanField("return");
  if (barcode) await giveBack(barcode);
  $("return").focus();
});

submit("pay-form", pay);
submit("hold-form", async () => {
  const barcode = scanField("hold-barcode");
  if (barcode && state.reader) await placeHold(barcode);
  $("hold-barcode").focus();
});
submit("register-form", register);
$("override-reason").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); doOverride(); } });
$("override-go").addEventListener("click", doOverride);
$("renew-all").addEventListener("click", renewAll);
$("finish").addEventListener("click", finish);
$("lists-refresh").addEventListener("click", loadLists);
$("drop-mode").addEventListener("change", syncDrop);
$("desk-branch").addEventListener("change", () => { localStorage.setItem("lector.desk.branch", branch()); loadLists(); });

languageSwitch($("lang"), render);
renderKeymap();
if (api.session) showWork(); else showSignIn();
