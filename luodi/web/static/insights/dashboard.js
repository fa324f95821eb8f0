// Insights dashboard: draws each chart from the JSON API (/api/insights/charts), toggles the
// table view, and loads the projects behind a clicked stage or park into #drill-list (htmx).
// CSP-safe: canvas rendering, tooltips drawn on the canvas (renderMode "richText"), no HTML
// strings with style attributes.
(function () {
  "use strict";

  function option(chart) {
    var base = {
      animation: false,
      tooltip: { trigger: chart.kind === "bar" || chart.kind === "line" ? "axis" : "item", renderMode: "richText" },
      grid: { left: 48, right: 16, top: 36, bottom: 56, containLabel: true },
    };
    var label = {};
    chart.columns.forEach(function (c) { label[c.key] = c.label; });
    var rows = chart.rows;
    if (chart.kind === "funnel" || chart.kind === "pie") {
      var key = chart.series[0];
      base.series = [{
        type: chart.kind,
        name: label[key],
        sort: chart.kind === "funnel" ? "none" : undefined,
        minSize: "8%",
        label: { show: true, formatter: "{b}: {c}" },
        data: rows.map(function (r) {
          return { name: r[chart.x], value: r[key] === null ? 0 : r[key], drill: chart.drill ? r[chart.drill] : null };
        }),
      }];
      return base;
    }
    base.legend = { top: 0, type: "scroll" };
    var names = rows.map(function (r) { return String(r[chart.x] === null ? "" : r[chart.x]); });
    // Long names side by side ran into each other ("…Bio-TownTianfu…"): slant them.
    // A Chinese character takes about two Latin ones; phones have less room.
    var width = names.join("").replace(/[^\x00-\xff]/g, "xx").length;
    var room = window.innerWidth < 600 ? 24 : 48;
    var crowded = rows.length > 4 || width > room;
    base.xAxis = { type: "category", data: names, axisLabel: { interval: 0, rotate: crowded ? 30 : 0 } };
    var y2 = chart.y2 || [];
    // The legend names the right-hand series; an axis title repeated it over the legend.
    // Counts and days are whole numbers: no "0.2 landings" ticks.
    base.yAxis = y2.length
      ? [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }]
      : { type: "value", minInterval: 1 };
    base.series = chart.series.map(function (key) {
      return {
        type: chart.kind === "line" ? "line" : "bar",
        name: label[key],
        yAxisIndex: y2.indexOf(key) >= 0 ? 1 : 0,
        data: rows.map(function (r) {
          var byId = chart.drill === "park" || chart.drill === "area";
          var drillValue = byId ? r.id : chart.drill ? r[chart.drill] : null;
          return { value: r[key], drill: drillValue };
        }),
      };
    });
    return base;
  }

  function drill(root, chart, value) {
    if (value === null || value === undefined || !window.htmx) { return; }
    var param = chart.drill === "park" || chart.drill === "area" ? chart.drill : "stage";
    var url = root.dataset.drill + "?" + param + "=" + encodeURIComponent(value);
    window.htmx.ajax("GET", url, { target: "#drill-list", swap: "innerHTML" });
  }

  function draw(root, chart) {
    var el = root.querySelector('[data-chart-canvas="' + chart.key + '"]');
    if (!el || !window.echarts) { return; }
    var instance = window.echarts.init(el, null, { renderer: "canvas" });
    instance.setOption(option(chart));
    instance.on("click", function (params) {
      if (chart.drill && params.data) { drill(root, chart, params.data.drill); }
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { instance.resize(); });
  }

  function toggles(root) {
    root.querySelectorAll("[data-toggle-table]").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.dataset.toggleTable;
        var table = root.querySelector('[data-chart-table="' + key + '"]');
        var canvas = root.querySelector('[data-chart-canvas="' + key + '"]');
        var showTable = table.hidden;
        table.hidden = !showTable;
        if (canvas) { canvas.hidden = showTable; }  // a chart without data has no canvas
        button.setAttribute("aria-expanded", showTable ? "true" : "false");
      });
    });
  }

  function start() {
    var root = document.getElementById("insights");
    if (!root) { return; }
    toggles(root);
    fetch(root.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { charts: [] }; })
      .then(function (data) {
        data.charts.forEach(function (chart) { if (chart.kind !== "kpi") { draw(root, chart); } });
        root.dataset.ready = "true";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
