/* Charts: draws every <figure class="chart"> of the page from its JSON data island with ECharts
   (static/vendor/echarts, installed by `make assets`). The spec is ours (app/frontend/charts.py):
   kind bar | hbar | line | pie | donut, categories, series, colours, links. The figure's table holds
   the same numbers; it stays visible when this script or ECharts does not run, and a button shows
   it on request once the chart is drawn. Canvas renderer, no eval: works under script-src 'self'. */
(function () {
  "use strict";
  if (!window.echarts) return; // vendor file missing: the tables stay as they are

  var NARROW = 480; // px: a phone (390 px) gets labels inside, legend below, shorter names
  var FONT = getComputedStyle(document.documentElement).fontFamily;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function colourOf(spec, i) {
    return spec.colors && spec.colors[i] ? spec.colors[i] : undefined;
  }

  function perCategoryColours(spec) {
    // One series coloured per category (grades): each bar takes its category's colour.
    return spec.series.length === 1 && spec.colors && spec.colors.length === spec.categories.length;
  }

  function unitSuffix(spec) {
    return spec.unit ? " " + spec.unit : "";
  }

  function pieOption(spec, narrow) {
    var s = spec.series[0];
    var total = s.data.reduce(function (a, b) { return a + b; }, 0);
    return {
      legend: { bottom: 0, left: "center", itemGap: narrow ? 8 : 14, textStyle: { fontSize: narrow ? 12 : 13 } },
      tooltip: { trigger: "item", confine: true, formatter: "{b}: {c}" + unitSuffix(spec) + " ({d}%)" },
      series: [{
        type: "pie", name: s.name,
        radius: spec.kind === "donut" ? ["42%", "68%"] : [0, "68%"],
        center: ["50%", "45%"],
        avoidLabelOverlap: true,
        minAngle: total ? 3 : 0,
        label: narrow ? { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold",
                          textBorderColor: "rgba(0,0,0,.45)", textBorderWidth: 2 }
                      : { formatter: "{b}\n{c}" + unitSuffix(spec) },
        data: s.data.map(function (v, i) {
          return { name: spec.categories[i], value: v, itemStyle: { color: colourOf(spec, i) } };
        })
      }]
    };
  }

  function axisOption(spec, narrow) {
    var horizontal = spec.kind === "hbar";
    var colourEach = perCategoryColours(spec);
    var categoryAxis = {
      type: "category", data: spec.categories, inverse: horizontal, // rankings: worst (first) on top
      boundaryGap: spec.kind !== "line",
      axisLabel: horizontal ? { width: narrow ? 96 : 180, overflow: "truncate" }
                            : { hideOverlap: true, rotate: narrow && spec.categories.length > 6 ? 45 : 0 }
    };
    var valueAxis = { type: "value", minInterval: 1, name: spec.unit || "" };
    var multi = spec.series.length > 1;
    return {
      grid: { left: 8, right: horizontal ? 36 : 16, top: multi ? 36 : 24, bottom: 8, containLabel: true },
      legend: multi ? { top: 0, left: "center" } : undefined,
      tooltip: { trigger: "axis", confine: true, axisPointer: { type: horizontal ? "shadow" : "line" } },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s, si) {
        var type = spec.kind === "line" ? "line" : "bar";
        return {
          type: type, name: s.name, stack: spec.stack ? "total" : undefined,
          color: s.color || (!colourEach ? colourOf(spec, si) : undefined),
          symbolSize: 6, barMaxWidth: 36,
          label: { show: type === "bar" && !spec.stack && (!narrow || horizontal),
                   position: horizontal ? "right" : "top" },
          data: s.data.map(function (v, i) {
            return colourEach ? { value: v, itemStyle: { color: spec.colors[i] } } : v;
          })
        };
      })
    };
  }

  function optionFor(spec, width) {
    var narrow = width < NARROW;
    var option = spec.kind === "pie" || spec.kind === "donut" ? pieOption(spec, narrow) : axisOption(spec, narrow);
    option.textStyle = { fontFamily: FONT };
    option.animation = !reduceMotion;
    option.animationDuration = 300;
    return option;
  }

  function heightFor(spec, width) {
    if (spec.kind === "hbar") return Math.max(200, 34 * spec.categories.length + 60);
    return width < NARROW ? 260 : 320;
  }

  function draw(figure) {
    var island = figure.querySelector("script.chart-data");
    var box = figure.querySelector(".chart-canvas");
    if (!island || !box || figure.classList.contains("chart-ready")) return;
    var spec;
    try { spec = JSON.parse(island.textContent); } catch (e) { return; }

    figure.classList.add("chart-ready"); // shows the canvas box before measuring it
    var width = box.clientWidth || figure.clientWidth;
    box.style.height = heightFor(spec, width) + "px";
    var chart = window.echarts.init(box, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(optionFor(spec, width));
    if (spec.links) {
      chart.on("click", function (p) {
        var link = spec.links[p.dataIndex];
        if (link) window.location.href = link;
      });
    }

    var lastWidth = width;
    var relayout = function () {
      var w = box.clientWidth;
      if (!w) return;
      if ((w < NARROW) !== (lastWidth < NARROW)) {
        box.style.height = heightFor(spec, w) + "px";
        chart.setOption(optionFor(spec, w), { notMerge: true });
      }
      lastWidth = w;
      chart.resize();
    };
    if (window.ResizeObserver) new ResizeObserver(relayout).observe(box);
    else window.addEventListener("resize", relayout);

    var toggle = figure.querySelector(".chart-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = figure.classList.toggle("chart-show-table");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.textContent = open ? toggle.dataset.hide : toggle.dataset.show;
      });
    }
  }

  function drawAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("figure.chart"), draw);
  }

  window.shkCharts = { drawAll: drawAll }; // for pages that add charts after loading
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  else drawAll();
})();
