/* The offline queue (issue 20 item 4): a hazard report or a check record made without a network is kept
   on the device and sent when the connection returns — in the order it was made, never lost, never
   twice: each form carries a client id (client_id) and the server answers a second sending of the same
   id with the first one's outcome (app/idempotency.py for the report, the check record's client_id).

   Forms: <form data-offline data-offline-label="…">. Their submit is always taken over. Offline
   (navigator.onLine false) the fields and files are stored in IndexedDB (database "shk-offline", through
   the idb package) tagged with the user's id. Online they are sent by XMLHttpRequest (a real upload
   progress); when that fails — the phone says online but the plant's signal is dead: an error, or no
   byte moving for STALL_MS — or the server gives no verdict (busy, failing, a stale form token), the item
   is stored exactly as offline with the same client id, so a sending that did arrive is not doubled.
   The server's answer is shown as a native submit would: its page written into the document (flash
   messages, field errors and typed values kept) at its address. The queue is shown in
   #offline-queue ("待同步 N", then each refused item with the server's words and a link to its page).
   Items are sent only from a page of the same user (this script's data-user); the offline page
   (stored for everybody, it knows no user) only shows the count and reloads when the network returns.
   Logout: asks before deleting unsent items (logout clears the origin's storage), then deletes them. */
(function () {
  "use strict";
  var me = document.currentScript;
  var user = (me && me.dataset.user) || "";
  var box = document.getElementById("offline-queue");
  var DB_NAME = "shk-offline";
  var STORE = "queue";
  var texts = (box && box.dataset) || {};
  var waitingCount = 0;
  var flushing = false;
  var retired = false; // this page's document was replaced by an answer: its scripts run again, not this
  var sent = []; // {label, url} sent by this page, shown once
  var dbPromise = null;
  var RETRY_MS = 3000;
  // A phone on one bar of signal still moves a few KB a second: only a connection where nothing moves
  // for this long is taken for dead (a slow upload that did arrive is de-duplicated by its client id).
  var STALL_MS = 20000;

  // Another user on this device (a session that expired without logout, then a new login): the pages
  // kept for the previous one (shk-user-* caches, offline_pages_sw.js) go.
  try {
    if (user && window.localStorage.getItem("shk-user") !== user) {
      window.localStorage.setItem("shk-user", user);
      if (window.caches) {
        caches.keys().then(function (names) {
          names.forEach(function (n) { if (n.indexOf("shk-user-") === 0) caches.delete(n); });
        });
      }
    }
  } catch (e) { /* storage refused (private mode): nothing was kept either */ }

  if (!window.idb || !window.indexedDB) return;

  function db() {
    if (!dbPromise) {
      dbPromise = window.idb.openDB(DB_NAME, 1, {
        upgrade: function (d) { d.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true }); }
      });
    }
    return dbPromise;
  }

  function randomId() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID().replace(/-/g, "");
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fmt(text, n) { return (text || "").replace("%(n)s", n); }

  // The form's fields as a native submit sends them (with the button tapped, if it has a name).
  function formData(form, submitter) {
    try { return new FormData(form, submitter || undefined); } catch (e) { return new FormData(form); }
  }

  function actionOf(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href);
  }

  // Files go in as bytes (ArrayBuffer): every browser's IndexedDB stores those, not all store Blobs.
  function serialise(form, submitter) {
    var data = formData(form, submitter);
    var fields = [];
    var reads = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") { fields.push({ name: name, value: value }); return; }
      if (!value.size) return; // an empty file input
      var entry = { name: name, filename: value.name, type: value.type, bytes: null };
      fields.push(entry);
      reads.push(value.arrayBuffer().then(function (buf) { entry.bytes = buf; }));
    });
    return Promise.all(reads).then(function () { return fields; });
  }

  function enqueue(form, submitter) {
    return serialise(form, submitter).then(function (fields) {
      var action = actionOf(form);
      var idField = fields.filter(function (f) { return f.name === "client_id"; })[0];
      var clientId = idField ? idField.value : "";
      return db().then(function (d) {
        return d.add(STORE, { user: user, action: action.pathname + action.search, fields: fields,
                              client_id: clientId, label: form.dataset.offlineLabel || document.title,
                              created: new Date().toISOString(), state: "waiting" });
      });
    });
  }

  // A fresh form token: the one stored with the item (or on a page the service worker kept) may be
  // older than its hour when the network returns. Also tells whether the server answers and the
  // session is still ours (401: wait, the user logs in again and the items are sent then).
  function freshToken() {
    return fetch(me.dataset.token, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("no session");
      return r.json();
    }).then(function (answer) { return answer.token; });
  }

  function body(item, token) {
    var data = new FormData();
    item.fields.forEach(function (f) {
      if (f.bytes) data.append(f.name, new File([f.bytes], f.filename, { type: f.type }));
      else data.append(f.name, f.name === "csrf_token" && token ? token : f.value);
    });
    return data;
  }

  // The server's verdict, read from the page it answered: its error messages (a flash of the "error"
  // category, a field's error) mean "refused"; the page it ends on is the item's outcome.
  function outcome(response, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var errors = Array.prototype.map.call(doc.querySelectorAll(".flash-error, .field .error"), function (e) {
      return e.textContent.trim();
    }).filter(Boolean);
    if (!response.ok && !errors.length) errors.push(response.status + " " + (doc.title || response.statusText));
    return { ok: response.ok && !errors.length, errors: errors, url: response.url };
  }

  // The server busy or failing (429, 5xx), a form token refused (400): not an answer about the item;
  // it waits (queued) for the next run.
  function noVerdict(status) { return status === 400 || status === 429 || status >= 500; }

  function sendOne(d, item, token) {
    return fetch(item.action, { method: "POST", body: body(item, token), credentials: "same-origin" })
      .then(function (response) {
        if (noVerdict(response.status)) {
          throw new Error("try again later: " + response.status);
        }
        return response.text().then(function (html) { return outcome(response, html); });
      })
      .then(function (result) {
        if (result.ok) {
          sent.push({ label: item.label, url: result.url });
          return d.delete(STORE, item.seq);
        }
        item.state = "conflict"; // refused (409, 422, an error message): kept, not sent again
        item.outcome = result;
        return d.put(STORE, item);
      });
  }

  function flush() {
    if (!user || retired || flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    return db().then(function (d) {
      return d.getAll(STORE).then(function (items) {
        var mine = items.filter(function (i) { return i.user === user && i.state === "waiting"; });
        if (!mine.length) return null;
        // strictly in order: a network failure stops the run, what is left waits for the next one
        return freshToken().then(function (token) {
          return mine.reduce(function (chain, item) {
            return chain.then(function () { return sendOne(d, item, token); });
          }, Promise.resolve());
        });
      });
    }).catch(function () {}).then(function () {
      flushing = false;
      return render().then(function () {
        // a network failure halfway (the "online" event comes before the network is really back):
        // try again a little later, as long as something waits
        if (waitingCount && navigator.onLine) setTimeout(flush, RETRY_MS);
      });
    });
  }

  // The offline page: back to the real page (which sends the queue) as soon as it answers.
  function backOnline() {
    if (!navigator.onLine) return;
    fetch(window.location.href, { method: "HEAD", credentials: "same-origin", cache: "no-store" })
      .then(function (response) { if (response.ok || response.status < 500) window.location.reload(); })
      .catch(function () { setTimeout(backOnline, RETRY_MS); });
  }

  function localTime(iso) { // the phone's own time zone (stored as UTC)
    var d = new Date(iso);
    function two(n) { return ("0" + n).slice(-2); }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" +
      two(d.getMinutes());
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function render() {
    if (!box) return Promise.resolve();
    return db().then(function (d) { return d.getAll(STORE); }).then(function (items) {
      var visible = items.filter(function (i) { return !user || i.user === user; });
      var waiting = visible.filter(function (i) { return i.state === "waiting"; });
      var refused = visible.filter(function (i) { return i.state === "conflict"; });
      waitingCount = waiting.length;
      box.textContent = "";
      if (waiting.length) {
        var head = el("p", null, "queue-count");
        head.appendChild(el("strong", fmt(texts.waiting, waiting.length)));
        head.appendChild(document.createTextNode(" " + (navigator.onLine ? texts.sending : texts.offline)));
        box.appendChild(head);
        var list = el("ul", null, "queue-items");
        waiting.forEach(function (i) { list.appendChild(el("li", i.label + " · " + localTime(i.created))); });
        box.appendChild(list);
      }
      sent.forEach(function (s) {
        var p = el("p", null, "queue-sent");
        p.appendChild(document.createTextNode(texts.sent + " "));
        var a = el("a", s.label); a.href = s.url; p.appendChild(a);
        box.appendChild(p);
      });
      refused.forEach(function (i) {
        var div = el("div", null, "queue-conflict");
        div.setAttribute("role", "alert");
        div.appendChild(el("strong", texts.refused + " " + i.label));
        (i.outcome.errors || []).forEach(function (m) { div.appendChild(el("div", m)); });
        if (i.outcome.url) { var a = el("a", texts.open); a.href = i.outcome.url; div.appendChild(a); }
        var dismiss = el("button", texts.dismiss, "link");
        dismiss.type = "button";
        dismiss.addEventListener("click", function () {
          db().then(function (d) { return d.delete(STORE, i.seq); }).then(render);
        });
        div.appendChild(dismiss);
        box.appendChild(div);
      });
      box.hidden = !box.childNodes.length;
    }).catch(function () {});
  }

  function queued(form) {
    var note = form.querySelector(".queued-note");
    if (!note) { note = el("p", texts.queued, "flash flash-warning queued-note"); note.setAttribute("role", "status"); form.prepend(note); }
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) { b.disabled = true; });
    var bar = form.querySelector(".upload-progress");
    if (bar) bar.hidden = true; // nothing is uploading: the photos wait with the form
  }

  function keep(form, submitter) {
    return enqueue(form, submitter).then(function () { queued(form); return render(); })
      .then(flush); // online but the network dead: flush tries again every RETRY_MS until it is back
  }

  // Sends the form as a native submit would, by XMLHttpRequest (fetch has no upload progress). Resolves
  // with the answer; rejects when the network fails or stalls.
  function sendNow(form, submitter) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var box = form.querySelector(".upload-progress");
      var files = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (i) {
        return i.files && i.files.length;
      });
      var bar = box && files ? box.querySelector("progress") : null;
      var timer = null;
      function alive() { clearTimeout(timer); timer = setTimeout(function () { xhr.abort(); }, STALL_MS); }
      function failed() { clearTimeout(timer); reject(new Error("network")); }
      if (bar) { box.hidden = false; bar.value = 0; }
      xhr.open("POST", actionOf(form).href);
      xhr.setRequestHeader("Accept", "text/html,application/xhtml+xml");
      xhr.upload.onprogress = function (e) {
        alive();
        if (bar && e.lengthComputable && e.total) bar.value = Math.round(100 * e.loaded / e.total);
      };
      xhr.onprogress = alive;
      xhr.onload = function () { clearTimeout(timer); resolve(xhr); };
      xhr.onerror = failed;
      xhr.onabort = failed;
      xhr.send(formData(form, submitter));
      alive();
    });
  }

  // The server's page, shown as a native submit shows it: the whole document replaced by the answer
  // (its scripts run again; flash messages, field errors and typed values are in it), at the address
  // it ended on — a new history entry after a redirect (Back returns to the form, reloaded).
  function showAnswer(xhr) {
    var url = xhr.responseURL || window.location.href;
    if (url !== window.location.href) {
      window.history.pushState({ shkAnswer: true }, "", url);
      window.shkAnswered = true;
    }
    retired = true;
    document.open();
    document.write(xhr.responseText);
    document.close();
    // document.open() erased the window's listeners; the answer's own copy of this script adds its
    // own only once it has loaded: until then Back would change the address and keep the answer.
    window.addEventListener("popstate", backToForm);
  }

  // Back from a written answer: the entry under it is the form's page, whose document was replaced.
  function backToForm() { if (window.shkAnswered) window.location.reload(); }
  window.addEventListener("popstate", backToForm);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-offline") || !user) return;
    event.preventDefault();
    if (form.dataset.offlineBusy === "1") return; // a second tap while the first is kept or sent: once
    form.dataset.offlineBusy = "1";
    var submitter = event.submitter;
    // A form whose id the server wrote (the report) may come from a page the service worker kept and be
    // filled again and again: each page's form gets its own id when first sent, and keeps it when the
    // sending fails and is queued (so a sending that did arrive is answered, not recorded twice).
    var idInput = form.querySelector("input[name=client_id]");
    if (idInput && form.hasAttribute("data-offline-fresh-id")) idInput.value = randomId();
    var ready = window.shkPhotos ? window.shkPhotos.ready(form) : Promise.resolve();
    ready.then(function () {
      if (!navigator.onLine) return keep(form, submitter);
      return sendNow(form, submitter).then(function (xhr) {
        if (noVerdict(xhr.status)) return keep(form, submitter);
        showAnswer(xhr);
        return null;
      }, function () { return keep(form, submitter); });
    });
  });

  window.addEventListener("online", function () { if (user) flush(); else backOnline(); });
  window.addEventListener("offline", render);

  // Logout clears the origin's storage (Clear-Site-Data): unsent items would be lost, so ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-logout") || !waitingCount) return;
    if (!window.confirm(fmt(texts.logout, waitingCount))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  if (window.shkPwa) {
    window.shkPwa.onLogout(function () {
      return (dbPromise || Promise.resolve(null)).then(function (d) {
        if (d) d.close();
        return window.idb.deleteDB(DB_NAME);
      });
    });
  }

  render().then(flush);
})();
