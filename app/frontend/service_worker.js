/* shuangkong's service worker, served as /sw.js by app/frontend (which prepends self.SHK_CONFIG:
   cache name with the app's version and a hash of static/, the shell's URLs, the offline page,
   the extension scripts). What it does:
   - install: stores the application shell (our CSS, scripts, icons, the offline page, the manifest),
     fetched WITHOUT cookies so nothing of a user can end up in it;
   - activate: deletes every shk-shell-* cache of older versions;
   - fetch: GET /static/* cache-first (the cache name changes with every deployment); a page
     navigation goes to the network and, when that fails, gets the offline page; everything else —
     pages' HTML, API answers, downloads, every POST — goes to the network and is never stored.
   Extension point (issue 20: the offline queue, the user's open check windows): scripts listed by
   app.frontend.add_service_worker_script() are imported here and register handlers with
   self.shk.route(match, handle); the first whose match(request, url) is true answers the request.
   Caches holding a user's data must be named "shk-user-…": logout clears them (Clear-Site-Data on
   the logout answer; static/js/pwa.js does it in browsers without that header). */
"use strict";

var CONFIG = self.SHK_CONFIG;
var SHELL_PREFIX = "shk-shell-";
var routes = [];

self.shk = {
  config: CONFIG,
  route: function (match, handle) { routes.push({ match: match, handle: handle }); }
};

if (CONFIG.scripts.length) importScripts.apply(self, CONFIG.scripts);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CONFIG.cache).then(function (cache) {
      return cache.addAll(CONFIG.shell.map(function (url) {
        return new Request(url, { credentials: "omit", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(SHELL_PREFIX) === 0 && name !== CONFIG.cache;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheFirst(request) {
  return caches.open(CONFIG.cache).then(function (cache) {
    return cache.match(request, { ignoreSearch: true }).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function offlinePage() {
  return caches.match(CONFIG.offline).then(function (page) {
    return page || new Response("当前离线", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  for (var i = 0; i < routes.length; i++) {
    if (routes[i].match(request, url)) { event.respondWith(routes[i].handle(request, url, event)); return; }
  }
  if (request.method !== "GET") return; // forms and API writes: the network, untouched
  if (request.mode === "navigate") {
    // Pages are never stored (they carry the user's data and CSRF tokens): network, or the offline page.
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (url.pathname.indexOf(CONFIG.static) === 0 || CONFIG.shell.indexOf(url.pathname) >= 0) {
    event.respondWith(cacheFirst(request));
  }
  // Anything else (API answers, attachments, exports): not intercepted, not stored.
});
