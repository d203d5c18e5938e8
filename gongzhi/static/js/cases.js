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
      legend: { data: data.names },
      grid: { left: 40, right: 10, bottom: 60, top: 30 },
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
    setUpChart();
  });
})();
