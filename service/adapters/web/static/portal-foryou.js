// The portal's "for you" view (recommendations and the reading year) and "also borrowed" on
// search results. Its own section and words; portal.js only spreads `views` into its VIEWS.
import { Api, ApiError, h, notice } from "./api.js";
import { applyLabels, lang, t } from "./i18n.js";
import "./portal-foryou-words.js";

const api = new Api("portal", "portal");
const me = () => encodeURIComponent(api.session.reader_id);

function section() {
  let el = document.querySelector("[data-view=foryou]");
  if (el) return el;
  el = h("section", { "data-view": "foryou", hidden: true },
    h("p", { class: "muted", id: "foryou-basis" }),
    h("ul", { class: "items", id: "foryou-list" }),
    h("h2", { "data-i18n": "year.title" }),
    h("p", { class: "muted", "data-i18n": "year.about" }),
    h("form", { id: "year-form", class: "row" },
      h("select", { id: "year-pick", "aria-label": t("year.title") }),
      h("button", { type: "submit", "data-i18n": "year.show" })),
    h("div", { id: "year-msg", "aria-live": "polite" }),
    h("div", { id: "year-out" }));
  document.getElementById("work")?.append(el);
  el.querySelector("#year-form").addEventListener("submit", (ev) => { ev.preventDefault(); showYear(); });
  return el;
}
section();

const row = (x, extra) => h("li", { class: "item" }, h("div", { class: "body" },
  h("p", { class: "title" }, x.title || x.title_id),
  h("div", { class: "muted" }, (x.authors || []).join(", ")), extra));

async function showYear() {
  const year = document.getElementById("year-pick").value;
  const out = document.getElementById("year-out");
  const msg = document.getElementById("year-msg");
  msg.replaceChildren();
  try {
    const y = await api.get(`/readers/${me()}/reading-year/${year}`);
    const lines = y.books ? [
      t("year.books", { n: y.books }) + (y.pages ? ` · ${t("year.pages", { n: y.pages })}` : ""),
      y.favourite_classes.length ? t("year.classes", { c: y.favourite_classes.map((c) => c.clc_class).join(" · ") }) : null,
      y.favourite_authors.length ? t("year.authors", { a: y.favourite_authors.map((a) => a.name).join(" · ") }) : null,
      y.busiest_month ? t("year.month", { m: new Intl.DateTimeFormat(lang(), { month: "long", timeZone: "UTC" })
        .format(new Date(Date.UTC(2000, y.busiest_month - 1, 1))) }) : null,
      t("year.streak", { n: y.longest_streak_weeks }),
      t("year.first_last", { a: y.first_book.title, b: y.last_book.title }),
      t("year.favourite", { t: y.favourite_book.title, n: y.others_read_favourite }),
    ] : [t("year.empty")];
    out.replaceChildren(h("ul", { class: "year-lines" }, lines.filter(Boolean).map((l) => h("li", {}, l))));
    if (!y.books) return;
    // The image needs the bearer token, so it is fetched and shown from a blob URL.
    const reply = await fetch(`/api/v1/readers/${me()}/reading-year/${year}.png?lang=${lang() === "en" ? "en" : "zh-CN"}`,
                              { headers: { Authorization: `Bearer ${api.session.token}` } });
    if (!reply.ok) throw new ApiError(reply.status, await reply.json().catch(() => ({})));
    const blob = await reply.blob();
    // A data: URL, not a blob: one: the page's CSP allows images from 'self' and data: only.
    const imageUrl = await new Promise((done) => {
      const reader = new FileReader();
      reader.onload = () => done(reader.result);
      reader.readAsDataURL(blob);
    });
    const name = `reading-year-${year}.png`;
    const file = new File([blob], name, { type: "image/png" });
    out.append(h("img", { src: imageUrl, alt: t("year.image"), class: "year-image", width: 270, height: 480 }),
      h("div", { class: "row" }, h("a", { href: imageUrl, download: name, class: "button", id: "year-download" }, t("year.download")),
        navigator.canShare?.({ files: [file] }) ? h("button", { type: "button",
          onclick: () => navigator.share({ files: [file], title: t("year.title") }).catch(() => {}) }, t("year.share")) : null));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    notice(msg, "bad", e.text());
  }
}

export const views = {
  async foryou() {
    const el = section();
    applyLabels(el);
    const pick = el.querySelector("#year-pick");
    const now = new Date().getFullYear();
    if (!pick.options.length) pick.replaceChildren(...[now, now - 1, now - 2].map((y) => h("option", { value: y }, String(y))));
    const recs = await api.get(`/readers/${me()}/recommendations?limit=10`);
    el.querySelector("#foryou-basis").textContent = t(`foryou.${recs.basis}`);
    el.querySelector("#foryou-list").replaceChildren(...(recs.items.length ? recs.items.map((x) => row(x,
      x.on_shelf ? h("span", { class: "badge" }, t("foryou.on_shelf")) : null))
      : [h("li", { class: "empty" }, t("foryou.none"))]));
    el.querySelector("#year-form").hidden = !recs.keeps_history;
  },
};

// "Also borrowed" under each search result, loaded when the reader opens it.
function alsoBorrowed(li, titleId) {
  if (li.querySelector(".also-borrowed")) return;
  const list = h("ul", { class: "also-list" });
  const box = h("details", { class: "also-borrowed" }, h("summary", {}, t("foryou.also")), list);
  box.addEventListener("toggle", async () => {
    if (!box.open || list.dataset.loaded) return;
    list.dataset.loaded = "1";
    try {
      const also = await api.get(`/titles/${encodeURIComponent(titleId)}/also-borrowed?limit=5`);
      list.replaceChildren(...(also.items.length ? also.items.map((x) => h("li", {},
        `${x.title || x.title_id} · ${t("foryou.readers", { n: x.readers })}`))
        : [h("li", { class: "muted" }, t("foryou.also_none"))]));
    } catch (e) { if (!(e instanceof ApiError)) throw e; list.replaceChildren(h("li", {}, e.text())); }
  });
  li.querySelector(".body")?.append(box);
}
const results = document.getElementById("results");
if (results) {
  new MutationObserver(() => results.querySelectorAll("button[data-title]").forEach((b) =>
    alsoBorrowed(b.closest("li"), b.dataset.title))).observe(results, { childList: true });
}
