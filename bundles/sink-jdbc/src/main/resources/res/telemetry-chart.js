/* Edgeport telemetry chart: one device's measurement over a chosen range, from readings.json, drawn with uPlot. */
(function () {
  'use strict';
  var plot = null;

  function el(id) { return document.getElementById(id); }

  function load() {
    var form = el('ep-chart-form');
    if (!form || typeof uPlot === 'undefined') {
      if (el('ep-chart-note')) { el('ep-chart-note').textContent = 'Charts need the console bundle (uPlot).'; }
      return;
    }
    var select = form.elements.device, option = select.options[select.selectedIndex];
    if (!option) { return; }
    var range = parseInt(form.elements.range.value, 10);
    var from = new Date(Date.now() - range * 1000).toISOString();
    var url = form.getAttribute('data-readings') + '&device=' + encodeURIComponent(option.value) +
      '&from=' + encodeURIComponent(from) + '&limit=10000';
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.onload = function () {
      if (x.status !== 200) { el('ep-chart-note').textContent = 'readings.json answered ' + x.status; return; }
      var rows = JSON.parse(x.responseText).filter(function (r) { return r.measurement === option.getAttribute('data-m'); });
      rows.reverse(); // oldest first
      var t = rows.map(function (r) { return Date.parse(r.ts) / 1000; });
      var v = rows.map(function (r) { return r.value; });
      var label = option.getAttribute('data-m') + (option.getAttribute('data-unit') ? ' (' + option.getAttribute('data-unit') + ')' : '');
      var box = el('ep-telemetry-chart');
      var width = Math.max(300, box.clientWidth || 800);
      if (plot) { plot.destroy(); }
      plot = new uPlot({ width: width, height: 260, series: [{}, { label: label, stroke: '#1f77b4', width: 2 }],
        axes: [{}, { size: 60 }] }, [t, v], box);
      el('ep-chart-note').textContent = rows.length + ' readings of ' + option.value + ' since ' + from +
        (rows.length >= 10000 ? ' (the newest 10,000)' : '');
    };
    x.send();
  }

  function start() {
    var form = el('ep-chart-form');
    if (!form) { return; }
    form.addEventListener('change', load);
    load();
    setInterval(function () { if (form.elements.live.checked) { load(); } }, 5000);
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
