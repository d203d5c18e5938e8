// Campaign pages: the daily progress chart and the map of grids coloured by household coverage.
// Data comes from json_script blocks; the map is registered from the grids' own GeoJSON (no tiles).
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function progressChart(box) {
    var rows = readJson(box.getAttribute("data-progress"));
    if (!rows || !window.echarts) {
      return;
    }
    var chart = window.echarts.init(box);
    chart.setOption({
      // Rich-text tooltips are drawn on the canvas: HTML ones carry style attributes the CSP refuses.
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.day.slice(5); }) },
      yAxis: { type: "value" },
      series: [
        { name: box.getAttribute("data-label-h"), type: "line", data: rows.map(function (r) { return r.h_total; }) },
        { name: box.getAttribute("data-label-p"), type: "line", data: rows.map(function (r) { return r.p_total; }) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function coverageMap(box) {
    var data = readJson(box.getAttribute("data-map"));
    if (!data || !window.echarts || !data.geo.features.length) {
      return;
    }
    var name = "campaign-grids-" + box.id;
    window.echarts.registerMap(name, data.geo);
    var chart = window.echarts.init(box);
    chart.setOption({
      tooltip: {
        trigger: "item",
        renderMode: "richText",
        formatter: function (p) {
          var d = p.data || {};
          return (d.label || p.name) + "\n" + (d.households || "") + " · " + (p.value === undefined ? "" : p.value + "%");
        }
      },
      visualMap: {
        min: 0, max: 100, left: "left", bottom: 8, calculable: false, text: ["100%", "0%"],
        inRange: { color: ["#c0392b", "#f1c40f", "#27ae60"] }
      },
      series: [{
        type: "map", map: name, roam: true, name: box.getAttribute("data-label"),
        label: { show: false }, emphasis: { label: { show: false } },
        data: data.values
      }]
    });
    box.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var p = document.getElementById("progress-chart");
    if (p) { progressChart(p); }
    var m = document.getElementById("coverage-map");
    if (m) { coverageMap(m); }
  });
})();
