// Live progress of an invoice run: polls the progress URL until the run is done.
/* global document, fetch, setTimeout */
(function () {
  'use strict';
  var box = document.getElementById('run-progress');
  if (!box || box.getAttribute('data-done') === 'true') return;
  var url = box.getAttribute('data-url');
  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = String(value);
  }
  function render(p) {
    document.getElementById('run-bar').value = p.percent;
    document.getElementById('run-bar').textContent = p.percent + '%';
    text('run-entries', p.entriesProcessed);
    text('run-entries-total', p.entriesTotal);
    text('run-invoices', p.invoicesMade);
    text('run-buyers', p.buyersTotal);
    var status = document.getElementById('run-status');
    if (status && status.firstChild) status.firstChild.textContent = p.failed ? 'Mislukt: ' : p.done ? 'Klaar: ' : 'Bezig: ';
    var list = document.getElementById('run-invoice-list');
    if (list && p.invoices.length) {
      list.textContent = '';
      p.invoices.forEach(function (i) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '/facturen/' + encodeURIComponent(i.id);
        a.textContent = i.number;
        li.appendChild(a);
        li.appendChild(document.createTextNode(' — ' + i.buyerName + ' — ' + i.gross));
        list.appendChild(li);
      });
    }
    if (p.done) box.setAttribute('data-done', 'true');
  }
  function poll() {
    fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (p) {
        if (p) render(p);
        if (!p || !p.done) setTimeout(poll, 700);
      })
      .catch(function () {
        setTimeout(poll, 2000);
      });
  }
  setTimeout(poll, 300);
})();
