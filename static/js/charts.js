/* Draws every <canvas data-chart="ID"> with Chart.js from the JSON in <script id="ID">
   (written by the view through json_script). The figures are also in a table on the page, so
   the charts add a picture, never information of their own. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var locale = document.documentElement.lang || "en";
  var numbers = new Intl.NumberFormat(locale);

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var drawn = spec.datasets.some(function (set) {
      return set.data.some(function (value) { return Number(value) > 0; });
    });
    if (!drawn) {
      // Blank axes would say less than a sentence: the page holds one for each chart.
      var sentence = document.querySelector('[data-chart-empty="' + canvas.dataset.chart + '"]');
      if (sentence) {
        canvas.parentElement.hidden = true;
        sentence.hidden = false;
        return;
      }
    }
    var datasets = spec.datasets.map(function (set) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: set.color,
        borderColor: set.color,
        borderWidth: 1
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        // Drawn at once: a page printed or captured right after loading shows the charts.
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        locale: locale,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + numbers.format(item.parsed.y);
              }
            }
          }
        },
        scales: {
          x: { stacked: spec.stacked },
          y: { stacked: spec.stacked, beginAtZero: true, ticks: { precision: 0 } }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
