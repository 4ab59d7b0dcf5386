/* Light photos (issue 20 item 3): a phone's 3-5 MB picture is resized in the browser before it is sent,
   keeping its EXIF block (the capture time is evidence), with a progress bar. The resizing is
   browser-image-compression (npm, app/static/vendor/): no hand-written JPEG or EXIF code here. Its web
   worker mode would load the library from a CDN, so it runs on the page (useWebWorker: false).
   Inputs: <input type=file data-resize> and, in the same form, <p class="upload-progress"> (hidden).
   The resized files replace the input's own (DataTransfer), so a plain submit, the offline queue
   (offline_queue.js) and a browser without this script all send what the input holds.
   window.shkPhotos.ready(form) is a promise that ends when the form's photos are ready. */
(function () {
  "use strict";
  // At most 500 KB and 2048 px on the longest side: a 12-megapixel photo becomes about 300-450 KB and
  // still shows a gauge's figures; the server makes its own thumbnails from it (app/thumbnails.py).
  var OPTIONS = { maxSizeMB: 0.5, maxWidthOrHeight: 2048, useWebWorker: false, preserveExif: true,
                  initialQuality: 0.85 };
  var SMALL_ENOUGH = 400 * 1024; // below this a photo is sent as it is
  var pending = new WeakMap(); // form -> promise of its photos being ready

  function progressOf(input) {
    return input.form && input.form.querySelector(".upload-progress");
  }

  function show(box, value) {
    if (!box) return;
    box.hidden = false;
    var bar = box.querySelector("progress");
    if (bar) bar.value = Math.round(value);
  }

  function shrink(input) {
    var lib = window.imageCompression;
    var files = Array.prototype.slice.call(input.files || []);
    var todo = files.filter(function (f) { return /^image\/(jpeg|png|webp)$/.test(f.type) && f.size > SMALL_ENOUGH; });
    if (!lib || !window.DataTransfer || !todo.length) return Promise.resolve();
    var box = progressOf(input);
    var out = [];
    var index = 0;
    show(box, 0);
    // one photo after the other: a phone's memory holds one decoded 12-megapixel picture at a time
    return files.reduce(function (chain, file) {
      return chain.then(function () {
        if (todo.indexOf(file) < 0) { out.push(file); return null; }
        var options = Object.assign({}, OPTIONS, {
          onProgress: function (p) { show(box, (index * 100 + p) / todo.length); }
        });
        return lib(file, options).then(function (blob) {
          index += 1;
          var name = file.name.replace(/\.(png|webp)$/i, ".jpg");
          out.push(blob.size < file.size ? new File([blob], name, { type: blob.type, lastModified: file.lastModified })
                                         : file);
        }, function () { index += 1; out.push(file); }); // not decodable here: the server decides
      });
    }, Promise.resolve()).then(function () {
      var transfer = new DataTransfer();
      out.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files; // (no change event: this is not run again)
      show(box, 100);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-resize]") || !input.form) return;
    var before = pending.get(input.form) || Promise.resolve();
    pending.set(input.form, before.then(function () { return shrink(input); }).catch(function () {}));
  });

  window.shkPhotos = {
    ready: function (form) { return pending.get(form) || Promise.resolve(); }
  };

  // Forms that the offline queue does not take over (attaching evidence on a hazard's page): wait for
  // the photos, then send; the bar stays visible while the browser uploads.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-offline") || !form.querySelector("input[data-resize]")) return;
    if (form.dataset.photosReady) { show(form.querySelector(".upload-progress"), 100); return; }
    event.preventDefault();
    window.shkPhotos.ready(form).then(function () {
      form.dataset.photosReady = "1";
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  // The report's location: the browser's position when the user allows it, written into an empty
  // field (<input data-geolocate data-position-label="…">); the user adds the place's name.
  var where = document.querySelector("input[data-geolocate]");
  if (where && !where.value && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      if (where.value) return;
      where.value = (where.dataset.positionLabel || "GPS") + " " + pos.coords.latitude.toFixed(5) + ", " +
        pos.coords.longitude.toFixed(5);
    }, function () {}, { maximumAge: 600000, timeout: 10000 });
  }
})();
