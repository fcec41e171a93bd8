// A small client for the JSON API: bearer token in sessionStorage, problem details as errors.
import { lang, pick, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.code || String(status));
    this.status = status;
    this.body = body;
  }

  /** The message in the chosen language, with per-field messages appended. */
  text() {
    const b = this.body;
    let text = pick(b.message_zh, b.message_en) || b.title || t("error");
    if (b.errors) {
      const parts = Object.entries(b.errors).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`);
      text += ` (${parts.join("; ")})`;
    }
    return text;
  }
}

export class Api {
  constructor(scope, channel) {
    this.scope = scope;
    this.channel = channel;
  }

  get session() {
    return JSON.parse(sessionStorage.getItem(`lector.${this.scope}`) || "null");
  }

  set session(value) {
    if (value) sessionStorage.setItem(`lector.${this.scope}`, JSON.stringify(value));
    else sessionStorage.removeItem(`lector.${this.scope}`);
  }

  async signIn(credentials) {
    const answer = await this.call("POST", "/auth/token", credentials, false);
    this.session = { token: answer.token, role: answer.role, reader_id: answer.reader_id,
                     name: credentials.username || credentials.card_number };
    return this.session;
  }

  signOut() {
    // Revoke the token on the server too (best effort), so a copied token dies with the session.
    if (this.session) this.call("POST", "/auth/logout").catch(() => {});
    this.session = null;
  }

  // Read your writes: the log position of the last command this tab sent goes with every
  // read (Lector-Min-Position), so a list read right after a checkout shows it even when the
  // server folds its read models after answering (gunicorn, Celery).
  get seen() { return Number(sessionStorage.getItem("lector.position") || 0); }

  set seen(position) {
    if (position) sessionStorage.setItem("lector.position", String(position));
    else sessionStorage.removeItem("lector.position");
  }

  async call(method, path, body, authed = true, attempt = 0) {
    const headers = { "Accept-Language": lang() === "en" ? "en" : "zh-CN",
                      "X-Lector-Channel": this.channel };
    if (method === "GET" && this.seen) headers["Lector-Min-Position"] = String(this.seen);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (authed && this.session) headers.Authorization = `Bearer ${this.session.token}`;
    if (method !== "GET") headers["Idempotency-Key"] = crypto.randomUUID
      ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    let reply;
    try {
      reply = await fetch(`/api/v1${path}`, { method, headers,
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, { code: "network", title: t("error.network") });
    }
    const data = await reply.json().catch(() => ({}));
    if (method === "GET" && attempt < 3 && data.code === "projection_behind") {
      const wait = Math.min(Number(reply.headers.get("Retry-After")) || 1, 2);
      await new Promise((done) => setTimeout(done, wait * 1000));
      return this.call(method, path, body, authed, attempt + 1);
    }
    if (method === "GET" && attempt < 1 && data.code === "position_not_reached") {
      this.seen = 0;  // a position from a library since rebuilt: read without it
      return this.call(method, path, body, authed, attempt + 1);
    }
    if (reply.ok && method !== "GET" && Number.isInteger(data.position)
        && data.position > this.seen) this.seen = data.position;
    if (!reply.ok) {
      if (reply.status === 401 && authed) {
        this.session = null;
        data.message_zh = data.message_en = t("error.session");
      }
      throw new ApiError(reply.status, data);
    }
    return data;
  }

  get(path) { return this.call("GET", path); }
  post(path, body = {}) { return this.call("POST", path, body); }
  put(path, body = {}) { return this.call("PUT", path, body); }
  del(path) { return this.call("DELETE", path); }
}

/** Build an element: h("td", {class: "x"}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== false && v != null) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A copy's volume and issue ("v.3 · 2024 no.5") as a badge, or nothing. */
export function volume(x) {
  const label = [x.enumeration, x.chronology].filter(Boolean).join(" · ");
  return label ? [" ", h("span", { class: "badge volume", title: t("volume") }, label)] : null;
}

/** Show a notice (ok, warn, bad) in a container; big for the return result. */
export function notice(container, kind, text, small, big = false) {
  container.replaceChildren(h("div", { class: `notice ${kind}${big ? " big" : ""}`, role: "status" },
    text, small ? h("small", {}, small) : null));
}
