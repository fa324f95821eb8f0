// Insights map and relationship graph. Offline: Chengdu's districts come from a static file
// built by `make assets` (insights/geo_districts.py), the points from /api/insights/map and
// the graph from /api/insights/graph. CSP-safe like dashboard.js: canvas rendering, tooltips
// drawn on the canvas (renderMode "richText"), DOM built with createElement/textContent.
(function () {
  "use strict";

  var COLORS = { park: "#2f6fd0", hospital: "#2e9d5b", landed: "#d9822b" };
  var LINK_COLORS = { project: "#7b8794", agreement: "#2e9d5b", visit: "#d9822b" };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  // "{n} points" style labels come translated from the template's data attributes.
  function fmt(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function checked(root, selector) {
    var out = {};
    root.querySelectorAll(selector).forEach(function (box) { out[box.value] = box.checked; });
    return out;
  }

  // ------------------------------------------------------------------ map

  function bbox(geojson) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    geojson.features.forEach(function (f) {
      f.geometry.coordinates.forEach(function (poly) {
        poly[0].forEach(function (p) {
          b = [Math.min(b[0], p[0]), Math.min(b[1], p[1]), Math.max(b[2], p[0]), Math.max(b[3], p[1])];
        });
      });
    });
    return b;
  }

  function mapRows(data, box) {
    var rows = data.points.map(function (p) {
      return { layer: p.kind, name: p.name, district: p.district || "", lon: p.lon, lat: p.lat, landings: p.landings };
    });
    (data.landed || []).forEach(function (p) {
      rows.push({ layer: "landed", name: p.name, district: "", lon: p.lon, lat: p.lat, landings: p.landings });
    });
    rows.forEach(function (r) {
      r.inside = r.lon >= box[0] && r.lon <= box[2] && r.lat >= box[1] && r.lat <= box[3];
    });
    return rows;
  }

  function mapTooltip(root, layerLabels) {
    var d = root.dataset;
    return function (params) {
      var r = params.data && params.data.row;
      if (!r) { return params.name ? fmt(d.labelDistrict, { name: params.name }) : ""; }
      // A landed spot's count line already says what it is; parks and hospitals say their layer.
      var lines = r.layer === "landed" ? [r.name] : [r.name, layerLabels[r.layer] + (r.district ? " · " + r.district : "")];
      if (r.layer !== "hospital") {
        lines.push(r.landings === null ? d.labelHidden : fmt(d.labelLandings, { n: r.landings }));
      }
      return lines.join("\n");
    };
  }

  // A label that would run past the right edge is drawn on the left of its point instead;
  // overlapping labels are hidden until a hover or a zoom separates them.
  function keepInside(el) {
    return function (p) {
      if (p.labelRect.x + p.labelRect.width > el.clientWidth - 4) {
        return { x: p.rect.x - 4, align: "right", hideOverlap: true };
      }
      return { hideOverlap: true };
    };
  }

  // Long park names (and English ones) are cut with an ellipsis to fit a phone; the tooltip
  // and the table view give them whole.
  function labelWidth(root) {
    return root.clientWidth < 560 ? 110 : 240;
  }

  // The five central districts are a few pixels wide at city scale: their names are drawn
  // on hover and once zoomed in, the others always (when "District names" is ticked).
  function smallRegions(districts, box) {
    var whole = (box[2] - box[0]) * (box[3] - box[1]);
    return districts.features.filter(function (f) {
      var b = bbox({ features: [f] });
      return (b[2] - b[0]) * (b[3] - b[1]) < whole * 0.012;
    }).map(function (f) { return { name: f.properties.name, label: { show: false } }; });
  }

  function mapOption(root, rows, layerLabels, shown, names, regions) {
    function series(layer, extra) {
      var data = rows.filter(function (r) { return r.layer === layer && r.inside; }).map(function (r) {
        return { name: r.name, value: [r.lon, r.lat, r.landings], row: r };
      });
      return Object.assign({
        id: layer, type: "scatter", coordinateSystem: "geo", name: layerLabels[layer],
        data: shown[layer] ? data : [], itemStyle: { color: COLORS[layer] },
        tooltip: { formatter: mapTooltip(root, layerLabels) },
        emphasis: { label: { show: true, formatter: "{b}", position: "right", color: "#1f2933", fontSize: 11 } },
        labelLayout: keepInside(root.querySelector("[data-map-canvas]")),
      }, extra);
    }
    return {
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText", formatter: mapTooltip(root, layerLabels) },
      geo: {
        map: "luodi-chengdu-districts", roam: true, scaleLimit: { min: 1, max: 12 },
        layoutCenter: ["50%", "50%"], layoutSize: "98%",
        itemStyle: { areaColor: "#eef3f8", borderColor: "#8fa1b6", borderWidth: 0.8 },
        label: { show: names, color: "#5b6b7f", fontSize: 10 },
        emphasis: { itemStyle: { areaColor: "#dde7f2" }, label: { show: true, color: "#1f2933" } },
        select: { disabled: true },
        regions: names ? regions : [],
      },
      series: [
        series("park", {
          symbol: "diamond", symbolSize: 13, z: 4,
          // Park names are always drawn; overlapping ones wait for a hover or a zoom.
          label: {
            show: true, formatter: "{b}", position: "right", fontSize: 11, color: "#1d4f91",
            textBorderColor: "#fff", textBorderWidth: 2, width: labelWidth(root), overflow: "truncate",
          },
        }),
        series("hospital", { symbolSize: 7, z: 3 }),
        series("landed", {
          z: 5, symbolSize: function (v) { return Math.min(28, 8 + 3 * (v[2] || 0)); },
          itemStyle: { color: COLORS.landed, opacity: 0.85, borderColor: "#fff", borderWidth: 1 },
        }),
      ],
    };
  }

  function fillTable(root, rows, layerLabels) {
    var body = root.querySelector("[data-map-table] tbody");
    if (!body) { return; }
    body.textContent = "";
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.layer = r.layer;
      var landings = r.layer === "hospital" ? "" : (r.landings === null ? "–" : String(r.landings));
      [r.name, layerLabels[r.layer], r.district, landings].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function drawMap(root, districts, data) {
    var el = root.querySelector("[data-map-canvas]");
    window.echarts.registerMap("luodi-chengdu-districts", districts);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var layerLabels = {};
    data.categories.forEach(function (c) { layerLabels[c.key] = c.label; });
    var box = bbox(districts);
    var rows = mapRows(data, box);
    var regions = smallRegions(districts, box);
    var namesBox = root.querySelector("[data-map-district-names]");
    function render() {
      var shown = checked(root, "[data-map-filter]");
      // Narrow screens draw district names only on hover: twenty names do not fit 390 px.
      var names = namesBox ? namesBox.checked && el.clientWidth >= 560 : true;
      // A tooltip left open over a point that the new option drops would be refreshed
      // against missing data (an exception inside ECharts): close it first.
      chart.dispatchAction({ type: "hideTip" });
      chart.setOption(mapOption(root, rows, layerLabels, shown, names, regions), { notMerge: true });
      var visible = rows.filter(function (r) { return r.inside && shown[r.layer]; }).length;
      root.querySelector("[data-map-count]").textContent = fmt(root.dataset.labelMapCount, { n: visible });
      var outside = rows.filter(function (r) { return !r.inside && shown[r.layer]; }).length;
      root.querySelector("[data-map-outside]").textContent = outside ? fmt(root.dataset.labelOutside, { n: outside }) : "";
      root.querySelectorAll("[data-map-table] tbody tr").forEach(function (tr) {
        tr.hidden = !shown[tr.dataset.layer];
      });
    }
    fillTable(root, rows, layerLabels);
    render();
    root.querySelectorAll("[data-map-filter], [data-map-district-names]").forEach(function (box) {
      box.addEventListener("change", render);
    });
    window.addEventListener("resize", function () {
      // A container without size (a page being captured or hidden) would give ECharts a
      // singular transform and an exception: wait for a real size.
      if (!el.clientWidth || !el.clientHeight) { return; }
      chart.resize();
      render();
    });
    el.dataset.rendered = "true";
  }

  // ------------------------------------------------------------------ graph

  function graphView(data, kinds, linkKinds) {
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var links = data.links.filter(function (l) {
      var a = byId[l.source], b = byId[l.target];
      return a && b && kinds[a.kind] && kinds[b.kind] && l.kinds.some(function (k) { return linkKinds[k]; });
    });
    var degree = {};
    links.forEach(function (l) {
      degree[l.source] = (degree[l.source] || 0) + l.weight;
      degree[l.target] = (degree[l.target] || 0) + l.weight;
    });
    var nodes = data.nodes.filter(function (n) { return degree[n.id]; });
    // Name the busiest organizations outright (up to 25); others show their name on hover.
    var ranked = nodes.map(function (n) { return degree[n.id]; }).sort(function (a, b) { return b - a; });
    var threshold = ranked.length > 25 ? ranked[24] : 0;
    var narrowThreshold = ranked.length > 6 ? ranked[5] : 0;
    return { nodes: nodes, links: links, degree: degree, threshold: threshold, narrowThreshold: narrowThreshold };
  }

  function graphOption(root, data, view, narrow) {
    var kindLabels = {}, index = {}, linkLabels = {};
    data.categories.forEach(function (c, i) { kindLabels[c.key] = c.label; index[c.key] = i; });
    (data.link_kinds || []).forEach(function (k) { linkLabels[k.key] = k.label; });
    var names = {};
    data.nodes.forEach(function (n) { names[n.id] = n.name; });
    var d = root.dataset;
    return {
      animation: false,
      tooltip: {
        renderMode: "richText",
        formatter: function (p) {
          if (p.dataType === "edge") {
            var l = p.data.link;
            return [names[l.source] + " — " + names[l.target],
              l.kinds.map(function (k) { return linkLabels[k] || k; }).join(" · ") + " × " + l.weight].join("\n");
          }
          var n = p.data.node;
          return [n.name, kindLabels[n.kind] || n.kind, fmt(d.labelLinks, { n: view.degree[n.id] || 0 })].join("\n");
        },
      },
      legend: { top: 0, type: "scroll", selectedMode: false, data: data.categories.map(function (c) { return c.label; }) },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true, top: 40, zoom: narrow ? 0.85 : 1,
        // Narrow screens pull the nodes closer so the network stays inside the card.
        force: narrow ? { repulsion: 90, edgeLength: [30, 70], gravity: 0.14 } : { repulsion: 160, edgeLength: [50, 110], gravity: 0.08 },
        categories: data.categories.map(function (c) { return { name: c.label }; }),
        labelLayout: keepInside(root.querySelector("[data-graph-canvas]")),
        emphasis: { focus: "adjacency", label: { show: true } },
        data: view.nodes.map(function (n) {
          var deg = view.degree[n.id];
          return {
            id: n.id, name: n.name, value: deg, category: index[n.kind], node: n,
            symbolSize: 8 + Math.min(22, 2 * deg),
            label: {
              show: deg >= (narrow ? view.narrowThreshold : view.threshold), position: "right",
              fontSize: 11, color: "#1f2933", width: labelWidth(root), overflow: "truncate",
            },
          };
        }),
        links: view.links.map(function (l) {
          return {
            source: l.source, target: l.target, value: l.weight, link: l,
            lineStyle: { width: Math.min(6, 0.8 + l.weight), color: LINK_COLORS[l.kinds[0]] || "#999", opacity: 0.7 },
          };
        }),
      }],
    };
  }

  function drawGraph(root, data) {
    var el = root.querySelector("[data-graph-canvas]");
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    function render() {
      var view = graphView(data, checked(root, "[data-graph-kind-filter]"), checked(root, "[data-graph-link-filter]"));
      chart.dispatchAction({ type: "hideTip" });  // as on the map: no tooltip on a dropped node
      chart.setOption(graphOption(root, data, view, el.clientWidth < 560), { notMerge: true });
      root.querySelector("[data-graph-count]").textContent = fmt(root.dataset.labelGraphCount, {
        nodes: view.nodes.length, links: view.links.length,
      });
    }
    render();
    root.querySelectorAll("[data-graph-kind-filter], [data-graph-link-filter]").forEach(function (box) {
      box.addEventListener("change", render);
    });
    window.addEventListener("resize", function () {
      if (el.clientWidth && el.clientHeight) { chart.resize(); }
    });
    el.dataset.rendered = "true";
  }

  function start() {
    var root = document.getElementById("insights-map");
    if (!root || !window.echarts) { return; }
    Promise.all([getJSON(root.dataset.districts), getJSON(root.dataset.map), getJSON(root.dataset.graph)])
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
