/* Check pages: one record per tap. Every record form carries a client id made here (sent as client_id):
   a second tap, or the same form sent again after a lost answer, is the same record on the server.
   The device id (a random id kept on this device) and, when the user allows it, the location go too. */
(function () {
  "use strict";

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var a = new Uint8Array(16);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function deviceId() {
    try {
      var id = window.localStorage.getItem("shk-device-id");
      if (!id) { id = randomId(); window.localStorage.setItem("shk-device-id", id); }
      return id;
    } catch (e) { return ""; }
  }

  function fill(form, name, value) {
    var input = form.querySelector("input[name='" + name + "']");
    if (input && !input.value) { input.value = value; }
  }

  document.querySelectorAll("form[data-record]").forEach(function (form) {
    fill(form, "client_id", randomId());
    fill(form, "device_id", deviceId());
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }  // a double tap: once
      form.dataset.sent = "1";
    });
  });

  var located = document.querySelectorAll("form[data-record] input[name=latitude]");
  if (located.length && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.querySelectorAll("form[data-record]").forEach(function (form) {
        fill(form, "latitude", pos.coords.latitude.toFixed(6));
        fill(form, "longitude", pos.coords.longitude.toFixed(6));
      });
    }, function () {}, { maximumAge: 600000, timeout: 5000 });
  }
})();
