// 培训覆盖: the table's figures as a chart — willing and trained per township (bars) and the
// coverage rate (line, right axis). Data from json_script; no inline script (CSP).
(function () {
  const source = document.getElementById("training-coverage-data");
  const el = document.getElementById("chart-training-coverage");
  if (!source || !el || typeof echarts === "undefined") return;
  const d = JSON.parse(source.textContent);
  const chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 50, right: 50, top: 40, bottom: 70 },
    xAxis: { type: "category", data: d.towns, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: [
      { type: "value", name: "人" },
      { type: "value", name: "覆盖率", max: 100, axisLabel: { formatter: "{value}%" } },
    ],
    series: [
      { name: "有培训意愿", type: "bar", data: d.willing },
      { name: "已参训", type: "bar", data: d.trained },
      { name: "覆盖率", type: "line", yAxisIndex: 1, data: d.share },
    ],
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
