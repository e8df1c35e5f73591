/* Edgeport Clients page: the subscribe tool polls watch.json every second and lists the newest messages. */
(function () {
  'use strict';
  var timer = null;

  function el(id) { return document.getElementById(id); }

  function render(messages) {
    var body = document.querySelector('#watched tbody');
    body.innerHTML = '';
    messages.slice().reverse().forEach(function (m) {
      var tr = document.createElement('tr');
      [m.at, m.topic, String(m.qos), m.retain ? 'yes' : '', m.client, m.payload].forEach(function (v) {
        var td = document.createElement('td');
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function poll(url) {
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.onload = function () {
      var a = JSON.parse(x.responseText);
      if (x.status !== 200) { el('watch-note').textContent = a.error || ('answered ' + x.status); return; }
      el('watch-note').textContent = 'watching ' + a.filter + ': ' + a.messages.length + ' message(s), newest first';
      render(a.messages);
    };
    x.send();
  }

  function start() {
    var form = el('watch');
    if (!form) { return; }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var url = location.pathname.replace(/\/$/, '') + '/watch.json?filter=' + encodeURIComponent(form.elements.filter.value);
      if (timer) { clearInterval(timer); }
      poll(url);
      timer = setInterval(function () { poll(url); }, 1000);
    });
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
