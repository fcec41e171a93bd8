// Administration pages: every piece of data through the JSON API, texts from the server's
// catalogue (the JSON block "texts"), the page language from <html lang>.
const LANG = document.documentElement.lang || "zh-CN";
const TEXTS = JSON.parse(document.getElementById("texts").textContent);
const SECTION = document.body.dataset.section;
const $ = (id) => document.getElementById(id);
const KEY = "lector.staff"; // shared with the mailbox page: one sign-in for the staff pages

function t(key, values = {}) {
  return (TEXTS[key] || key).replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ""));
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

class ApiError extends Error {
  constructor(status, body) { super(body.code || String(status)); this.status = status; this.body = body; }
  text() {
    const b = this.body;
    let text = b.title || t("error");
    if (b.errors) text += ` (${Object.entries(b.errors).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ")})`;
    return b.code ? `${text} [${b.code}]` : text;
  }
}

const session = {
  get() { return JSON.parse(sessionStorage.getItem(KEY) || "null"); },
  set(v) { if (v) sessionStorage.setItem(KEY, JSON.stringify(v)); else sessionStorage.removeItem(KEY); },
};

async function call(method, path, body, authed = true) {
  const headers = { "Accept-Language": LANG, "X-Lector-Channel": "desk" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const s = session.get();
  if (authed && s) headers.Authorization = `Bearer ${s.token}`;
  if (method !== "GET") headers["Idempotency-Key"] = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
  let reply;
  try {
    reply = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch { throw new ApiError(0, { code: "network", title: t("network") }); }
  const data = await reply.json().catch(() => ({}));
  if (!reply.ok) {
    if (reply.status === 401 && authed) { session.set(null); data.title = t("session"); showSignIn(); }
    throw new ApiError(reply.status, data);
  }
  return data;
}
const get = (p) => call("GET", p);
const post = (p, b = {}) => call("POST", p, b);
const put = (p, b) => call("PUT", p, b);

function say(kind, text) {
  $("page-msg").replaceChildren(h("div", { class: `notice ${kind}`, role: kind === "bad" ? "alert" : "status" }, text));
}
function fail(e) { if (!(e instanceof ApiError)) throw e; say("bad", e.text()); }
async function run(action, okText) {
  try { await action(); if (okText) say("ok", okText); } catch (e) { fail(e); }
}
const isAdmin = () => (session.get() || {}).role === "admin";
const name = (e) => (LANG === "en" ? e.name_en : e.name_zh);

function showSignIn() {
  $("signin-form").hidden = false; $("work").hidden = true; $("signout").hidden = true; $("who").textContent = "";
  $("username").focus();
}
function showWork() {
  const s = session.get();
  $("signin-form").hidden = true; $("work").hidden = false; $("signout").hidden = false;
  $("who").textContent = t("signed_in_as", { name: s.name, role: s.role });
  document.body.classList.toggle("readonly", s.role !== "admin");
  if (s.role !== "admin") say("warn", t("read_only"));
  (PAGES[SECTION] || (() => {}))();
}

$("signin-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const username = $("username").value.trim();
    const a = await call("POST", "/auth/token", { username, password: $("password").value }, false);
    session.set({ token: a.token, role: a.role, name: username });
    $("password").value = ""; $("signin-msg").replaceChildren();
    showWork();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    $("signin-msg").replaceChildren(h("div", { class: "notice bad" }, e.text()));
  }
});
$("signout").addEventListener("click", () => { post("/auth/logout").catch(() => {}); session.set(null); showSignIn(); });

let LISTS = null;
async function lists() { LISTS = await get("/lists"); return LISTS; }
function options(select, entries, any) {
  select.replaceChildren(...(any ? [h("option", { value: "" }, t("any"))] : []),
    ...entries.map((e) => h("option", { value: e.code }, `${name(e)} (${e.code})`)));
}

