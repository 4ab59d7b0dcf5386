/* Four-colour map: draws areas (polygons) and risk points (pins) over the site plan in an SVG,
   and lets a manager place them. Coordinates are relative (0..1) so the plan scales freely. */
(function () {
  "use strict";
  var box = document.getElementById("riskmap");
  var dataTag = document.getElementById("riskmap-data");
  if (!box || !dataTag) return;
  var svg = box.querySelector("svg");
  var NS = "http://www.w3.org/2000/svg";
  var vb = svg.viewBox.baseVal;
  var data = JSON.parse(dataTag.textContent);
  var draft = [];

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    data.areas.forEach(function (a) {
      if (!a.polygon) return;
      var pts = a.polygon.map(function (p) { return (p[0] * vb.width) + "," + (p[1] * vb.height); }).join(" ");
      var poly = el("polygon", {points: pts, fill: a.colour, stroke: a.colour});
      poly.appendChild(el("title", {}, a.name));
      svg.appendChild(poly);
      var cx = 0, cy = 0;
      a.polygon.forEach(function (p) { cx += p[0]; cy += p[1]; });
      svg.appendChild(el("text", {x: cx / a.polygon.length * vb.width, y: cy / a.polygon.length * vb.height,
        "text-anchor": "middle"}, a.name));
    });
    data.pins.forEach(function (p) {
      if (p.x === null || p.x === undefined) return;
      var c = el("circle", {cx: p.x * vb.width, cy: p.y * vb.height, r: 10, fill: p.colour});
      c.appendChild(el("title", {}, p.name));
      svg.appendChild(c);
    });
    if (draft.length) {
      svg.appendChild(el("polyline", {points: draft.map(function (p) { return p[0] * vb.width + "," + p[1] * vb.height; }).join(" "),
        fill: "none", stroke: "#000", "stroke-dasharray": "6 4", "stroke-width": 2}));
    }
    ["red", "orange", "yellow", "blue"].forEach(function (g) {
      var n = document.getElementById("count-" + g);
      if (n) n.textContent = data.counts[g];
    });
  }

  var select = document.getElementById("place-what");
  var status = document.getElementById("place-status");
  function say(text) { if (status) status.textContent = text; }

  function send(body) {
    return fetch(box.dataset.placeUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": box.dataset.csrf},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
      .then(function (res) {
        if (res.ok) { data = res.body.map; draft = []; draw(); say("✓"); }
        else { say(res.body.error ? res.body.error.message + " " + JSON.stringify(res.body.error.fields) : "error"); }
      });
  }

  function chosen() {
    if (!select || !select.value) return null;
    var parts = select.value.split(":");
    return {type: parts[0], id: parseInt(parts[1], 10)};
  }

  if (box.dataset.editable === "true" && select) {
    box.classList.add("editing");
    svg.addEventListener("click", function (ev) {
      var rect = svg.getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (ev.clientX - rect.left) / rect.width));
      var y = Math.min(1, Math.max(0, (ev.clientY - rect.top) / rect.height));
      var what = chosen();
      if (!what) return;
      if (what.type === "pin") { send({type: "pin", id: what.id, x: x, y: y}); }
      else { draft.push([x, y]); draw(); say(draft.length + " ✚"); }
    });
    document.getElementById("place-finish").addEventListener("click", function () {
      var what = chosen();
      if (what && what.type === "area") send({type: "area", id: what.id, polygon: draft});
    });
    document.getElementById("place-clear").addEventListener("click", function () {
      var what = chosen();
      if (!what) return;
      send(what.type === "pin" ? {type: "pin", id: what.id, x: null, y: null} : {type: "area", id: what.id, polygon: null});
    });
    select.addEventListener("change", function () { draft = []; draw(); });
  }
  draw();
})();
