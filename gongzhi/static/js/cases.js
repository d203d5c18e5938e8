// Cases: the report form's "use my location" button and the measures chart. A static file: the CSP
// forbids inline scripts.
(function () {
  "use strict";

  function setUpPoint(box) {
    var button = box.querySelector("[data-case-locate]");
    var label = box.querySelector("[data-case-point-label]");
    var lon = box.querySelector("input[name=longitude]");
    var lat = box.querySelector("input[name=latitude]");
    if (!button || !lon || !lat) {
      return;
    }
    if (!navigator.geolocation) {
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        var where = document.querySelector("select[name=where]");
        if (where) {
          where.value = "";
        }
        if (label) {
          label.textContent = lat.value + ", " + lon.value;
        }
      });
    });
  }

  // The grid map: the grids' GeoJSON drawn by ECharts; a tap sets the point (the server finds the grid).
  function setUpMap(box) {
    var holder = document.getElementById("case-map");
    var source = document.getElementById("case-grids");
    var lon = box.querySelector("input[name=longitude]");
    var lat = box.querySelector("input[name=latitude]");
    var label = box.querySelector("[data-case-point-label]");
    if (!holder || !source || !window.echarts || !lon || !lat) {
      return;
    }
    var shortGridName = function (name) {
      var match = /(第[0-9一二三四五六七八九十]+网格)$/.exec(name || "");
      return match ? match[1] : name;
    };
    window.echarts.registerMap("case-grids", JSON.parse(source.textContent));
    var chart = window.echarts.init(holder);
    var option = function (point) {
      return {
        // Grid names repeat the compound's ("华侨新村第1网格"); on a phone-wide map only "第1网格" fits.
        geo: { map: "case-grids", roam: true,
               label: { show: true, fontSize: 10, formatter: function (p) { return shortGridName(p.name); } },
               itemStyle: { areaColor: "#f4f6f8", borderColor: "#9aa5b1" } },
        series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 14, data: point ? [point] : [] }]
      };
    };
    chart.setOption(option(null));
    chart.getZr().on("click", function (event) {
      var coord = chart.convertFromPixel("geo", [event.offsetX, event.offsetY]);
      if (!coord) {
        return;
      }
      lon.value = coord[0].toFixed(6);
      lat.value = coord[1].toFixed(6);
      var where = document.querySelector("select[name=where]");
      if (where) {
        where.value = "";
      }
      if (label) {
        label.textContent = lat.value + ", " + lon.value;
      }
      chart.setOption(option(coord));
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function setUpChart() {
    var holder = document.getElementById("case-chart");
    var source = document.getElementById("case-chart-data");
    if (!holder || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: data.names, top: 0 },
      grid: { left: 40, right: 10, bottom: 90, top: 36 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: data.names[0], type: "bar", data: data.on_time },
        { name: data.names[1], type: "bar", data: data.closure }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-case-point]").forEach(setUpPoint);
    document.querySelectorAll("[data-case-point]").forEach(setUpMap);
    setUpChart();
  });
})();