// ---- managed lists
async function listsPage() {
  const data = await lists().catch(fail);
  if (!data) return;
  const all = await get("/lists?include_retired=true");
  for (const kind of Object.keys(all)) {
    $(`list-${kind}`).replaceChildren(...all[kind].map((e) => h("tr", {},
      h("td", {}, h("code", {}, e.code)), h("td", { lang: "zh-CN" }, e.name_zh), h("td", { lang: "en" }, e.name_en),
      h("td", {}, e.clc_prefixes.join(" ")), h("td", {}, e.retired ? t("inactive") : t("active")),
      h("td", { class: "admin-write" },
        h("button", { type: "button", "aria-label": `${t("edit")} ${e.code}`, onclick: () => editEntry(e) }, t("edit")), " ",
        e.retired ? null : h("button", { type: "button", "aria-label": `${t("retire")} ${e.code}`, onclick: () => retire(e) }, t("retire"))))));
  }
}
function editEntry(e) {
  $("entry-kind").value = e.kind; $("entry-code").value = e.code; $("entry-zh").value = e.name_zh;
  $("entry-en").value = e.name_en; $("entry-clc").value = e.clc_prefixes.join(" "); $("entry-zh").focus();
}
async function retire(e) {
  if (!window.confirm(t("confirm_retire"))) return;
  await run(() => post(`/lists/${e.kind}/${encodeURIComponent(e.code)}/retire`), t("retired"));
  listsPage();
}
if ($("entry-form")) $("entry-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const clc = $("entry-clc").value.split(/\s+/).filter(Boolean);
  await run(() => put(`/lists/${$("entry-kind").value}/${encodeURIComponent($("entry-code").value.trim())}`,
    { name_zh: $("entry-zh").value, name_en: $("entry-en").value, clc_prefixes: clc }), t("saved"));
  listsPage();
});

// ---- policy matrix
const KEYS = [["reader_category", "reader_category"], ["item_type", "item_type"], ["branch", "branch"]];
const NUMBERS = ["loan_days", "renewals_allowed", "renewal_days", "loan_limit", "hold_limit",
  "daily_fine_fen", "fine_cap_fen", "grace_days", "pickup_days"];
function ruleRow(rule, i) {
  const admin = isAdmin();
  return h("tr", { "data-index": i }, h("th", { scope: "row" }, String(i)),
    ...KEYS.map(([field, kind]) => {
      const s = h("select", { "aria-label": `${field} #${i}`, "data-field": field, disabled: !admin });
      options(s, LISTS[kind], true); s.value = rule[field] || ""; return h("td", {}, s);
    }),
    ...NUMBERS.map((field) => h("td", {}, h("input", { type: "number", min: "0", "data-field": field,
      "aria-label": `${field} #${i}`, value: String(rule[field] ?? 0), disabled: !admin }))),
    h("td", { class: "admin-write" }, h("button", { type: "button", "aria-label": `${t("remove")} #${i}`,
      onclick: (ev) => { ev.target.closest("tr").remove(); } }, t("remove"))));
}
function readRules() {
  return [...$("rules").querySelectorAll("tr")].map((tr) => {
    const rule = {};
    for (const el of tr.querySelectorAll("[data-field]")) {
      rule[el.dataset.field] = el.tagName === "SELECT" ? (el.value || null) : Number(el.value);
    }
    return rule;
  });
}
async function policyPage() {
  try {
    await lists();
    options($("r-category"), LISTS.reader_category, true); options($("r-item-type"), LISTS.item_type, true);
    options($("r-branch"), LISTS.branch, true);
    const { matrix } = await get("/policy");
    $("block-fine").value = matrix.block_fine_threshold_fen; $("block-overdue").value = matrix.block_overdue_days;
    $("renew-overdue").checked = Boolean(matrix.renew_overdue);
    $("rules").replaceChildren(...matrix.rules.map(ruleRow));
    await history();
  } catch (e) { fail(e); }
}
async function history() {
  const versions = await get("/policy/history").catch(() => []);
  $("history").replaceChildren(...versions.map((v) => h("li", {},
    `${t("version", { n: v.version })} · ${new Date(v.recorded_at).toLocaleString(LANG)} · `
    + `${t("by", { actor: v.actor || "?" })} · ${t("rules_count", { n: v.matrix.rules.length })}`)));
}
if ($("add-rule")) $("add-rule").addEventListener("click", () => {
  const n = $("rules").children.length;
  $("rules").append(ruleRow({ loan_days: 30, renewals_allowed: 1, renewal_days: 30, loan_limit: 10, hold_limit: 5,
    daily_fine_fen: 10, fine_cap_fen: 2000, grace_days: 0, pickup_days: 7 }, n));
  $("rules").lastElementChild.querySelector("select").focus();
});
if ($("policy-form")) $("policy-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await run(() => put("/policy", { rules: readRules(), block_fine_threshold_fen: Number($("block-fine").value),
    block_overdue_days: Number($("block-overdue").value), renew_overdue: $("renew-overdue").checked }), t("saved"));
  history();
});
if ($("resolve-form")) $("resolve-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams();
  for (const [id, key] of [["r-category", "reader_category"], ["r-item-type", "item_type"], ["r-branch", "branch"]]) {
    if ($(id).value) q.set(key, $(id).value);
  }
  try {
    const found = await get(`/policy/resolve?${q}`);
    for (const tr of $("rules").children) tr.classList.toggle("applies", Number(tr.dataset.index) === found.index);
    const r = found.rule;
    // The column headings name the numbers in the page's language (first 4: #, the keys).
    const heads = [...document.querySelectorAll("#rules-table thead th")].slice(4).map((th) => th.textContent);
    $("resolved").textContent = `${t("applies", { n: found.index })} ${NUMBERS.map((f, i) => `${heads[i]}: ${r[f]}`).join(" · ")}`;
  } catch (e) { fail(e); }
});

