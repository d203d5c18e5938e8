/* The evaluation page's trend chart: a subject's published scores by month, read from a json_script tag.
   Without ECharts the table beside it shows the same figures. */
(function () {
  "use strict";

  function setUpTrend() {
    var holder = document.getElementById("stewardship-trend-chart");
    var source = document.getElementById("stewardship-trend");
    if (!holder || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, bottom: 40, top: 20 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", data: data.totals, smooth: false, label: { show: true } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", setUpTrend);
})();
