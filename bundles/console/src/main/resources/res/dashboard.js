/* Edgeport dashboard: polls stats.json every 2 s, fills the tiles and tables, draws the charts with uPlot. */
(function () {
  'use strict';
  var WINDOW = 300; // samples kept in the charts (10 minutes)
  var data = { t: [], inRate: [], outRate: [], clients: [] };
  var rates = null, clients = null;

  function el(id) { return document.getElementById(id); }
  function text(id, v) { var e = el(id); if (e) { e.textContent = v; } }
  function fmt(n) { return n >= 100 ? Math.round(n).toLocaleString('en') : (Math.round(n * 10) / 10).toLocaleString('en'); }
  function duration(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return (d ? d + ' d ' : '') + (d || h ? h + ' h ' : '') + m + ' min';
  }
  function width() { var e = el('ep-dashboard'); return Math.max(300, (e ? e.clientWidth : 800) - 20); }

  function charts() {
    if (typeof uPlot === 'undefined' || rates) { return; }
    rates = new uPlot({ width: width(), height: 220, series: [{},
      { label: 'in / s', stroke: '#1f77b4', width: 2 }, { label: 'out / s', stroke: '#ff7f0e', width: 2 }],
      axes: [{}, { size: 60 }] }, [data.t, data.inRate, data.outRate], el('ep-chart-rates'));
    clients = new uPlot({ width: width(), height: 160, series: [{},
      { label: 'clients', stroke: '#2ca02c', width: 2 }], axes: [{}, { size: 60 }] },
      [data.t, data.clients], el('ep-chart-clients'));
  }

  function push(t, i, o, c) {
    data.t.push(t); data.inRate.push(i); data.outRate.push(o); data.clients.push(c);
    if (data.t.length > WINDOW) { data.t.shift(); data.inRate.shift(); data.outRate.shift(); data.clients.shift(); }
  }

  function rows(id, items, cells) {
    var body = document.querySelector('#' + id + ' tbody');
    if (!body) { return; }
    body.innerHTML = '';
    items.forEach(function (item) {
      var tr = document.createElement('tr');
      cells(item).forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = c.text;
        if (c.cls) { td.className = c.cls; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function cls(status) {
    return status === 'OK' ? 'ep-ok' : status === 'WARN' ? 'ep-warn' : status === 'NONE' ? '' : 'ep-bad';
  }

  function show(s) {
    el('ep-error').style.display = s.broker ? 'none' : 'block';
    if (!s.broker) { text('ep-error', 'The broker is not running (or restarting).'); }
    text('ep-clients', s.broker ? fmt(s.clients) : '-');
    text('ep-in', fmt(s.rateIn));
    text('ep-out', fmt(s.rateOut));
    text('ep-retained', s.broker ? fmt(s.retained) : '-');
    text('ep-queued', s.broker && s.queued >= 0 ? fmt(s.queued) : '-');
    text('ep-subs', s.broker ? fmt(s.subscriptions) : '-');
    text('ep-uptime', s.broker ? duration(s.uptime) : '-');
    var a = s.alarms, total = a.critical + a.major + a.minor + a.warning;
    text('ep-alarms', s.alerting ? total + (total ? ' (' + ['critical', 'major', 'minor', 'warning']
      .filter(function (k) { return a[k]; }).map(function (k) { return a[k] + ' ' + k; }).join(', ') + ')' : '') : 'off');
    el('ep-alarms').className = 'ep-v ' + (a.critical || a.major ? 'ep-bad' : total ? 'ep-warn' : 'ep-ok');
    text('ep-health', s.health);
    el('ep-health').className = 'ep-v ' + cls(s.health);
    rows('ep-consumers', s.consumers || [], function (c) {
      return [{ text: c.name }, { text: c.open ? 'yes' : 'no' }, { text: (c.lagBytes / 1048576).toFixed(1) }];
    });
    rows('ep-checks', s.checks || [], function (c) {
      return [{ text: c.name }, { text: c.status, cls: cls(c.status) }, { text: c.message }];
    });
  }

  function get(url, done) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.onload = function () {
      if (x.status === 200) { done(JSON.parse(x.responseText)); }
      else { el('ep-error').style.display = 'block'; text('ep-error', 'stats.json answered ' + x.status); }
    };
    x.onerror = function () { el('ep-error').style.display = 'block'; text('ep-error', 'The gateway does not answer.'); };
    x.send();
  }

  function poll(url) {
    get(url, function (s) {
      show(s);
      push(Math.floor(s.time / 1000), s.rateIn, s.rateOut, s.broker ? s.clients : null);
      if (rates) { rates.setData([data.t, data.inRate, data.outRate]); clients.setData([data.t, data.clients]); }
    });
  }

  function start() {
    var root = el('ep-dashboard');
    if (!root) { return; }
    var url = root.getAttribute('data-stats');
    get(url + '?history', function (s) {
      if (s.history) {
        for (var i = 0; i < s.history[0].length; i++) {
          push(s.history[0][i], s.history[1][i], s.history[2][i], s.history[3][i]);
        }
      }
      charts();
      show(s);
    });
    setInterval(function () { poll(url); }, 2000);
    window.addEventListener('resize', function () {
      if (rates) { rates.setSize({ width: width(), height: 220 }); clients.setSize({ width: width(), height: 160 }); }
    });
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