// ---- calendars
const cal = { branch: null, weekdays: new Set(), dates: new Set() };
async function calendarsPage() {
  try {
    await lists();
    options($("cal-branch"), LISTS.branch, false);
    if (!$("cal-month").value) $("cal-month").value = new Date().toISOString().slice(0, 7);
    await loadCalendar();
  } catch (e) { fail(e); }
}
async function loadCalendar() {
  cal.branch = $("cal-branch").value;
  const c = await get(`/calendars/${encodeURIComponent(cal.branch)}`);
  cal.weekdays = new Set(c.closed_weekdays); cal.dates = new Set(c.closed_dates);
  for (const box of document.querySelectorAll("input[name=weekday]")) {
    box.checked = cal.weekdays.has(Number(box.value)); box.disabled = !isAdmin();
  }
  drawCalendar();
}
function iso(y, m, d) { return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`; }
function drawCalendar() {
  const [y, m] = $("cal-month").value.split("-").map(Number);
  const first = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7; // Monday = 0
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  $("month-caption").textContent = new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(LANG, { year: "numeric", month: "long", timeZone: "UTC" });
  const rows = []; let row = [];
  for (let i = 0; i < first; i++) row.push(h("td", {}));
  for (let d = 1; d <= days; d++) {
    const date = iso(y, m, d); const wd = (first + d - 1) % 7;
    const closed = cal.weekdays.has(wd) || cal.dates.has(date);
    row.push(h("td", {}, h("button", { type: "button", class: closed ? "closed" : "", "data-date": date,
      "aria-pressed": closed ? "true" : "false", "aria-label": `${d} (${date}) ${closed ? t("closed") : t("open")}`,  // visible text first
      disabled: !isAdmin() || cal.weekdays.has(wd), onclick: () => toggleDate(date) }, String(d))));
    if (row.length === 7) { rows.push(h("tr", {}, row)); row = []; }
  }
  if (row.length) rows.push(h("tr", {}, row));
  $("month-days").replaceChildren(...rows);
  $("closed-dates").replaceChildren(...[...cal.dates].sort().map((d) => h("li", {}, d, " ",
    h("button", { type: "button", class: "admin-write", "aria-label": `${t("remove")} ${d}`, onclick: () => toggleDate(d) }, t("remove")))));
}
function toggleDate(date) {
  if (cal.dates.has(date)) cal.dates.delete(date); else cal.dates.add(date);
  drawCalendar();
  const again = document.querySelector(`button[data-date="${date}"]`); if (again) again.focus();
}
if ($("calendar-form")) {
  $("cal-branch").addEventListener("change", () => loadCalendar().catch(fail));
  $("cal-month").addEventListener("change", drawCalendar);
  for (const box of document.querySelectorAll("input[name=weekday]")) box.addEventListener("change", () => {
    if (box.checked) cal.weekdays.add(Number(box.value)); else cal.weekdays.delete(Number(box.value));
    drawCalendar();
  });
  $("add-date").addEventListener("click", () => { if ($("closed-date").value) { cal.dates.add($("closed-date").value); drawCalendar(); } });
  $("calendar-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await run(() => put(`/calendars/${encodeURIComponent(cal.branch)}`,
      { closed_weekdays: [...cal.weekdays].sort(), closed_dates: [...cal.dates].sort() }), t("saved"));
  });
}

// ---- staff accounts
async function staffPage() {
  try {
    const rows = await get("/staff");
    $("staff-rows").replaceChildren(...rows.map((s) => {
      const role = h("select", { "aria-label": `${t("change_role")} ${s.username}` },
        ...["desk", "librarian", "admin", "teacher"].map((r) => h("option", { value: r, selected: r === s.role }, r)));
      role.addEventListener("change", () => run(() => post(`/staff/${encodeURIComponent(s.username)}/role`, { role: role.value }), t("saved")).then(staffPage));
      const pw = h("input", { type: "password", autocomplete: "new-password", "aria-label": `${t("new_password")} ${s.username}` });
      return h("tr", {}, h("td", {}, s.username), h("td", {}, s.display_name), h("td", {}, role),
        h("td", {}, s.active ? t("active") : t("inactive")),
        h("td", {}, h("button", { type: "button", onclick: () => run(() => post(`/staff/${encodeURIComponent(s.username)}/${s.active ? "deactivate" : "reactivate"}`), t("saved")).then(staffPage) },
          s.active ? t("deactivate") : t("reactivate")), " ", pw, " ",
        h("button", { type: "button", onclick: () => run(() => post(`/staff/${encodeURIComponent(s.username)}/password`, { password: pw.value }), t("saved")) }, t("reset_password"))));
    }));
  } catch (e) { fail(e); }
}
if ($("staff-form")) $("staff-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const body = { username: $("s-username").value.trim(), password: $("s-password").value, role: $("s-role").value };
  if ($("s-name").value.trim()) body.display_name = $("s-name").value.trim();
  await run(() => post("/staff", body), t("saved"));
  $("s-password").value = ""; staffPage();
});

// ---- kiosks
async function kiosksPage() {
  try {
    await lists(); options($("k-location"), LISTS.branch, false);
    const rows = await get("/kiosks");
    $("kiosk-rows").replaceChildren(...rows.map((k) => h("tr", {}, h("td", {}, k.kiosk_id), h("td", {}, k.login_user),
      h("td", {}, k.location), h("td", {}, k.language), h("td", {}, k.active ? t("active") : t("inactive")),
      h("td", {}, k.active ? h("button", { type: "button", "aria-label": `${t("deactivate")} ${k.kiosk_id}`,
        onclick: () => run(() => post(`/kiosks/${encodeURIComponent(k.kiosk_id)}/deactivate`), t("saved")).then(kiosksPage) }, t("deactivate")) : null))));
  } catch (e) { fail(e); }
}
if ($("kiosk-form")) $("kiosk-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  await run(() => post("/kiosks", { kiosk_id: $("k-id").value.trim(), login_user: $("k-user").value.trim(),
    password: $("k-password").value, institution_id: $("k-institution").value.trim(),
    location: $("k-location").value, language: $("k-language").value }), t("saved"));
  $("k-password").value = ""; kiosksPage();
});

// ---- notice templates with live preview in both languages
const LANGS = ["zh-CN", "en"];
let previewTimer = null;
let loading = 0; // a later choice of kind wins over an earlier load still on its way
async function noticesPage() {
  const mine = ++loading;
  try {
    const kind = $("n-kind").value;
    const sources = {};
    for (const lang of LANGS) for (const part of ["subject", "text"]) {
      sources[`${part}-${lang}`] = (await get(`/notice-templates/${kind}/${lang}/${part}`)).source;
    }
    if (mine !== loading) return;
    for (const [id, source] of Object.entries(sources)) $(id).value = source;
    document.body.dataset.loadedKind = kind;
    await previewAll();
  } catch (e) { fail(e); }
}
let previewing = 0; // only the newest draft's preview is shown
async function previewAll() {
  const kind = $("n-kind").value;
  const mine = ++previewing;
  for (const lang of LANGS) {
    try {
      const out = await post(`/notice-templates/${kind}/${lang}/preview`,
        { subject: $(`subject-${lang}`).value, text: $(`text-${lang}`).value });
      if (mine !== previewing) return;
      $(`preview-${lang}`).replaceChildren(h("div", { class: "subject" }, out.subject), h("div", {}, out.text));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      $(`preview-${lang}`).replaceChildren(h("div", { class: "notice bad" }, `${t("preview_failed")} ${e.text()}`));
    }
  }
}
if ($("n-kind")) {
  $("n-kind").addEventListener("change", noticesPage);
  for (const el of document.querySelectorAll(".template textarea")) el.addEventListener("input", () => {
    clearTimeout(previewTimer); previewTimer = setTimeout(previewAll, 250);
  });
  for (const btn of document.querySelectorAll(".save-template")) btn.addEventListener("click", async () => {
    const lang = btn.dataset.lang; const kind = $("n-kind").value;
    await run(async () => {
      for (const part of ["subject", "text"]) await put(`/notice-templates/${kind}/${lang}/${part}`, { source: $(`${part}-${lang}`).value });
    }, t("saved"));
  });
}

const PAGES = { lists: listsPage, policy: policyPage, calendars: calendarsPage, staff: staffPage,
  kiosks: kiosksPage, notices: noticesPage };
if (session.get()) showWork(); else showSignIn();
