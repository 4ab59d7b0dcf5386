// The public report form's anti-robot check (ALTCHA proof of work, app/public_reports/guard.py): fetch a
// challenge, find the number whose SHA-256 with the salt matches, put the signed answer in the hidden
// field, then let the form be sent. A second of a phone's time; a flood pays it for every report.
(function () {
  "use strict";
  var form = document.querySelector("form[data-challenge-url]");
  if (!form) { return; }
  var field = form.querySelector("input[name=challenge]");
  var button = form.querySelector("button[type=submit]");
  var note = form.querySelector("[data-challenge-status]");
  var hex = function (buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  };
  var say = function (text) { if (note) { note.textContent = text; } };
  async function solve() {
    button.disabled = true;
    say(form.getAttribute("data-msg-working"));
    try {
      var response = await fetch(form.getAttribute("data-challenge-url"), {credentials: "same-origin"});
      var c = await response.json();
      var encoder = new TextEncoder();
      for (var n = 0; n <= c.maxnumber; n++) {
        var digest = hex(await crypto.subtle.digest("SHA-256", encoder.encode(c.salt + n)));
        if (digest === c.challenge) {
          field.value = btoa(JSON.stringify({algorithm: c.algorithm, challenge: c.challenge, number: n,
                                             salt: c.salt, signature: c.signature}));
          button.disabled = false;
          say(form.getAttribute("data-msg-done"));
          return;
        }
      }
      say(form.getAttribute("data-msg-failed"));
    } catch (e) {
      say(form.getAttribute("data-msg-failed"));
    }
  }
  solve();
  // A challenge is accepted once: after a refused submission the page comes back and solves a new one.
})();
