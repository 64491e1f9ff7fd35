// relend's pages: the lists of the chosen program, a run's progress, the reasons chart.
(function () {
  "use strict";
  var program = document.getElementById("program");
  function showLists() {
    document.querySelectorAll("label.list").forEach(function (label) {
      var mine = label.dataset.program === program.value;
      label.hidden = !mine;
      label.querySelector("input").disabled = !mine;
    });
  }
  if (program) { program.addEventListener("change", showLists); showLists(); }

  var run = document.getElementById("run");
  if (run && (run.dataset.status === "queued" || run.dataset.status === "running")) {
    var bar = document.getElementById("progress");
    var poll = function () {
      fetch("/api/" + run.dataset.kind + "/" + run.dataset.id, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (state) {
          if (bar) { bar.value = state.progress; }
          if (state.status === "done" || state.status === "failed") { location.reload(); }
          else { setTimeout(poll, 700); }
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }

  var chart = document.getElementById("chart");
  if (chart && window.Plotly) {
    var data = JSON.parse(chart.dataset.chart);
    window.Plotly.newPlot(chart, [
      {type: "bar", name: chart.dataset.loans, x: data.reasons, y: data.loans,
       offsetgroup: 1},
      {type: "bar", name: chart.dataset.principal, x: data.reasons, y: data.principal_yuan,
       yaxis: "y2", offsetgroup: 2}
    ], {barmode: "group", height: 380, margin: {t: 20, b: 90},
        legend: {orientation: "h", y: 1.12},
        yaxis: {title: {text: chart.dataset.loans}},
        yaxis2: {title: {text: chart.dataset.principal}, overlaying: "y", side: "right"}},
       {displaylogo: false, responsive: true});
  }
})();
