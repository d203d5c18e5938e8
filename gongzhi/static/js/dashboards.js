// The cockpit: the grid map (ECharts on the grids' own GeoJSON, no tiles) with switchable layers and
// drill-down on click, the charts, the tiles' help toggle, and on the big screen a refresh every minute.
// The charts' data comes from a json_script block (the CSP forbids inline scripts); the map's (GeoJSON and
// every grid's values) from the map JSON the page names in data-map-url, fetched once (a conditional GET);
// the big screen refreshes the values every minute from its own JSON, which leaves the geometry out.
(function () {
  "use strict";

  var COLOURS = {
    coverage: ["#c0392b", "#f1c40f", "#27ae60"],
    overdue: ["#fdf0ed", "#f39c8f", "#b42318"],
    density: ["#eef4fb", "#7fb0e0", "#1d5fa8"],
    grade: ["#27ae60", "#8bc34a", "#f1c40f", "#e67e22", "#c0392b"]
  };

  // The grade's colours from the best to the worst, however many bands the rubric has.
  function gradeColour(i, n) {
    var c = COLOURS.grade;
    return c[n <= 1 ? 0 : Math.round(i * (c.length - 1) / (n - 1))];
  }

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function isScreen() {
    return document.body.classList.contains("ck-screen");
  }

  function textColour() {
    return isScreen() ? "#e6edf5" : "#1f2328";
  }

  // --- the map -------------------------------------------------------------------------------

  function layerRange(rows, layer, grades) {
    if (layer === "coverage") { return [0, 100]; }
    if (layer === "grade") { return [1, Math.max(grades.length, 1)]; }
    var max = 0;
    rows.forEach(function (r) {
      var v = r[layer].value;
      if (v !== null && v > max) { max = v; }
    });
    return [0, Math.max(max, 1)];
  }

  function mapOption(data, layer) {
    var range = layerRange(data.rows, layer, data.grades);
    var values = data.rows.filter(function (r) { return r.on_map; }).map(function (r) {
      var cell = r[layer];
      return { name: r.name, value: cell.value === null ? NaN : cell.value, label: r.label, text: cell.text, detail: cell.detail, query: r.query };
    });
    var colours = COLOURS[layer];
    return {
      tooltip: {
        trigger: "item",
        // Rich-text tooltips are drawn on the canvas: HTML ones carry style attributes the CSP refuses.
        renderMode: "richText",
        formatter: function (p) {
          var d = p.data || {};
          return (d.label || p.name) + "\n" + (d.text || "") + (d.detail ? "（" + d.detail + "）" : "");
        }
      },
      visualMap: {
        type: layer === "grade" ? "piecewise" : "continuous",
        min: range[0], max: range[1], orient: "horizontal", left: "center", bottom: 4, calculable: false,
        itemWidth: layer === "grade" ? 14 : 12, itemHeight: layer === "grade" ? 14 : 140,
        textStyle: { color: textColour() },
        text: layer === "grade" ? null : [String(range[1]) + (layer === "coverage" ? "%" : ""), "0"],
        pieces: layer === "grade" ? data.grades.map(function (g, i) {
          return { value: g.value, label: g.label, color: gradeColour(i, data.grades.length) };
        }) : undefined,
        inRange: layer === "grade" ? undefined : { color: colours },
        outOfRange: { color: "#c8ccd2" }
      },
      series: [{
        type: "map", map: "cockpit-grids", roam: true, name: layer,
        layoutCenter: ["50%", "46%"], layoutSize: "86%",
        // Names on the map only while they fit; with many grids the tooltip and the table name them.
        label: { show: values.length <= 16, color: "#1f2328", fontSize: isScreen() ? 16 : 11, formatter: function (p) { return p.data ? p.data.label : ""; } },
        itemStyle: { areaColor: "#dcdfe4", borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { label: { show: true, color: "#1f2328" }, itemStyle: { areaColor: "#f7dc6f" } },
        select: { disabled: true },
        data: values
      }]
    };
  }

  function showLayer(box, layer) {
    box.setAttribute("data-layer", layer);
    document.querySelectorAll(".ck-layer").forEach(function (a) {
      var on = a.getAttribute("data-layer") === layer;
      a.classList.toggle("active", on);
      if (on) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
    });
    document.querySelectorAll("[data-layer-help]").forEach(function (p) {
      p.hidden = p.getAttribute("data-layer-help") !== layer;
    });
  }

  function gridMap(box, data) {
    if (!data || !window.echarts || !data.geo.features.length) {
      return null;
    }
    window.echarts.registerMap("cockpit-grids", data.geo);
    var chart = window.echarts.init(box);
    var state = { data: data, chart: chart };
    function draw() {
      chart.setOption(mapOption(state.data, box.getAttribute("data-layer")), true);
    }
    draw();
    chart.on("click", function (p) {
      if (p.data && p.data.query) {
        window.location.href = window.location.pathname + "?" + p.data.query;
      }
    });
    document.querySelectorAll(".ck-layer").forEach(function (a) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        showLayer(box, a.getAttribute("data-layer"));
        draw();
        if (window.history && window.history.replaceState) {
          window.history.replaceState(null, "", a.getAttribute("href"));
        }
      });
    });
    window.addEventListener("resize", function () { chart.resize(); });
    // The screen's refresh brings new values, never new geometry: the registered map stays.
    state.update = function (next) {
      state.data = { geo: state.data.geo, rows: next.rows, grades: next.grades || state.data.grades };
      draw();
    };
    box.setAttribute("data-ready", "1");
    return state;
  }

  // The map's data, fetched once; the map (and the screen's refresh of it) start when it arrives.
  function loadMap(box) {
    var url = box.getAttribute("data-map-url");
    if (!url || !window.fetch) { return Promise.resolve(null); }
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { return gridMap(box, data); })
      .catch(function () {
        box.setAttribute("data-failed", "1");
        return null;
      });
  }

  // --- the charts ----------------------------------------------------------------------------

  function chartOption(c) {
    var axisColour = textColour();
    var texts = c.series.length ? c.series[0].text : [];
    var percent = c.series.length && c.series[0].unit === "%";
    return {
      tooltip: {
        trigger: "axis",
        renderMode: "richText",
        formatter: function (items) {
          var i = items.length ? items[0].dataIndex : 0;
          return c.x[i] + "\n" + (c.series[0].name || "") + "：" + (texts[i] === undefined ? "" : texts[i]);
        }
      },
      grid: { left: 48, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: c.x, axisLabel: { color: axisColour } },
      yAxis: { type: "value", minInterval: 1, min: 0, max: percent ? 100 : null, axisLabel: { color: axisColour, formatter: c.series.length && c.series[0].unit ? "{value}%" : "{value}" } },
      series: c.series.map(function (s) {
        return { name: s.name, type: c.kind, data: s.data, connectNulls: false, itemStyle: { color: "#c0392b" }, lineStyle: { color: "#c0392b" } };
      })
    };
  }

  function drawCharts(list, made) {
    list.forEach(function (c) {
      var box = document.querySelector("[data-chart='" + c.key + "']");
      if (!box || c.empty || !window.echarts) { return; }
      var chart = made[c.key] || window.echarts.init(box);
      made[c.key] = chart;
      chart.setOption(chartOption(c), true);
      box.setAttribute("data-ready", "1");
    });
  }

  // --- tiles' help toggle and the big screen's refresh ---------------------------------------------

  function helpToggle() {
    var button = document.querySelector(".ck-help-toggle");
    if (!button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-pressed") !== "true";
      button.setAttribute("aria-pressed", open ? "true" : "false");
      button.textContent = button.getAttribute(open ? "data-hide" : "data-show");
      document.querySelectorAll(".ck-tile-help").forEach(function (d) { d.open = open; });
    });
  }

  function refreshTiles(tiles) {
    tiles.forEach(function (t) {
      var tile = document.querySelector("[data-figure='" + t.key + "']");
      if (!tile) { return; }
      tile.querySelector(".ck-tile-value").textContent = t.value;
      var change = tile.querySelector(".ck-tile-change");
      change.textContent = t.change || "\u00a0";
      change.classList.toggle("ck-up", t.change.charAt(0) === "+");
      change.classList.toggle("ck-down", t.change.charAt(0) === "-");
      tile.classList.toggle("ck-tile-bad", t.tone === "bad");
    });
  }

  function autoRefresh(url, seconds, mapReady, made) {
    var map = null;
    mapReady.then(function (m) { map = m; });
    window.setInterval(function () {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          refreshTiles(data.tiles);
          if (map) { map.update(data.map); }
          drawCharts(data.charts, made);
          var at = document.querySelector("[data-refreshed]");
          if (at && data.refreshed_at) { at.textContent = data.refreshed_at; }
          document.body.setAttribute("data-refreshed-count", String(Number(document.body.getAttribute("data-refreshed-count") || "0") + 1));
        })
        .catch(function () { /* the next minute tries again */ });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("cockpit-map");
    var map = box ? loadMap(box) : Promise.resolve(null);
    var made = {};
    drawCharts(readJson("cockpit-charts-data") || [], made);
    window.addEventListener("resize", function () {
      Object.keys(made).forEach(function (k) { made[k].resize(); });
    });
    helpToggle();
    var url = document.body.getAttribute("data-refresh");
    if (url) {
      autoRefresh(url, Number(document.body.getAttribute("data-refresh-seconds") || "60"), map, made);
    }
  });
})();
