// 工作台仪表盘: draws the charts of the user's area from the JSON the page carries (json_script).
// No inline script (Content-Security-Policy): this file is loaded in {% block scripts %}.
(function () {
  const source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  const d = JSON.parse(source.textContent);
  const charts = [];

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.dataset.ready = "1";
    charts.push(chart);
  }

  draw("chart-coverage", {
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "—" : v + "%") },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 10, top: 50, bottom: 80 },
    xAxis: { type: "category", data: d.coverage.towns, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: d.coverage.series.map((s) => ({ name: s.name, type: "bar", data: s.data })),
  });

  draw("chart-trends", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 40, bottom: 30 },
    xAxis: { type: "category", data: d.trends.months },
    yAxis: { type: "value" },
    series: d.trends.series.map((s) => ({ name: s.name, type: "line", data: s.data })),
  });

  if (d.goals.items.length) {
    draw("chart-goals", {
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: (ps) => {
          const item = d.goals.items[ps[0].dataIndex];
          const v = item.value === null ? "—" : item.value;
          return `${item.name}<br>目标 ${item.target}${item.ratio ? "%" : item.unit}，完成 ${v}${item.ratio ? "%" : ""}（${item.percent}%，${item.status}）`;
        },
      },
      grid: { left: 200, right: 40, top: 10, bottom: 30 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.goals.items.map((i) => i.name), inverse: true },
      series: [{
        type: "bar", data: d.goals.items.map((i) => ({ value: i.percent, itemStyle: { color: i.status === "滞后" ? "#dc3545" : i.status === "已完成" ? "#198754" : "#0d6efd" } })),
        label: { show: true, position: "right", formatter: "{c}%" },
        markLine: { symbol: "none", data: [{ xAxis: d.goals.elapsed, label: { formatter: "时间进度" } }] },
      }],
    });
  }

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
