// Local mailbox (staff): notices delivered here when no SMTP relay is configured.
import { Api, ApiError, h, notice } from "./api.js";
import { languageSwitch, t } from "./i18n.js";
import { staffSession } from "./shell.js";

const api = new Api("staff", "desk");
const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 20;
const state = { page: 1, total: 0, items: [], reader: "" };
const session = staffSession(api, {
  onWork: () => load(),
  onSignOut: () => Object.assign(state, { page: 1, total: 0, items: [] }),
});

function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  notice($("mailbox-msg"), "bad", error.text(), error.body.code);
  if (!api.session) session.showSignIn();
}


function when(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang || "zh-CN");
}

function render() {
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $("count").textContent = t("mailbox.count", { n: state.total });
  $("page").textContent = `${state.page} / ${pages}`;
  $("prev").disabled = state.page <= 1;
  $("next").disabled = state.page >= pages;
  if (!state.items.length) {
    $("messages").replaceChildren(h("p", { class: "empty" }, t("mailbox.empty")));
    return;
  }
  $("messages").replaceChildren(...state.items.map((m) => h("article", { class: "message" },
    h("h3", {}, m.subject),
    h("p", { class: "muted" },
      `${when(m.delivered_at)} · ${t("mailbox.to")} ${m.reader_name || ""} (${m.card_number || m.reader_id}) · ${m.kind} · ${m.lang}`),
    h("pre", { class: "body" }, m.text))));
}

async function load() {
  const reader = state.reader ? `&reader=${encodeURIComponent(state.reader)}` : "";
  try {
    const answer = await api.get(`/notices/mailbox?page=${state.page}&page_size=${PAGE_SIZE}${reader}`);
    Object.assign(state, { total: answer.total, items: answer.items });
    $("mailbox-msg").replaceChildren();
    render();
  } catch (e) { fail(e); }
}


$("filter-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.reader = $("reader").value.trim();
  state.page = 1;
  load();
});
$("prev").addEventListener("click", () => { state.page -= 1; load(); });
$("next").addEventListener("click", () => { state.page += 1; load(); });

languageSwitch($("lang"), () => { if (api.session) render(); });
session.start();
