/* The installable app's page side: registers the service worker (/sw.js, app/frontend) and clears the
   user's offline data at logout in browsers that ignore the logout answer's Clear-Site-Data header
   (Safari before 17). Loaded by base.html on every page. */
(function () {
  "use strict";
  var me = document.currentScript;
  var hooks = [];

  // Extension point (issue 20, the offline queue): shkPwa.onLogout(fn) — fn() may return a promise,
  // e.g. deleting the queue's IndexedDB database; logout waits for it (at most 2 s).
  window.shkPwa = { onLogout: function (fn) { hooks.push(fn); } };

  if ("serviceWorker" in navigator && me && me.dataset.sw) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(me.dataset.sw, { scope: me.dataset.scope || "/" }).catch(function () {});
    });
  }

  function clearUserData() {
    var work = hooks.map(function (fn) { try { return fn(); } catch (e) { return null; } });
    if (window.caches) {
      work.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("shk-user-") === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 2000); });
    return Promise.race([Promise.all(work).catch(function () {}), timeout]);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-logout") || form.dataset.cleared) return;
    event.preventDefault();
    clearUserData().then(function () { form.dataset.cleared = "1"; form.submit(); });
  });
})();
