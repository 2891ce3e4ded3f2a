/* 联办 Lianban — the analysts' dashboard: 三率 by district, channel mix, monthly volume and backlog, overdue list. */
(function () {
  'use strict';
  var L = window.Lianban;
  var t = L.t;
  var charts = {};
  var state = { years: [], last: null };
  var COLORS = ['#2f6fb0', '#2e8b57', '#d68910', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d'];
  var CHANNELS = ['online', 'wechat', 'app', 'letter', 'visit', 'phone', 'video'];

  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'svg' });
    return charts[id];
  }

  function query() {
    var f = document.getElementById('filters');
    var year = f.year.value;
    var p = new URLSearchParams();
    if (year) {
      p.set('from', year + '-01-01');
      p.set('to', (Number(year) + 1) + '-01-01');
    }
    if (f.region.value) p.set('region', f.region.value);
    // "截至 6月30日" includes that day: its last millisecond, China time
    if (f.asOf.value) p.set('asOf', f.asOf.value + 'T23:59:59.999+08:00');
    return p;
  }

  function withParams(base, p, extra) {
    var q = new URLSearchParams(p);
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    var s = q.toString();
    return base + (s ? '?' + s : '');
  }

  function setKpi(name, value, sub) {
    var box = document.querySelector('[data-kpi="' + name + '"]');
    box.querySelector('.value').textContent = value;
    box.querySelector('.sub').textContent = sub || '';
  }

  function renderKpis(r) {
    var x = r.totals;
    setKpi('acceptance', L.pct(x.acceptance.rate), L.num(x.acceptance.timely) + t('of') + L.num(x.acceptance.due) + ' ' + t('due'));
    setKpi('completion', L.pct(x.completion.rate), L.num(x.completion.onTime) + t('of') + L.num(x.completion.due) + ' ' + t('due'));
    setKpi('satisfaction', L.pct(x.satisfaction.rate), t('satisfaction12345') + ' ' + L.pct(x.satisfaction.weightedRate) + ' · ' + L.num(x.satisfaction.rated));
    setKpi('online', L.pct(x.registrations.onlineShare), L.num(x.registrations.online) + t('of') + L.num(x.registrations.total));
    setKpi('repeat', L.pct(x.repeats.rate), L.num(x.repeats.repeats) + t('of') + L.num(x.repeats.petitions));
    setKpi('backlog', L.num(x.backlog.cases), L.num(x.backlog.cases) + ' ' + t('backlogCases') + ' · ' + L.num(x.backlog.tasks + x.backlog.unrouted) + ' ' + t('backlogTasks'));
    document.getElementById('as-of-label').textContent = t('asOf') + ' ' + L.minute(r.asOf);
  }

  function renderDistricts(r) {
    var rows = r.groups;
    chart('chart-district').setOption({
      color: COLORS,
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null || v === undefined ? '—' : v.toFixed(1) + '%'; } },
      legend: { top: 0 },
      grid: { left: 46, right: 12, top: 34, bottom: 40 },
      xAxis: { type: 'category', data: rows.map(function (g) { return g.name; }), axisLabel: { interval: 0, fontSize: 11 } },
      yAxis: { type: 'value', min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10 - 10); }, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        { name: t('acceptance'), type: 'bar', barMaxWidth: 28, data: rows.map(function (g) { return rate(g.acceptance.rate); }) },
        { name: t('completion'), type: 'bar', barMaxWidth: 28, data: rows.map(function (g) { return rate(g.completion.rate); }) },
        { name: t('satisfaction'), type: 'bar', barMaxWidth: 28, data: rows.map(function (g) { return rate(g.satisfaction.rate); }) },
      ],
    }, true);
    var byChannel = r.totals.registrations.byChannel;
    chart('chart-channels').setOption({
      color: COLORS,
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0, type: 'scroll' },
      series: [{
        type: 'pie', radius: ['38%', '66%'], center: ['50%', '45%'], avoidLabelOverlap: true, label: { formatter: '{b}\n{d}%' },
        data: CHANNELS.filter(function (c) { return byChannel[c] > 0; }).map(function (c) { return { name: t('channel_' + c), value: byChannel[c] }; }),
      }],
    }, true);
    var tbody = document.querySelector('#ranking tbody');
    tbody.textContent = '';
    var byKey = {};
    rows.forEach(function (g) { byKey[g.key] = g; });
    (r.rankings ? r.rankings.acceptance : []).forEach(function (e) {
      var g = byKey[e.key];
      tbody.appendChild(L.el('tr', { 'data-key': e.key }, [
        L.el('td', { class: 'num', text: String(e.rank) }), L.el('td', { text: g.name }),
        L.el('td', { class: 'num', text: L.pct(g.acceptance.rate) }), L.el('td', { class: 'num', text: L.pct(g.completion.rate) }),
        L.el('td', { class: 'num', text: L.pct(g.satisfaction.rate) }),
      ]));
    });
    if (!tbody.children.length) tbody.appendChild(L.el('tr', {}, [L.el('td', { colspan: '5', class: 'muted', text: t('noData') })]));
  }

  function rate(r) {
    return r === null ? null : Math.round(r * 1000) / 10;
  }

  function renderMonths(r) {
    var rows = r.groups;
    chart('chart-monthly').setOption({
      color: ['#2f6fb0', '#c0392b'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 34, bottom: 30 },
      xAxis: { type: 'category', data: rows.map(function (g) { return g.key; }) },
      yAxis: [{ type: 'value', name: t('registrations'), minInterval: 1 }, { type: 'value', name: t('backlog'), minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: t('registrations'), type: 'bar', barMaxWidth: 36, data: rows.map(function (g) { return g.registrations.total; }) },
        { name: t('backlog'), type: 'line', yAxisIndex: 1, smooth: true, data: rows.map(function (g) { return g.backlog.tasks + g.backlog.unrouted; }) },
      ],
    }, true);
  }

  function renderOverdue(o) {
    var tbody = document.querySelector('#overdue tbody');
    tbody.textContent = '';
    document.getElementById('overdue-count').textContent = o.total > o.items.length ? t('more', { n: L.num(o.total), k: o.items.length }) : '(' + o.total + ')';
    o.items.forEach(function (i) {
      var link = L.el('a', { href: '/ui/cases/' + i.caseId, text: i.caseNumber });
      tbody.appendChild(L.el('tr', { 'data-case': i.caseId }, [
        L.el('td', {}, [link]), L.el('td', { class: 'subject', text: i.subject }), L.el('td', { text: i.districtName }),
        L.el('td', { text: i.agencyName || t('bureau') }), L.el('td', { text: t(i.limit) }), L.el('td', { text: L.day(i.dueAt) }),
        L.el('td', { class: 'num late', text: L.num(i.daysOverdue) + ' ' + t('days') }),
      ]));
    });
    if (!o.items.length) tbody.appendChild(L.el('tr', {}, [L.el('td', { colspan: '7', class: 'muted', text: t('noData') })]));
  }

  /**
   * A refused question (4xx: another region's statistics, a token of another region) leaves no
   * chart of the previous question standing: the figures are emptied and the page says why.
   */
  function fail(e) {
    state.reports = null;
    Object.keys(charts).forEach(function (k) { charts[k].clear(); });
    document.querySelectorAll('[data-kpi] .value').forEach(function (v) { v.textContent = '—'; });
    document.querySelectorAll('[data-kpi] .sub').forEach(function (v) { v.textContent = ''; });
    ['#ranking tbody', '#overdue tbody'].forEach(function (s) { document.querySelector(s).textContent = ''; });
    document.getElementById('overdue-count').textContent = '';
    document.getElementById('as-of-label').textContent = '';
    var refused = e && e.status >= 400 && e.status < 500;
    document.body.setAttribute('data-error', (e && e.code) || (refused ? 'HTTP_' + e.status : 'FAILED'));
    if (!refused) return L.showError(e);
    if (e.code === 'WRONG_REGION_SERVICE') return L.showError(t('wrongRegion'));
    if (e.code === 'REGION_NOT_ALLOWED') return L.showError(t('regionNotAllowed'));
    L.showError(t('statsRefused', { message: e.message }));
  }

  function load() {
    document.body.removeAttribute('data-ready');
    var p = query();
    var overdue = new URLSearchParams();
    if (p.get('region')) overdue.set('region', p.get('region'));
    // the overdue list is the backlog at the end of the chosen period (or at the as-of moment)
    var end = p.get('asOf');
    if (p.get('to') && (!end || new Date(L.chinaDayStart(p.get('to'))) < new Date(end))) end = new Date(Date.parse(L.chinaDayStart(p.get('to'))) - 1).toISOString();
    if (end) overdue.set('asOf', end);
    overdue.set('limit', '20');
    return Promise.all([
      L.api(withParams('/v1/stats', p, { groupBy: 'district' })),
      L.api(withParams('/v1/stats', p, { groupBy: 'month' })),
      L.api(withParams('/v1/stats/overdue', overdue)),
    ]).then(function (res) {
      state.reports = res;
      L.clearError();
      document.body.removeAttribute('data-error');
      render();
      document.body.setAttribute('data-ready', 'true');
    }).catch(fail);
  }

  function render() {
    if (!state.reports) return;
    renderKpis(state.reports[0]);
    renderDistricts(state.reports[0]);
    renderMonths(state.reports[1]);
    renderOverdue(state.reports[2]);
  }

  function fillYears(coverage) {
    var select = document.getElementById('f-year');
    var keep = select.value;
    select.textContent = '';
    var first = coverage.first ? Number(L.day(coverage.first).slice(0, 4)) : null;
    var last = coverage.last ? Number(L.day(coverage.last).slice(0, 4)) : null;
    if (last !== null) for (var y = last; y >= first; y--) select.appendChild(L.el('option', { value: String(y), text: String(y) }));
    select.appendChild(L.el('option', { value: '', text: t('allYears') }));
    select.value = keep || (last !== null ? String(last) : '');
  }

  /**
   * Offers only the regions this deployment answers for this token (a cross-region deployment
   * keeps its own region; a token of one region sees that region), and "both" only where a
   * question without region sums them.
   */
  function fillRegions(answered) {
    var select = document.getElementById('f-region');
    select.textContent = '';
    var options = (answered.combined ? [''] : []).concat(answered.regions);
    options.forEach(function (r) {
      var key = r === '' ? 'allRegions' : r;
      select.appendChild(L.el('option', { value: r, 'data-i18n': key, text: t(key) }));
    });
    select.disabled = options.length < 2;
    return options.length > 0;
  }

  function start() {
    L.translate();
    L.bindLanguageSwitch(function () {
      fillYears(state.coverage || {});
      render();
    });
    document.getElementById('filters').addEventListener('submit', function (ev) {
      ev.preventDefault();
      load();
    });
    document.getElementById('export-csv').addEventListener('click', function () {
      L.download(withParams('/v1/stats', query(), { groupBy: 'district', format: 'csv' }), 'lianban-stats-district.csv').catch(L.showError);
    });
    window.addEventListener('resize', function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    // the regions first: a region this deployment does not answer is never offered, nor asked
    L.api('/v1/stats/regions').then(function (answered) {
      if (!fillRegions(answered)) {
        document.getElementById('filters').querySelectorAll('select, input, button').forEach(function (c) { c.disabled = true; });
        document.body.setAttribute('data-error', 'NO_REGIONS');
        return L.showError(t('noRegions'));
      }
      // the years the data spans pick the default period: the latest year with petitions
      return L.api(withParams('/v1/stats', query(), { groupBy: 'region' })).then(function (all) {
        state.coverage = all.coverage;
        fillYears(all.coverage);
        return load();
      });
    }).catch(fail);
  }

  start();
})();
