// The portal's service worker: the page shell (HTML, styles, scripts, icons; no reader data)
// comes from the cache at once and is refreshed in the background (stale-while-revalidate),
// so a repeat visit on a slow phone waits only for the reader's own data. Offline, a page not
// in the cache gets the offline page. The API is never cached: loans must not be shown stale.
const CACHE = "lector-portal-v1";
const SHELL = ["/portal", "/portal/offline", "/web/static/lector.css", "/web/static/portal.css",
  "/web/static/portal.js", "/web/static/portal-words.js", "/web/static/api.js", "/web/static/i18n.js",
  "/web/static/portal-family.js", "/web/static/portal-family-words.js",
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
  if (event.request.method !== "GET" || url.origin !== location.origin || !SHELL.includes(url.pathname)) {
    return;  // the API and everything else: straight to the network
  }
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(url.pathname);
    const fresh = fetch(event.request).then((reply) => {
      if (reply.ok) cache.put(url.pathname, reply.clone());
      return reply;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => {}));
      return cached;
    }
    return fresh.catch(async () => (event.request.mode === "navigate"
      ? (await cache.match("/portal/offline")) : Response.error()));
  }));
});
