// Insights map and relationship graph: offline (our own outline of Chengdu, no tiles),
// data from /api/insights/map and /api/insights/graph. CSP-safe like dashboard.js.
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  function drawMap(root, outline, data) {
    var el = root.querySelector("[data-map-canvas]");
    window.echarts.registerMap("luodi-chengdu", outline);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    function pts(kind) {
      return data.points.filter(function (p) { return p.kind === kind; }).map(function (p) {
        return { name: p.name, value: [p.lon, p.lat, p.landings] };
      });
    }
    // Landed projects at their own company's coordinates (the park's when it has none),
    // one point per spot with its count; the API leaves out spots that must stay hidden.
    var landed = (data.landed || []).map(function (p) {
      return { name: p.name, value: [p.lon, p.lat, p.landings] };
    });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      legend: { top: 0 },
      geo: {
        map: "luodi-chengdu", roam: true,
        itemStyle: { areaColor: "#eef3f8", borderColor: "#9aabbf", borderWidth: 0.6 },
        emphasis: { itemStyle: { areaColor: "#dde7f2" }, label: { show: true, color: "#3b4a5c" } },
        label: { show: false },
      },
      series: [
        { type: "scatter", coordinateSystem: "geo", name: root.dataset.labelParks, symbol: "diamond", symbolSize: 12, data: pts("park") },
        { type: "scatter", coordinateSystem: "geo", name: root.dataset.labelHospitals, symbolSize: 7, data: pts("hospital") },
        {
          type: "effectScatter", coordinateSystem: "geo", name: root.dataset.labelLandings,
          symbolSize: function (v) { return Math.min(28, 8 + 3 * (v[2] || 0)); }, data: landed,
        },
      ],
    });
    el.dataset.rendered = "true";
  }

  function drawGraph(root, data) {
    var el = root.querySelector("[data-graph-canvas]");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var cats = data.categories.map(function (c) { return { name: c.label }; });
    var index = {};
    data.categories.forEach(function (c, i) { index[c.key] = i; });
    chart.setOption({
      animation: false,
      tooltip: { renderMode: "richText" },
      legend: { top: 0, type: "scroll", data: cats.map(function (c) { return c.name; }) },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 120, edgeLength: 80 },
        categories: cats,
        label: { show: false },
        data: data.nodes.map(function (n) {
          return { id: n.id, name: n.name, value: n.degree, category: index[n.kind], symbolSize: 6 + Math.min(24, 2 * n.degree) };
        }),
        links: data.links.map(function (l) {
          return { source: l.source, target: l.target, value: l.weight, lineStyle: { width: Math.min(6, l.weight) } };
        }),
      }],
    });
    el.dataset.rendered = "true";
  }

  function start() {
    var root = document.getElementById("insights-map");
    if (!root || !window.echarts) { return; }
    Promise.all([getJSON(root.dataset.outline), getJSON(root.dataset.map), getJSON(root.dataset.graph)])
      .then(function (r) {
        if (r[0] && r[1]) { drawMap(root, r[0], r[1]); }
        if (r[2]) { drawGraph(root, r[2]); }
        root.dataset.ready = "true";
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
