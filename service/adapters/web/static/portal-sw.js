// The portal's service worker: keeps the page shell for slow or absent networks.
// Pages and static files: network first, the cached copy when offline, else the offline page.
// The API is never cached (a reader's loans must not be shown stale as if current).
const CACHE = "lector-portal-v1";
const SHELL = ["/portal", "/portal/offline", "/web/static/lector.css", "/web/static/portal.css",
  "/web/static/portal.js", "/web/static/portal-words.js", "/web/static/api.js", "/web/static/i18n.js",
  "/web/static/icons/portal.svg", "/web/static/icons/portal-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE)
    .map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(fetch(event.request).then((reply) => {
    if (reply.ok && SHELL.includes(url.pathname)) {
      const copy = reply.clone();
      caches.open(CACHE).then((c) => c.put(event.request, copy));
    }
    return reply;
  }).catch(async () => (await caches.match(event.request, { ignoreSearch: true }))
    || (event.request.mode === "navigate" ? caches.match("/portal/offline") : Response.error())));
});
