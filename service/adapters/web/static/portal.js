// Reader portal (mobile first): home with e-card, loans, holds, search, scan to borrow, fines,
// history, feedback, notices, settings. Views are named in VIEWS; a "family" view slots in there.
import { Api, ApiError, h, notice, volume } from "./api.js";
import { languageSwitch, lang, money, t } from "./i18n.js";
import "./portal-words.js";
import { activityViews } from "./portal-activities.js";

import { showFamily } from "./portal-family.js";

import { views as forYou } from "./portal-foryou.js";

const api = new Api("portal", "portal");
const $ = (id) => document.getElementById(id);
const me = () => encodeURIComponent(api.session.reader_id);
const state = { view: "home", history: { page: 1, q: "" }, note: null };
const MORE = ["ecard", "holds", "scan", "fines", "history", "feedback", "family", "settings"];
const HOME = ["ecard", "loans", "holds", "scan", "search", "fines", "history", "notices", "feedback", "settings"];
const KINDS = ["reservation_ready", "pickup_reminder", "due_soon", "overdue", "hold_expired",
               "hold_cancelled", "fine_assessed", "feedback_answered", "suggestion_decided", "digest",
               "campaign_new_arrivals", "campaign_we_miss_you", "campaign_activity"];
// Line icons drawn here (24x24, stroke): no icon font, no emoji font needed on the phone.
const ICON = {
  home: "M3 11l9-8 9 8v10h-6v-6H9v6H3z", ecard: "M3 5h18v14H3z M7 9h4v4H7z M14 9h4 M14 13h4",
  loans: "M4 4h4v16H4z M10 4h4v16h-4z M16 5l3.5-1 3 15.5-3.5 1z",
  holds: "M12 3a9 9 0 1 0 .01 0z M12 7v5l3 3",
  scan: "M3 8V3h5 M16 3h5v5 M21 16v5h-5 M8 21H3v-5 M7 8v8 M10 8v8 M13 8v8 M17 8v8",
  search: "M10 3a7 7 0 1 0 .01 0z M15 15l6 6", fines: "M6 3l6 8 6-8 M12 11v10 M7 13h10 M7 17h10",
  history: "M4 12a8 8 0 1 0 2.3-5.7 M4 4v5h5 M12 8v4l3 2", notices: "M3 5h18v14H3z M3 5l9 8 9-8",
  feedback: "M4 4h16v12H9l-5 4z", family: "M8 7a3 3 0 1 0 .01 0z M17 9a2.5 2.5 0 1 0 .01 0z M2 20a6 6 0 0 1 12 0 M13 20a4.5 4.5 0 0 1 9 0",
  settings: "M12 8a4 4 0 1 0 .01 0z M12 2v3 M12 19v3 M2 12h3 M19 12h3 M4.9 4.9L7 7 M17 17l2.1 2.1 M4.9 19.1L7 17 M17 7l2.1-2.1",
  more: "M4 6h16 M4 12h16 M4 18h16",
};
const SVG = "http://www.w3.org/2000/svg";
function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICON[name]);
  svg.append(path);
  return svg;
}
document.querySelectorAll("[data-icon]").forEach((slot) => slot.replaceWith(icon(slot.dataset.icon)));
const when = (iso) => new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short",
                                                         timeZone: "Asia/Shanghai" }).format(new Date(iso));
const day = (iso) => new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" })
  .format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));
const branch = (b) => (t(`branch.${b}`) === `branch.${b}` ? b : t(`branch.${b}`));
const empty = (key) => h("li", { class: "empty" }, t(key));
const item = (cls, body, action) => h("li", { class: `item ${cls}` }, h("div", { class: "body" }, body), action);
const svgUrl = (svg) => `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;

function say(kind, text) { state.note = () => notice($("msg"), kind, text()); state.note(); }
function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  say("bad", () => error.text());
  if (!api.session) showSignIn();
}
async function act(command, success) {
  try { const answer = await command(); say("ok", () => success(answer)); await show(state.view, true); }
  catch (e) { fail(e); }
}
const tile = (name) => h("a", { href: `#${name}`, class: "tile" }, icon(name), h("span", {}, t(`view.${name}`)));

