/* Loaded by the service worker (app.frontend.add_service_worker_script): the user's open check windows
   and the report form offline (issue 20 item 4). 我的任务 (/checks/), a unit's checks
   (/checks/units/<id>) and 上报隐患 (/hazards/new) go to the
   network as every page does; a copy of each answer is kept in the "shk-user-pages" cache, and when the
   network fails that copy is shown instead of the offline page, so a post employee in a plant without
   signal still sees his windows and records them (offline_queue.js queues the records; the page's
   client ids are made on the device, so a kept page records each window once). Only these pages:
   nothing else of a user is kept. Cleared at logout (Clear-Site-Data; pwa.js for older browsers) and
   when another user logs in on the device (offline_queue.js). */
(function () {
  "use strict";
  var CACHE = "shk-user-pages";
  var PAGES = /(\/checks\/(units\/\d+)?|\/hazards\/new)$/;

  function fallback(request) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request.url).then(function (hit) {
        return hit || cache.match(request.url, { ignoreSearch: true });
      });
    }).then(function (hit) {
      return hit || caches.match(self.shk.config.offline);
    }).then(function (page) {
      return page || new Response("当前离线", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }

  function networkThenKeep(request) {
    return fetch(request).then(function (response) {
      if (response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(request.url, copy); });
      }
      return response;
    }, function () { return fallback(request); });
  }

  self.shk.route(function (request, url) {
    return request.method === "GET" && request.mode === "navigate" && PAGES.test(url.pathname);
  }, networkThenKeep);
})();
