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
    table.classList.toggle('filtering', !!q);
    var count = document.querySelector('.count[data-for="' + table.id + '"]');
    if (count) count.textContent = q ? shown + ' of ' + rows.length + ' rows' : rows.length + (rows.length === 1 ? ' row' : ' rows');
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
  Array.prototype.forEach.call(document.querySelectorAll('button.show-all'), function (button) {
    var table = document.getElementById(button.getAttribute('data-for'));
    var label = button.textContent;
    button.addEventListener('click', function () {
      var collapsed = table.classList.toggle('collapsed');
      button.textContent = collapsed ? label : 'Show the first rows only';
    });
  });

  var flame = flameGraph();

  // The interactive flame graph: the stacks of one weight folded into a tree, drawn as positioned boxes (they scale
  // with the page), zoomed by a click, searched by the box above it, inverted by building the tree from the innermost frame.
  function flameGraph() {
    var dataNode = document.getElementById('flame-data');
    if (!dataNode) return null;
    var data = JSON.parse(dataNode.textContent);
    var chart = document.getElementById('flame-chart'), status = document.getElementById('flame-status');
    var select = document.getElementById('flame-weight'), invert = document.getElementById('flame-invert');
    var search = document.getElementById('flame-search'), reset = document.getElementById('flame-reset'), tip = document.getElementById('flame-tip');
    var ROW = 18, MAX_BOXES = 6000;
    var state = { weight: data.weights[0], inverted: false, root: null, focus: null, query: '' };
    function build() {
      var root = { name: 'all stacks', value: 0, count: 0, children: {}, parent: null };
      state.weight.stacks.forEach(function (s) {
        var frames = s[2].slice();
        if (state.inverted) frames.reverse();
        root.value += s[0]; root.count += s[1];
        var node = root;
        frames.forEach(function (f) {
          var child = node.children[f];
          if (!child) child = node.children[f] = { name: data.names[f], value: 0, count: 0, children: {}, parent: node };
          child.value += s[0]; child.count += s[1];
          node = child;
        });
      });
      state.root = root; state.focus = root;
    }
    function kids(node) {
      return Object.keys(node.children).map(function (k) { return node.children[k]; })
        .sort(function (a, b) { return b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); });
    }
    function colour(name) {
      var h = 17;
      for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      return 'hsl(' + (10 + h % 40) + ',75%,' + (60 + h % 15) + '%)';
    }
    function bytes(n) {
      var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], u = 0, v = n;
      while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
      return (u === 0 ? v : v.toFixed(2)) + ' ' + units[u] + (u === 0 ? '' : ' (' + n.toLocaleString('en-US') + ' B)');
    }
    function matches(node) { return state.query && node.name.toLowerCase().indexOf(state.query) >= 0; }
    function render() {
      chart.textContent = '';
      var width = chart.clientWidth || 800, focus = state.focus, boxes = 0, deepest = 0;
      var chain = [];
      for (var n = focus; n; n = n.parent) chain.unshift(n);
      function place(node, x, w, depth, above) {
        var d = document.createElement('div');
        d.className = 'fr' + (above ? ' above' : '') + (matches(node) ? ' match' : '');
        d.style.left = (x * 100) + '%';
        d.style.width = (w * 100) + '%';
        d.style.top = (depth * ROW) + 'px';
        d.style.background = colour(node.name);
        if (w * width > 24) d.textContent = node.name;
        d.flameNode = node;
        chart.appendChild(d);
        boxes++;
        if (depth > deepest) deepest = depth;
      }
      chain.forEach(function (node, i) { place(node, 0, 1, i, node !== focus); });
      (function walk(node, x, depth) {
        kids(node).forEach(function (c) {
          var w = focus.value > 0 ? c.value / focus.value : 0;
          if (w * width >= 1 && boxes < MAX_BOXES) {
            place(c, x, w, depth, false);
            walk(c, x, depth + 1);
          }
          x += w;
        });
      })(focus, 0, chain.length);
      chart.style.height = ((deepest + 1) * ROW + 2) + 'px';
      describe();
    }
    function describe() {
      var w = state.weight, text = w.explain + '. ' + w.totalStacks + (w.totalStacks === 1 ? ' stack' : ' stacks') + ', ' + bytes(state.root.value) + '.';
      if (w.totalStacks > w.stacks.length) text += ' The smallest are added up in "[other stacks]".';
      if (state.focus !== state.root) text += ' Zoomed into ' + state.focus.name + ' (' + bytes(state.focus.value) + ').';
      if (state.query) {
        var hit = 0, frames = 0;
        (function walk(node, counted) {
          var m = matches(node);
          if (m) frames++;
          if (m && !counted) hit += node.value;
          kids(node).forEach(function (c) { walk(c, counted || m); });
        })(state.focus, false);
        text += ' Search "' + state.query + '": ' + frames + (frames === 1 ? ' frame matches' : ' frames match') + ', ' +
          (state.focus.value > 0 ? (100 * hit / state.focus.value).toFixed(1) : '0.0') + '% of the ' + w.label + ' bytes shown.';
      }
      status.textContent = text;
    }
    function show(weightId, inverted) {
      state.weight = data.weights.filter(function (w) { return w.id === weightId; })[0] || data.weights[0];
      state.inverted = inverted;
      build();
      render();
    }
    chart.addEventListener('click', function (e) {
      var node = e.target.flameNode;
      if (!node) return;
      state.focus = node === state.focus && node.parent ? node.parent : node;
      render();
    });
    chart.addEventListener('mousemove', function (e) {
      var node = e.target.flameNode;
      if (!node) { tip.hidden = true; return; }
      var share = state.root.value > 0 ? (100 * node.value / state.root.value).toFixed(1) : '0.0';
      tip.textContent = node.name + ': ' + bytes(node.value) + ' ' + state.weight.label + ' in ' + node.count + ' ' + state.weight.count + ', ' + share + '% of all';
      tip.hidden = false;
      tip.style.left = Math.min(e.clientX + 12, window.innerWidth - tip.offsetWidth - 4) + 'px';
      tip.style.top = (e.clientY + 14) + 'px';
    });
    chart.addEventListener('mouseleave', function () { tip.hidden = true; });
    select.addEventListener('change', function () { show(select.value, invert.checked); });
    invert.addEventListener('change', function () { show(select.value, invert.checked); });
    search.addEventListener('input', function () { state.query = search.value.trim().toLowerCase(); render(); });
    reset.addEventListener('click', function () { state.focus = state.root; render(); });
    window.addEventListener('resize', render);
    show(select.value, false);
    return {
      // Drives the controls as a user would and says what did not work.
      test: function () {
        var failures = [];
        function boxes() { return Array.prototype.slice.call(chart.querySelectorAll('.fr')); }
        if (boxes().length < 2) failures.push('flame: nothing drawn');
        var narrow = boxes().filter(function (b) { return b.flameNode.parent === state.root && parseFloat(b.style.width) < 99.9; })[0];
        if (narrow) {
          narrow.click();
          var zoomed = boxes().filter(function (b) { return b.flameNode === narrow.flameNode; })[0];
          if (state.focus !== narrow.flameNode || !zoomed || parseFloat(zoomed.style.width) !== 100) failures.push('flame: click did not zoom');
          boxes()[0].click();
          if (state.focus !== state.root) failures.push('flame: click on the top bar did not zoom out');
        }
        var deep = boxes().filter(function (b) { return b.flameNode.parent && b.flameNode.parent !== state.root; })[0] || boxes()[boxes().length - 1];
        search.value = deep.flameNode.name;
        search.dispatchEvent(new Event('input'));
        if (chart.querySelectorAll('.fr.match').length < 1 || status.textContent.indexOf('match') < 0) failures.push('flame: search highlighted nothing');
        search.value = '';
        search.dispatchEvent(new Event('input'));
        if (chart.querySelectorAll('.fr.match').length !== 0) failures.push('flame: search highlight stayed');
        invert.checked = true;
        invert.dispatchEvent(new Event('change'));
        var leaves = {};
        state.weight.stacks.forEach(function (s) { leaves[data.names[s[2][s[2].length - 1]]] = true; });
        var top = boxes().filter(function (b) { return b.flameNode.parent === state.root; });
        if (top.length < 1 || top.some(function (b) { return !leaves[b.flameNode.name]; })) failures.push('flame: inverted view does not start at the innermost frames');
        invert.checked = false;
        invert.dispatchEvent(new Event('change'));
        Array.prototype.forEach.call(select.options, function (o) {
          select.value = o.value;
          select.dispatchEvent(new Event('change'));
          if (state.weight.id !== o.value || (state.weight.stacks.length > 0 && boxes().length < 2)) failures.push('flame: weight ' + o.value + ' not drawn');
        });
        select.value = data.weights[0].id;
        select.dispatchEvent(new Event('change'));
        return failures;
      }
    };
  }

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
    if (flame) failures = failures.concat(flame.test());
    // the page fits its window: nothing wider than the viewport, every figure inside it
    var width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) failures.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
    Array.prototype.forEach.call(document.querySelectorAll('figure, figure svg, .flame-chart, .verdict, .scroll, nav, header'), function (el) {
      var r = el.getBoundingClientRect();
      if (r.left < -0.5 || r.right > width + 0.5) failures.push((el.id || el.className || el.tagName) + ' outside the page: ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + width);
    });
    // every figure drawn with a height (not collapsed to nothing), and which ones and which sections the page has
    var ids = function (selector) { return Array.prototype.map.call(document.querySelectorAll(selector), function (el) { return el.id; }).join(','); };
    Array.prototype.forEach.call(document.querySelectorAll('figure svg'), function (svg) {
      if (svg.getBoundingClientRect().height < 100) failures.push(svg.parentNode.id + ' drawn ' + Math.round(svg.getBoundingClientRect().height) + ' px high');
    });
    var out = document.getElementById('selftest');
    out.textContent = (failures.length ? 'SELFTEST FAIL ' + failures.join('; ') : 'SELFTEST PASS') + ' tables=' + checked +
      ' flame=' + (flame ? 'tested' : 'none') + ' width=' + width + ' figures=' + ids('figure') + ' sections=' + ids('main > section');
    out.setAttribute('data-result', failures.length ? 'fail' : 'pass');
  }
  if (location.hash === '#selftest') selfTest();
})();