const VIEWS = {
  ...forYou,
  async home() {
    const s = await api.get(`/readers/${me()}/summary`);
    $("summary").replaceChildren(...[h("p", { class: "reader-name" }, api.session.name),
      h("p", { class: "muted" }, t("home.summary", { l: s.loans, h: s.holds, f: money(s.fines_owed_fen) })),
      s.overdue ? h("span", { class: "badge bad" }, t("home.overdue", { n: s.overdue })) : null].filter(Boolean));
    $("home-grid").replaceChildren(...HOME.map(tile));
  },
  async ecard() {
    const card = await api.get(`/readers/${me()}/ecard`);
    $("ecard-qr").src = svgUrl(card.qr_svg);
    $("ecard-qr").alt = `${t("ecard.qr")} ${card.card_number}`;
    $("ecard-barcode").src = svgUrl(card.barcode_svg);
    $("ecard-barcode").alt = `${t("ecard.barcode")} ${card.card_number}`;
    $("ecard-number").textContent = card.card_number;
    $("ecard-number").dataset.code = card.code;
    $("ecard-valid").textContent = t("ecard.valid", { t: when(card.expires_at) });
  },
  async loans() {
    const loans = await api.get(`/readers/${me()}/loans`);
    $("renew-all").hidden = !loans.length;
    $("loans").replaceChildren(...(loans.length ? loans.map((loan) => item(loan.days_overdue > 0 ? "overdue" : "", [
      h("p", { class: "title" }, loan.title || loan.title_id, volume(loan)),
      h("div", { class: "muted" }, `${t("due")} ${day(loan.due_on)} · ${loan.barcode}`),
      loan.days_overdue > 0 ? h("span", { class: "badge bad" }, t("overdue_days", { n: loan.days_overdue })) : null,
      h("div", { class: "refusal", "data-refusal": loan.barcode }),
    ], h("button", { type: "button", class: "secondary", "data-barcode": loan.barcode,
                     onclick: () => act(() => api.post("/renewals", { barcode: loan.barcode }),
                                        (r) => `${t("renewed")} ${day(r.due_on)}`) }, t("renew"))))
      : [empty("no_loans")]));
  },
  async holds() {
    const holds = await api.get(`/readers/${me()}/hold-waits`);
    $("holds").replaceChildren(...(holds.length ? holds.map((x) => item("", [
      h("p", { class: "title" }, x.title || x.title_id, volume(x)),
      x.status === "trapped"
        ? h("span", { class: "badge ok" }, t("holds.ready", { d: day(x.pickup_by), b: branch(x.pickup_branch) }))
        : h("div", {}, h("span", { class: "badge" }, t("holds.position", { n: x.queue_position })), " ",
          h("span", { class: "muted" }, x.estimated_wait_days == null ? t("holds.wait_unknown")
            : t("holds.wait", { n: x.estimated_wait_days }))),
      h("div", { class: "muted" }, t("holds.pickup", { b: branch(x.pickup_branch) })),
    ], h("button", { type: "button", class: "danger", "data-hold": x.hold_id,
                     onclick: () => act(() => api.del(`/holds/${encodeURIComponent(x.hold_id)}`),
                                        () => t("holds.cancelled")) }, t("holds.cancel"))))
      : [empty("holds.none")]));
  },
  async search() {},
  async scan() {
    const conf = await api.get("/self-service");
    const on = Object.entries(conf.branches).filter(([, v]) => v).map(([b]) => branch(b));
    $("scan-branches").textContent = on.length ? t("scan.branches", { b: on.join("、") }) : t("scan.none_on");
  },
  async fines() {
    const f = await api.get(`/readers/${me()}/fines`);
    $("fines-balance").textContent = money(f.balance_fen);
    $("fines").replaceChildren(...(f.fines.length ? f.fines.map((x) => item(x.owed_fen ? "" : "settled", [
      h("p", { class: "title" }, `${t(`fines.kind.${x.kind}`)} · ${money(x.amount_fen)}`),
      h("div", { class: "muted" }, [x.barcode, x.days_late ? t("fines.late", { n: x.days_late }) : null,
        x.paid_fen ? t("fines.paid", { p: money(x.paid_fen) }) : null,
        x.waived_fen ? t("fines.waived", { w: money(x.waived_fen) }) : null, when(x.assessed_at)]
        .filter(Boolean).join(" · ")),
    ])) : [empty("fines.none")]));
  },
  async history() {
    const { page, q } = state.history;
    const hist = await api.get(`/readers/${me()}/history?page=${page}&page_size=20${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    $("keep-history").checked = hist.keeps_history;
    $("history-page").textContent = t("history.page", { p: page, n: hist.total });
    $("history-prev").disabled = page <= 1;
    $("history-next").disabled = page * 20 >= hist.total;
    if (!hist.keeps_history) { $("history").replaceChildren(empty("history.off")); return; }
    $("history").replaceChildren(...(hist.items.length ? hist.items.map((x) => item("", [
      h("p", { class: "title" }, x.title || x.title_id),
      h("div", { class: "muted" }, `${t("history.borrowed")} ${day(x.borrowed_at)}`,
        x.returned_at ? ` · ${t("history.returned")} ${day(x.returned_at)}` : ""),
    ])) : [empty("history.none")]));
  },
  async feedback() {
    const [fb, sg] = await Promise.all([api.get(`/readers/${me()}/feedback`), api.get(`/readers/${me()}/suggestions`)]);
    const rows = [...fb.map((f) => item("", [
      h("div", { class: "muted" }, `${t(`fb.cat.${f.category}`)} · ${day(f.submitted_at)} `,
        h("span", { class: "badge" }, t(`fb.status.${f.status}`))),
      h("p", { class: "feedback-text" }, f.text),
      f.answer ? h("div", { class: "answer" }, h("b", {}, `${t("fb.answer")}: `), f.answer) : null,
    ])), ...sg.map((s) => item("", [
      h("div", { class: "muted" }, `${t("sg.title")} · ${day(s.submitted_at)} `, h("span", { class: "badge" }, s.status)),
      h("p", { class: "title" }, s.title),
      s.decision_reason ? h("div", { class: "answer" }, h("b", {}, `${t("fb.answer")}: `), s.decision_reason) : null,
    ]))];
    $("feedback").replaceChildren(...(rows.length ? rows : [empty("fb.none")]));
  },
  async notices() {
    const inbox = await api.get(`/readers/${me()}/inbox?page_size=50`);
    $("notices").replaceChildren(...(inbox.items.length ? inbox.items.map((n) => h("li", { class: "item" },
      h("details", { class: "body notice-item" },
        h("summary", {}, h("span", { class: "title" }, n.subject), " ", h("span", { class: "muted" }, when(n.delivered_at))),
        h("pre", { class: "notice-text" }, n.text)))) : [empty("notices.none")]));
  },
  async settings() {
    const [reader, prefs] = await Promise.all([api.get(`/readers/${me()}`),
                                               api.get(`/readers/${me()}/notice-settings`)]);
    document.querySelectorAll("[name=channel]").forEach((box) => {
      box.checked = (reader.notice_channels || []).includes(box.value);
    });
    $("kinds").replaceChildren(...KINDS.map((kind) => h("label", { class: "switch" },
      h("input", { type: "checkbox", name: "muted", value: kind, checked: prefs.muted_kinds.includes(kind) }),
      " ", h("span", {}, t(`kind.${kind}`)))));
    $("marketing").checked = Boolean(reader.marketing);
    $("quiet-start").value = prefs.quiet_start || "";
    $("quiet-end").value = prefs.quiet_end || "";
  },
  async more() { $("more-grid").replaceChildren(...MORE.map(tile)); },
  family: () => showFamily($("family"), { api, readerId: api.session.reader_id, act }),
};

// Activities and surveys (portal-activities.js): their views, icons and tiles.
const extra = activityViews({ api, act, item, empty, when, show: (v) => show(v, true) });
Object.assign(VIEWS, extra.views);
Object.assign(ICON, extra.icons);
MORE.push(...extra.tiles);
HOME.push(...extra.tiles);
KINDS.push(...extra.kinds);

async function show(view, keepNote = false) {
  if (!VIEWS[view]) view = "home";
  state.view = view;
  if (!keepNote) { state.note = null; $("msg").replaceChildren(); }
  document.querySelectorAll("[data-view]").forEach((s) => { s.hidden = s.dataset.view !== view; });
  document.querySelectorAll("[data-nav]").forEach((a) => {
    const current = a.dataset.nav === view || (a.dataset.nav === "more" && MORE.includes(view));
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  $("view-title").textContent = t(`view.${view}`);
  document.title = `${t(`view.${view}`)} · Lector`;
  try { await VIEWS[view](); } catch (e) { fail(e); }
  document.body.dataset.ready = view;
  document.body.dataset.readyMs = String(Math.round(performance.now()));  // read by the speed test
}

function showSignIn() {
  $("signin-form").hidden = false;
  $("work").hidden = $("bottom-nav").hidden = true;
  $("view-title").textContent = t("app.portal");
}

function showWork() {
  $("signin-form").hidden = true;
  $("work").hidden = $("bottom-nav").hidden = false;
  return show(location.hash.slice(1) || "home");
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
$("signout").addEventListener("click", () => { api.signOut(); $("msg").replaceChildren(); showSignIn(); });
window.addEventListener("hashchange", () => { if (api.session) show(location.hash.slice(1)); });
$("ecard-refresh").addEventListener("click", () => show("ecard"));

$("renew-all").addEventListener("click", async () => {
  try {
    const answer = await api.post(`/readers/${me()}/renewals`);
    const refused = answer.results.filter((r) => !r.renewed);
    await show("loans", true);
    for (const r of refused) {
      const slot = document.querySelector(`[data-refusal="${CSS.escape(r.barcode)}"]`);
      if (slot) slot.replaceChildren(h("span", { class: "badge bad" }, lang() === "en" ? r.message_en : r.message_zh));
    }
    say(refused.length ? "warn" : "ok", () => t("renew_all.done", { ok: answer.results.length - refused.length, no: refused.length }));
  } catch (e) { fail(e); }
});

$("search-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  try {
    const found = await api.get(`/titles?q=${encodeURIComponent($("q").value.trim())}&page_size=20`);
    const branches = await Promise.all(found.items.map((x) => api.get(`/titles/${encodeURIComponent(x.title_id)}/branches`)));
    $("results").replaceChildren(...(found.items.length ? found.items.map((title, i) => {
      // A multi-volume work: the reader may reserve one volume, or any copy of the title.
      const pick = title.volumes?.length ? h("select", { "data-volumes": title.title_id, "aria-label": t("volume") },
        h("option", { value: "" }, t("search.any_volume")),
        ...title.volumes.map((v) => h("option", { value: v.enumeration },
          `${v.enumeration} · ${t("search.available", { n: v.available })}`))) : null;
      return item("", [
      h("p", { class: "title" }, title.title),
      h("div", { class: "muted" }, (title.authors || []).join(", ")),
      h("ul", { class: "branches" }, branches[i].map((b) => h("li", {},
        t("search.at", { b: branch(b.branch), n: b.available, t: b.total })))),
      title.holds_waiting ? h("span", { class: "badge" }, t("search.waiting", { n: title.holds_waiting })) : null,
      pick ? h("div", {}, pick) : null,
    ], h("button", { type: "button", "data-title": title.title_id,
                     onclick: () => act(() => api.post("/holds", { title_id: title.title_id, pickup_branch: $("pickup").value,
                                                                  enumeration: pick?.value || null }),
                                        (r) => `${t("search.reserved")} ${t("holds.position", { n: r.queue_position })}`) },
       t("search.reserve")));
    }) : [empty("search.none")]));
  } catch (e) { fail(e); }
});

$("scan-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const barcode = $("scan-barcode").value.trim();
  act(() => api.post(`/readers/${me()}/checkouts`, { barcode }), (r) => {
    $("scan-barcode").value = "";
    return t("scan.done", { t: r.title || r.barcode, d: day(r.due_on) });
  });
});

// Camera scanning: the browser's BarcodeDetector where present, else the vendored ZXing
// decoder (loaded on first use only, so it never slows the portal's views). Manual entry always.
let scanning = null;
function loadZxing() {
  if (window.ZXing) return Promise.resolve(window.ZXing);
  return new Promise((resolve, reject) => {
    const tag = h("script", { src: "/web/static/vendor/zxing/zxing-library.min.js" });
    tag.addEventListener("load", () => resolve(window.ZXing));
    tag.addEventListener("error", reject);
    document.head.append(tag);
  });
}
function scanned(code) {
  $("scan-barcode").value = code;
  if (scanning) scanning();
  $("scan-form").requestSubmit();
}
$("scan-camera").addEventListener("click", async () => {
  if (scanning) { scanning(); return; }
  if (!navigator.mediaDevices?.getUserMedia) { say("warn", () => t("scan.no_camera")); return; }
  const video = $("scan-video");
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream; video.hidden = false; await video.play();
    let live = true;
    let reader = null;
    scanning = () => { live = false; if (reader) reader.reset(); stream.getTracks().forEach((tr) => tr.stop());
                       video.hidden = true; scanning = null; $("scan-camera").textContent = t("scan.camera"); };
    $("scan-camera").textContent = t("scan.stop");
    if ("BarcodeDetector" in window) {
      const detector = new window.BarcodeDetector({ formats: ["code_128", "ean_13", "code_39"] });
      const tick = async () => {
        if (!live) return;
        const codes = await detector.detect(video).catch(() => []);
        if (codes.length) scanned(codes[0].rawValue); else requestAnimationFrame(tick);
      };
      tick();
    } else {
      const ZXing = await loadZxing();
      reader = new ZXing.BrowserMultiFormatReader();
      reader.decodeFromStream(stream, video, (result) => { if (result && live) scanned(result.getText()); });
    }
  } catch { if (scanning) scanning(); say("warn", () => t("scan.no_camera")); }
});

$("keep-history").addEventListener("change", (ev) => {
  const keep = ev.target.checked;
  act(() => api.put(`/readers/${me()}/preferences`, { keep_history: keep }),
      () => t(keep ? "history.saved_on" : "history.saved_off"));
});
$("history-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.history = { page: 1, q: $("history-q").value.trim() };
  show("history");
});
$("history-prev").addEventListener("click", () => { state.history.page -= 1; show("history"); });
$("history-next").addEventListener("click", () => { state.history.page += 1; show("history"); });

$("feedback-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const rating = document.querySelector("#fb-rating input:checked");
  act(() => api.post("/feedback", { category: $("fb-category").value, text: $("fb-text").value,
                                    rating: rating ? Number(rating.value) : null }), () => {
    $("fb-text").value = "";
    if (rating) rating.checked = false;
    return t("fb.sent");
  });
});
$("settings-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const channels = [...document.querySelectorAll("[name=channel]:checked")].map((b) => b.value);
  const muted = [...document.querySelectorAll("[name=muted]:checked")].map((b) => b.value);
  act(async () => {
    await api.put(`/readers/${me()}/preferences`, { notice_channels: channels.length ? channels : ["none"],
                                                    marketing: $("marketing").checked });
    return api.put(`/readers/${me()}/notice-settings`, { muted_kinds: muted,
      quiet_start: $("quiet-start").value || null, quiet_end: $("quiet-end").value || null });
  }, () => t("settings.saved"));
});

// Elder mode: larger text and higher contrast, remembered on this device.
const ELDER = "lector.elder";
function elder(on) {
  document.documentElement.classList.toggle("elder", on);
  $("elder").setAttribute("aria-pressed", String(on));
  localStorage.setItem(ELDER, on ? "1" : "0");
}
$("elder").addEventListener("click", () => elder(!document.documentElement.classList.contains("elder")));
elder(localStorage.getItem(ELDER) === "1");

if ("serviceWorker" in navigator) navigator.serviceWorker.register("/portal-sw.js", { scope: "/portal" }).catch(() => {});
languageSwitch($("lang"), () => { if (api.session) show(state.view, true); });
if (api.session) showWork(); else showSignIn();
