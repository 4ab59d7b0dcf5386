/* Lists as cards on a phone (issue 20 item 1), with the same templates: every cell of a list table
   (table.list) gets its column's name as data-label, and the table the class "cards"; phone.css lays
   such a table out as one card per row under 640 px, each value after its column's name, so the state,
   grade, deadline and enterprise of a row are all on screen without sideways scrolling.
   A list's filters (form.filters) fold behind one button on a narrow screen: a <details> whose
   summary says how many filters are set. Without this script: the table scrolls in its box as before. */
(function () {
  "use strict";
  var me = document.currentScript;
  var FILTERS = (me && me.dataset.filters) || "Filters";

  document.querySelectorAll("table.list").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) names.push(th.textContent.replace(/\s+/g, " ").trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && names[col]) cell.setAttribute("data-label", names[col]);
          col += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("cards");
  });

  if (!window.matchMedia("(max-width: 720px)").matches) return;
  document.querySelectorAll("form.filters").forEach(function (form) {
    if (form.closest("details")) return;
    var set = 0;
    form.querySelectorAll("select, input:not([type=hidden]):not([type=submit])").forEach(function (f) {
      if (f.type === "checkbox" ? f.checked : f.value) set += 1;
    });
    var fold = document.createElement("details");
    fold.className = "filters-fold";
    var summary = document.createElement("summary");
    summary.className = "button";
    summary.textContent = FILTERS + (set ? " (" + set + ")" : "");
    fold.appendChild(summary);
    form.parentNode.insertBefore(fold, form);
    fold.appendChild(form);
  });
})();
