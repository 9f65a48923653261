(function () {
  'use strict';
  function cellValue(row, col, numeric) {
    var td = row.cells[col];
    if (!td) return numeric ? -Infinity : '';
    var v = td.getAttribute('data-v');
    if (numeric) { var n = Number(v === null ? td.textContent : v); return isNaN(n) ? -Infinity : n; }
    return (v === null ? td.textContent : v).toLowerCase();
  }
  function sortTable(table, col, descending) {
    var th = table.tHead.rows[0].cells[col];
    var numeric = th.getAttribute('data-type') === 'num';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (r, i) { return { r: r, i: i, k: cellValue(r, col, numeric) }; });
    rows.sort(function (a, b) {
      var c = a.k < b.k ? -1 : a.k > b.k ? 1 : 0;
      return (descending ? -c : c) || a.i - b.i;
    });
    var frag = document.createDocumentFragment();
    rows.forEach(function (x) { frag.appendChild(x.r); });
    body.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
  }
  function filterTable(table, text) {
    var q = text.toLowerCase(), shown = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var hit = !q || rows[i].textContent.toLowerCase().indexOf(q) >= 0;
      rows[i].hidden = !hit;
      if (hit) shown++;
    }
    var count = document.querySelector('.count[data-for="' + table.id + '"]');
    if (count) count.textContent = shown + ' of ' + rows.length + ' rows';
    return shown;
  }
  var tables = Array.prototype.slice.call(document.querySelectorAll('table.data'));
  tables.forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.title = 'Click to sort';
      th.addEventListener('click', function () { sortTable(table, col, th.getAttribute('aria-sort') === 'ascending'); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('input.filter'), function (input) {
    var table = document.getElementById(input.getAttribute('data-for'));
    input.addEventListener('input', function () { filterTable(table, input.value); });
  });

  function selfTest() {
    var failures = [], checked = 0;
    function ordered(table, col, descending) {
      var numeric = table.tHead.rows[0].cells[col].getAttribute('data-type') === 'num';
      var rows = table.tBodies[0].rows;
      for (var i = 1; i < rows.length; i++) {
        var a = cellValue(rows[i - 1], col, numeric), b = cellValue(rows[i], col, numeric);
        if (descending ? a < b : a > b) return false;
      }
      return true;
    }
    tables.forEach(function (table) {
      if (table.tBodies[0].rows.length < 2) return;
      var heads = table.tHead.rows[0].cells;
      for (var col = 0; col < heads.length; col++) {
        heads[col].click();
        if (!ordered(table, col, false) || heads[col].getAttribute('aria-sort') !== 'ascending') failures.push(table.id + ' col ' + col + ' ascending');
        heads[col].click();
        if (!ordered(table, col, true) || heads[col].getAttribute('aria-sort') !== 'descending') failures.push(table.id + ' col ' + col + ' descending');
      }
      var probe = table.tBodies[0].rows[0].cells[0].textContent;
      var shown = filterTable(table, probe);
      if (shown < 1) failures.push(table.id + ' filter hid every row');
      filterTable(table, '');
      checked++;
    });
    var out = document.getElementById('selftest');
    out.textContent = (failures.length ? 'SELFTEST FAIL ' + failures.join('; ') : 'SELFTEST PASS') + ' tables=' + checked;
    out.setAttribute('data-result', failures.length ? 'fail' : 'pass');
  }
  if (location.hash === '#selftest') selfTest();
})();
