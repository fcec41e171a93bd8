// The portal's library activities (list, sign up, cancel, my activities) and surveys (answer
// once). portal.js adds these views to its VIEWS and tiles; their words live beside them.
import { h } from "./api.js";
import { addWords, pick, t } from "./i18n.js";
import { PORTAL_ACTIVITY_WORDS } from "./portal-activities-words.js";

addWords(PORTAL_ACTIVITY_WORDS);

const ICONS = {
  activities: "M4 5h16v15H4z M4 9h16 M8 3v4 M16 3v4 M8 13h3 M13 13h3 M8 16h3",
  surveys: "M6 3h12v18H6z M9 8h6 M9 12h6 M9 16h3",
};

/** Views for portal.js: ctx = { api, act, item, empty, when, show }. */
export function activityViews(ctx) {
  const { api, act, item, empty, when, show } = ctx;
  const $ = (id) => document.getElementById(id);
  const local = { survey: null };

  function section(name) {
    let el = document.querySelector(`[data-view="${name}"]`);
    if (!el) {
      el = h("section", { "data-view": name, hidden: true });
      $("work").append(el);
    }
    return el;
  }

  function activityItem(a, mine) {
    const free = a.capacity - a.seated - a.attended;
    const status = mine ? mine.status : null;
    const open = new Date(a.starts_at) > new Date();
    const button = !open ? null : status === "seated" || status === "waiting"
      ? h("button", { type: "button", class: "secondary", "data-cancel": a.activity_id,
                      onclick: () => act(() => api.post(`/activities/${a.activity_id}/cancellation`, {}),
                                         () => t("pa.cancelled")) }, t("pa.cancel"))
      : status === "attended" ? null
        : h("button", { type: "button", "data-sign-up": a.activity_id,
                        onclick: () => act(() => api.post(`/activities/${a.activity_id}/sign-ups`, {}),
                                           (r) => t(r.status === "seated" ? "pa.signed_seated" : "pa.signed_waiting")) },
            t(free > 0 ? "pa.sign_up" : "pa.wait"));
    return item("", [
      h("p", { class: "title" }, pick(a.title_zh, a.title_en)),
      h("div", { class: "muted" }, `${t(`pa.kind.${a.kind}`)} · ${when(a.starts_at)} · ${a.branch}`),
      a.description_zh || a.description_en ? h("p", {}, pick(a.description_zh, a.description_en)) : null,
      status ? h("span", { class: "badge ok" }, t(`pa.status.${status}`))
        : h("span", { class: "badge" }, free > 0 ? t("pa.free", { n: free, c: a.capacity }) : t("pa.full")),
    ], button);
  }

  async function activities() {
    const el = section("activities");
    const [coming, mine] = await Promise.all([api.get("/activities"), api.get("/activities/mine")]);
    const byId = Object.fromEntries(mine.map((m) => [m.activity_id, m]));
    const past = mine.filter((m) => !coming.some((a) => a.activity_id === m.activity_id));
    el.replaceChildren(
      h("h2", { class: "section-title" }, t("pa.coming")),
      h("ul", { class: "items", id: "activities" }, ...(coming.length
        ? coming.map((a) => activityItem(a, byId[a.activity_id])) : [empty("pa.none")])),
      h("h2", { class: "section-title" }, t("pa.mine")),
      h("ul", { class: "items", id: "my-activities" }, ...(mine.length ? [...coming.filter((a) => byId[a.activity_id]).map(
        (a) => item("", [h("p", { class: "title" }, pick(a.title_zh, a.title_en)),
          h("span", { class: "badge" }, t(`pa.status.${byId[a.activity_id].status}`))])),
      ...past.map((m) => item("", [h("p", { class: "title" }, pick(m.title_zh, m.title_en)),
        h("div", { class: "muted" }, when(m.starts_at)),
        h("span", { class: "badge" }, t(`pa.status.${m.status}`))]))] : [empty("pa.mine_none")])));
  }

  function questionField(q) {
    const name = `q-${q.id}`;
    const legend = h("legend", {}, pick(q.text_zh, q.text_en), q.required ? "" : ` ${t("ps.optional")}`);
    const choice = (type, value, label) => h("label", { class: "choice" },
      h("input", { type, name, value: String(value) }), " ", label);
    if (q.type === "text") {
      return h("div", { class: "field" }, h("label", { for: name }, pick(q.text_zh, q.text_en),
        q.required ? "" : ` ${t("ps.optional")}`), h("textarea", { id: name, name, rows: 3, maxlength: 2000 }));
    }
    let options;
    if (q.type === "single" || q.type === "multiple") {
      options = q.options.map((o, i) => choice(q.type === "single" ? "radio" : "checkbox", i, pick(o.zh, o.en)));
    } else {
      const [low, high] = q.type === "rating" ? [1, 5] : [0, 10];
      options = Array.from({ length: high - low + 1 }, (_, i) => choice("radio", low + i, String(low + i)));
      if (q.type === "nps") options.push(h("p", { class: "small-muted" }, `${t("ps.nps_low")} · ${t("ps.nps_high")}`));
    }
    return h("fieldset", { class: `question ${q.type}`, "data-question": q.id }, legend, ...options);
  }

  function collect(form, survey) {
    const answers = {};
    for (const q of survey.questions) {
      const name = `q-${q.id}`;
      if (q.type === "text") {
        const value = form.elements[name].value.trim();
        if (value) answers[q.id] = value;
      } else if (q.type === "multiple") {
        const picked = [...form.querySelectorAll(`[name="${name}"]:checked`)].map((x) => Number(x.value));
        if (picked.length) answers[q.id] = picked;
      } else {
        const picked = form.querySelector(`[name="${name}"]:checked`);
        if (picked) answers[q.id] = Number(picked.value);
      }
    }
    return answers;
  }

  function answerForm(survey) {
    const form = h("form", { class: "card survey", id: "survey-form" },
      h("h2", {}, pick(survey.title_zh, survey.title_en)),
      survey.anonymous ? h("p", { class: "small-muted" }, t("ps.anonymous")) : null,
      ...survey.questions.map(questionField),
      h("button", { type: "submit", class: "wide" }, t("ps.submit")),
      h("button", { type: "button", class: "secondary wide gap-top",
                    onclick: () => { local.survey = null; show("surveys"); } }, t("ps.back")));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      act(() => api.post(`/surveys/${survey.survey_id}/answers`, { answers: collect(form, survey) }),
          () => { local.survey = null; return t("ps.thanks"); });
    });
    return form;
  }

  async function surveys() {
    const el = section("surveys");
    if (local.survey) { el.replaceChildren(answerForm(local.survey)); return; }
    const open = await api.get("/surveys");
    el.replaceChildren(h("ul", { class: "items", id: "surveys" }, ...(open.length ? open.map((s) => item("", [
      h("p", { class: "title" }, pick(s.title_zh, s.title_en)),
      s.answered ? h("span", { class: "badge ok" }, t("ps.answered")) : null,
    ], s.answered ? null : h("button", { type: "button", "data-survey": s.survey_id,
      onclick: () => { local.survey = s; show("surveys"); } }, t("ps.answer"))))
      : [empty("ps.none")])));
  }

  section("activities");
  section("surveys");
  return { views: { activities, surveys }, icons: ICONS, tiles: ["activities", "surveys"],
           kinds: ["activity_reminder"] };
}
