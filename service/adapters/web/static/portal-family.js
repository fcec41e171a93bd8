// The portal's family and class view: a guardian's linked children (loans with due dates,
// renew for the child, holds, unlink), the form to link a child's card with the child's PIN,
// and the reading lists of the reader's classes with availability.
import { h } from "./api.js";
import { lang, t } from "./i18n.js";
import "./portal-family-words.js";

const day = (iso) => new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" })
  .format(new Date(`${iso.slice(0, 10)}T00:00:00Z`));

function linkForm(ctx, base) {
  const card = h("input", { id: "child-card", name: "card_number", autocomplete: "off", required: true });
  const pin = h("input", { id: "child-pin", name: "pin", type: "password", inputmode: "numeric",
                           autocomplete: "off", required: true });
  const form = h("form", { class: "card", id: "link-child" },
    h("h2", {}, t("family.link")), h("p", { class: "small-muted" }, t("family.link_about")),
    h("div", { class: "field" }, h("label", { for: "child-card" }, t("family.card")), card),
    h("div", { class: "field" }, h("label", { for: "child-pin" }, t("family.pin")), pin),
    h("button", { type: "submit", class: "wide" }, t("family.link_go")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    ctx.act(() => ctx.api.post(base, { card_number: card.value.trim(), pin: pin.value }),
            () => t("family.linked"));
  });
  return form;
}

function loanItem(ctx, base, loan) {
  const late = loan.days_overdue > 0;
  return h("li", { class: `item ${late ? "overdue" : ""}` },
    h("div", { class: "body" },
      h("p", { class: "title" }, loan.title || loan.title_id),
      h("div", { class: "muted" }, `${t("due")} ${day(loan.due_on)} · ${loan.barcode}`),
      late ? h("span", { class: "badge bad" }, t("overdue_days", { n: loan.days_overdue })) : null),
    h("button", { type: "button", class: "secondary", "data-child-renew": loan.barcode,
                  "aria-label": `${t("family.renew_for")}: ${loan.title || loan.barcode}`,
                  onclick: () => ctx.act(() => ctx.api.post(`${base}/renewals`, { barcode: loan.barcode }),
                                         (r) => `${t("renewed")} ${day(r.due_on)}`) },
      t("renew")));
}

function holdItem(x) {
  const text = x.status === "trapped" ? t("family.hold_ready", { d: day(x.pickup_by), b: x.pickup_branch })
    : t("family.hold_place", { n: x.queue_position });
  return h("li", { class: "item" }, h("div", { class: "body" },
    h("p", { class: "title" }, x.title || x.title_id), h("span", { class: "badge" }, text)));
}

async function childCard(ctx, base, child) {
  const mine = `${base}/${encodeURIComponent(child.child_id)}`;
  const [loans, holds] = await Promise.all([ctx.api.get(`${mine}/loans`), ctx.api.get(`${mine}/holds`)]);
  return h("div", { class: "card child", "data-child": child.card_number || child.child_id },
    h("h3", {}, child.name || child.card_number, " ",
      h("span", { class: "small-muted" }, t("family.loans", { n: loans.length }))),
    h("ul", { class: "items" }, ...(loans.length ? loans.map((l) => loanItem(ctx, mine, l))
      : [h("li", { class: "empty" }, t("family.no_loans"))])),
    holds.length ? h("h4", { class: "muted" }, t("family.holds")) : null,
    holds.length ? h("ul", { class: "items" }, ...holds.map(holdItem)) : null,
    h("button", { type: "button", class: "danger", onclick: () => ctx.act(() => ctx.api.del(mine),
                                                                          () => t("family.unlinked")) },
      t("family.unlink")));
}

function classList(list) {
  return h("div", { class: "card class-list" },
    h("h3", {}, list.list_name || list.name, " ", h("span", { class: "small-muted" }, `${list.school} ${list.name}`)),
    h("ul", { class: "items" }, ...list.titles.map((x) => h("li", { class: "item" },
      h("div", { class: "body" }, h("p", { class: "title" }, x.title || x.title_id),
        h("span", { class: `badge ${x.available ? "ok" : ""}` },
          x.available ? t("class.available", { a: x.available, n: x.total }) : t("class.out")))))));
}

/** Render the family view into root; ctx: { api, readerId, act(command, success) }. */
export async function showFamily(root, ctx) {
  const base = `/readers/${encodeURIComponent(ctx.readerId)}/children`;
  const [children, lists] = await Promise.all([ctx.api.get(base),
    ctx.api.get(`/readers/${encodeURIComponent(ctx.readerId)}/classes`)]);
  const cards = await Promise.all(children.map((c) => childCard(ctx, base, c)));
  root.replaceChildren(
    h("h2", { class: "muted small-heading" }, t("family.children")),
    ...(cards.length ? cards : [h("p", { class: "empty" }, t("family.none"))]),
    cards.length ? h("p", { class: "small-muted" }, t("family.notices")) : null,
    linkForm(ctx, base),
    h("h2", { class: "muted small-heading" }, t("class.lists")),
    ...(lists.length ? lists.map(classList) : [h("p", { class: "empty" }, t("class.none"))]),
  );
}
