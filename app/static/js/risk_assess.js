/* Assessment form: show only the inputs of the chosen method (all stay in the page without script). */
(function () {
  "use strict";
  var form = document.getElementById("assess-form");
  if (!form) return;
  var method = form.querySelector("select[name=method]");
  function update() {
    form.querySelectorAll("fieldset[data-method]").forEach(function (fs) {
      fs.hidden = fs.dataset.method !== method.value;
    });
  }
  method.addEventListener("change", update);
  update();
})();
