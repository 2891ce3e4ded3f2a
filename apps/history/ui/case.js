/* 联办 Lianban — one case: swimlanes per agency grouped by region, the limits drawn, an as-of slider that replays it. */
(function () {
  'use strict';
  var L = window.Lianban;
  var t = L.t;
  var SVG = 'http://www.w3.org/2000/svg';
  var DAY = 86400000;

  var caseId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  var full = null; // the whole history: fixes the time axis and the slider's stops
  var moments = [];
  var shown = null;
  var pending = 0;

  var STEP = {
    zh: {
      registered: '已登记', classified: '已分类', 'routed-out': '已导入法定途径', assigned: '已转送交办', handling: '办理中', returned: '已退回待重新交办',
      disputed: '管辖争议中', answered: '已答复', rated: '已评价', review: '复查中', reviewed: '已复查', 're-review': '复核中', concluded: '已终结',
    },
    en: {
      registered: 'registered', classified: 'classified', 'routed-out': 'routed out of the petition track', assigned: 'assigned', handling: 'being handled',
      returned: 'returned, to be reassigned', disputed: 'competence disputed', answered: 'answered', rated: 'rated', review: 'under review',
      reviewed: 'reviewed', 're-review': 'under re-review', concluded: 'concluded',
    },
  };
  var EVENT_EN = {
    registered: 'Registered', classified: 'Classified', 'agencies-assigned': 'Assigned', 'co-handler-released': 'Co-handler released',
    answered: 'Case answered', 'reply-rated': 'Reply rated', 'routed-out': 'Routed out', 'repeat-linked': 'Repeat petition linked',
    'raised-after-conclusion': 'Raised after conclusion', 'dispute-raised': 'Dispute raised', 'dispute-decided': 'Dispute decided',
    'supervision-issued': 'Supervision issued', 'appeal-requested': 'Appeal requested', concluded: 'Concluded', 'task-transferred': 'Task transferred',
    'deadline-warning': 'Deadline warning', 'deadline-overdue': 'Deadline passed', accepted: 'Accepted and acknowledged', 'action-recorded': 'Handling action',
    'opinion-submitted': 'Opinion submitted', 'reply-issued': 'Reply issued', returned: 'Returned', 'handling-extended': 'Handling limit extended',
    'completion-report-filed': 'Completion report', 'supervision-answered': 'Supervision answered', 'hearing-recorded': 'Hearing', decided: 'Appeal decided',
  };
  var KIND_COLOR = { route: '#7f8c8d', acknowledge: '#2f6fb0', handle: '#2e8b57', 'appeal-decision': '#8e44ad', 'supervision-answer': '#d68910' };

  function eventName(type) {
    var m = /^lianban\.[a-z-]+\.([a-z-]+)\.v\d+$/.exec(type);
    return m ? m[1] : type;
  }

  function query(asOf) {
    return asOf ? '?asOf=' + encodeURIComponent(asOf) : '';
  }

  function fetchCase(asOf) {
    return Promise.all([
      L.api('/v1/cases/' + caseId + query(asOf)),
      L.api('/v1/cases/' + caseId + '/timeline' + query(asOf)),
    ]).then(function (r) { return { view: r[0], timeline: r[1], asOf: asOf || null }; });
  }

  // ---- lanes --------------------------------------------------------------------------------

  /** one lane per agency, grouped by region (the case's own region first), the bureau on top */
  function lanesOf(data) {
    var names = {};
    var order = [''];
    function add(id, name) {
      if (!id) return;
      if (order.indexOf(id) < 0) order.push(id);
      if (name) names[id] = name;
    }
    data.view.tasks.forEach(function (tk) { add(tk.agencyId, tk.agencyName); });
    data.timeline.entries.forEach(function (e) { add(e.agencyId, e.agencyName); });
    (data.view.limits || []).forEach(function (l) { add(l.agencyId); });
    var home = data.view.region;
    var lanes = order.map(function (id) {
      return { id: id, name: id ? names[id] || id : t('bureau'), region: id ? L.regionOfAgency(id) : home };
    });
    return lanes.sort(function (a, b) {
      if (a.region !== b.region) return a.region === home ? -1 : 1;
      return order.indexOf(a.id) - order.indexOf(b.id);
    });
  }

  function roleOf(data, agencyId) {
    var task = data.view.tasks.filter(function (x) { return x.agencyId === agencyId; })[0];
    return task ? ' · ' + t(task.role === 'lead' ? 'lead' : 'co') : '';
  }

  // ---- drawing ------------------------------------------------------------------------------

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function ticks(t0, t1) {
    var steps = [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 61 * DAY, 91 * DAY, 182 * DAY, 365 * DAY];
    var step = steps.filter(function (s) { return (t1 - t0) / s <= 12; })[0] || 365 * DAY;
    var out = [];
    var first = Date.parse(L.chinaDayStart(L.day(new Date(t0).toISOString())));
    for (var x = first; x <= t1; x += step) if (x >= t0) out.push(x);
    return out;
  }

  function draw(data) {
    var lanes = lanesOf(full);
    var limitsAll = (full.view.limits || []).concat(data.view.limits || []);
    var times = full.timeline.entries.map(function (e) { return Date.parse(e.at); });
    limitsAll.forEach(function (l) { times.push(Date.parse(l.dueAt)); });
    var t0 = Math.min.apply(null, times) - DAY / 2;
    var t1 = Math.max.apply(null, times) + DAY;
    var box = document.getElementById('swimlane');
    var width = Math.max(900, box.clientWidth || 900);
    var left = 230, right = 90, top = 30, laneH = 46, bandH = 18;
    var regions = [];
    lanes.forEach(function (ln) { if (regions.indexOf(ln.region) < 0) regions.push(ln.region); });
    var height = top + lanes.length * laneH + regions.length * bandH + 10;
    var x = function (ms) { return left + ((ms - t0) / (t1 - t0)) * (width - left - right); };
    var root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });

    // axis
    ticks(t0, t1).forEach(function (ms) {
      root.appendChild(svg('line', { x1: x(ms), x2: x(ms), y1: top - 6, y2: height - 6, stroke: '#eef1f5' }));
      root.appendChild(svg('text', { x: x(ms), y: top - 10, 'text-anchor': 'middle', 'font-size': 11, fill: '#6b7785' }, L.day(new Date(ms).toISOString()).slice(5)));
    });

    // lanes, under their region's band
    var laneY = {};
    var y = top;
    regions.forEach(function (region) {
      root.appendChild(svg('rect', { x: 0, y: y, width: width, height: bandH, fill: region === 'sc' ? '#16a085' : '#c0392b', opacity: 0.85 }));
      root.appendChild(svg('text', { class: 'region-label', x: 8, y: y + 13, 'data-region': region }, t(region)));
      y += bandH;
      lanes.filter(function (ln) { return ln.region === region; }).forEach(function (ln, i) {
        laneY[ln.id] = y + laneH / 2;
        root.appendChild(svg('rect', { x: 0, y: y, width: width, height: laneH, fill: i % 2 ? '#fafbfc' : '#fff' }));
        var label = svg('text', { class: 'lane-label', x: 8, y: y + laneH / 2 + 4, 'data-lane': ln.id || 'bureau' }, ln.name + (ln.id ? roleOf(full, ln.id) : ''));
        root.appendChild(label);
        y += laneH;
      });
    });

    // limits: a band from the start of the limit to its due date, a flag at the due date
    var now = data.asOf ? Date.parse(data.asOf) : Date.now();
    (data.view.limits || []).forEach(function (l) {
      var ly = laneY[l.agencyId || ''];
      if (ly === undefined || !l.dueAt || l.holder === 'petitioner') return;
      var start = Date.parse(l.startedAt || l.dueAt);
      var due = Date.parse(l.dueAt);
      var met = l.metAt ? Date.parse(l.metAt) : null;
      var late = met !== null ? met > due : now > due;
      var color = KIND_COLOR[l.kind] || '#7f8c8d';
      var g = svg('g', { 'data-limit': l.kind, 'data-agency': l.agencyId || 'bureau', 'data-late': late ? 'true' : 'false' });
      g.appendChild(svg('rect', { x: x(start), y: ly + 9, width: Math.max(1, x(due) - x(start)), height: 5, fill: color, opacity: 0.25, rx: 2 }));
      g.appendChild(svg('line', { x1: x(due), x2: x(due), y1: ly - 16, y2: ly + 18, stroke: late ? '#c0392b' : color, 'stroke-width': 2, 'stroke-dasharray': met === null ? '3,2' : '' }));
      g.appendChild(svg('text', { x: x(due) + 3, y: ly - 10, 'font-size': 10, fill: late ? '#c0392b' : color }, t(l.kind) + (late ? ' · ' + t('overdueMark') : '')));
      g.appendChild(svg('title', {}, t(l.kind) + ' ' + t('dueAt') + ' ' + L.minute(l.dueAt) + ' · ' + (l.metAt ? t('met') + ' ' + L.minute(l.metAt) : t('open'))));
      root.appendChild(g);
    });

    // entries
    data.timeline.entries.forEach(function (e, i) {
      var ly = laneY[e.agencyId || ''];
      if (ly === undefined) return;
      var name = eventName(e.type);
      var dot = svg('circle', { class: 'entry-dot', cx: x(Date.parse(e.at)), cy: ly, r: 6, fill: dotColor(name), 'data-entry': String(i) });
      dot.appendChild(svg('title', {}, L.minute(e.at) + ' ' + (L.lang() === 'en' ? (EVENT_EN[name] || name) + ' — ' : '') + e.summary));
      root.appendChild(dot);
    });

    if (data.asOf) {
      var ax = x(Date.parse(data.asOf));
      root.appendChild(svg('line', { x1: ax, x2: ax, y1: top - 4, y2: height - 6, stroke: '#c0392b', 'stroke-width': 1.5, 'stroke-dasharray': '5,3', 'data-as-of-line': 'true' }));
    }
    box.textContent = '';
    box.appendChild(root);
  }

  function dotColor(name) {
    if (/registered|classified|assigned|routed|released|transferred/.test(name)) return '#7f8c8d';
    if (/accepted|action|opinion|extended|hearing/.test(name)) return '#2f6fb0';
    if (/reply|answered|decided|concluded|report/.test(name)) return '#2e8b57';
    if (/rated/.test(name)) return '#d68910';
    return '#8e44ad';
  }

  function renderHead(data) {
    var v = data.view;
    document.getElementById('case-title').textContent = v.caseNumber + ' ' + v.subject;
    document.title = v.caseNumber + ' · ' + t('caseTitle');
    var head = document.getElementById('case-head');
    head.textContent = '';
    [
      ['caseStep', (STEP[L.lang()] || STEP.zh)[v.step] || v.step],
      ['registeredAt', L.minute(v.registeredAt)],
      ['channel', t('channel_' + v.channel)],
      ['district', (v.regionName || v.regionCode) + ' · ' + t(v.region)],
    ].forEach(function (kv) {
      head.appendChild(L.el('dt', { text: t(kv[0]) }));
      head.appendChild(L.el('dd', { 'data-field': kv[0], text: kv[1] }));
    });
  }

  function renderEntries(data) {
    var tbody = document.querySelector('#entries tbody');
    tbody.textContent = '';
    data.timeline.entries.forEach(function (e) {
      var name = eventName(e.type);
      var what = L.lang() === 'en' ? (EVENT_EN[name] || name) + ' — ' + e.summary : e.summary;
      tbody.appendChild(L.el('tr', { 'data-type': e.type }, [
        L.el('td', { text: L.minute(e.at) }), L.el('td', { text: e.agencyName || t('bureau') }), L.el('td', { class: 'subject', text: what }),
      ]));
    });
    document.getElementById('entry-count').textContent = '(' + data.timeline.entries.length + ' ' + t('entries') + ')';
  }

  function render(data) {
    shown = data;
    renderHead(data);
    draw(data);
    renderEntries(data);
    var latest = !data.asOf;
    document.getElementById('as-of-output').textContent = latest ? t('latest') + ' · ' + L.minute(moments[moments.length - 1]) : L.minute(data.asOf);
    document.getElementById('as-of-label').textContent = latest ? '' : t('asOf') + ' ' + L.minute(data.asOf);
  }

  function showAt(index) {
    var asOf = index >= moments.length - 1 ? null : moments[index];
    document.body.removeAttribute('data-ready');
    var mine = ++pending;
    return fetchCase(asOf).then(function (data) {
      if (mine !== pending) return; // a later move of the slider wins
      render(data);
      document.body.setAttribute('data-ready', 'true');
    }).catch(L.showError);
  }

  function start() {
    L.translate();
    L.bindLanguageSwitch(function () { if (shown) render(shown); });
    fetchCase(null).then(function (data) {
      full = data;
      // the slider stops at every moment something happened on the case
      moments = data.timeline.entries.map(function (e) { return e.at; }).filter(function (m, i, a) { return a.indexOf(m) === i; })
        .sort(function (a, b) { return Date.parse(a) - Date.parse(b); });
      var slider = document.getElementById('as-of-slider');
      slider.max = String(Math.max(0, moments.length - 1));
      slider.value = slider.max;
      var timer = null;
      slider.addEventListener('input', function () {
        var i = Number(slider.value);
        document.getElementById('as-of-output').textContent = i >= moments.length - 1 ? t('latest') : L.minute(moments[i]);
        clearTimeout(timer);
        timer = setTimeout(function () { showAt(i); }, 120);
      });
      render(data);
      document.body.setAttribute('data-ready', 'true');
    }).catch(L.showError);
    window.addEventListener('resize', function () { if (shown) draw(shown); });
  }

  start();
})();
