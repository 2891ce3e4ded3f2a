/* 联办 Lianban — shared by the dashboard and the case page: language, token, API, formats. */
(function () {
  'use strict';

  var LANG_KEY = 'lianban.lang';
  var TOKEN_KEY = 'lianban.token';

  var STRINGS = {
    zh: {
      appTitle: '联办 · 信访统计分析', caseTitle: '联办 · 信访事项', langSwitch: 'English', dashboard: '统计看板',
      year: '年度', allYears: '全部', region: '地区', allRegions: '川渝全部', cq: '重庆', sc: '四川', asOf: '截至', now: '现在',
      apply: '查询', exportCsv: '导出 CSV', loading: '加载中…', noData: '暂无数据',
      acceptance: '及时受理率', completion: '按期办结率', satisfaction: '满意率', satisfaction12345: '12345 加权', online: '网上信访占比',
      repeat: '重复信访率', backlog: '积案', backlogCases: '件', backlogTasks: '项任务', due: '应办', of: '/',
      byDistrict: '三率（按区县）', channelMix: '信访渠道构成', monthly: '月度信访量与积案', overdue: '超期事项',
      ranking: '区县排名', district: '区县', rank: '名次', registrations: '信访量', caseNumber: '编号', subject: '事项',
      agency: '责任单位', limit: '期限', dueAt: '到期', daysOverdue: '超期天数', days: '天', more: '共 {n} 项，显示前 {k} 项',
      route: '转送交办', acknowledge: '受理告知', handle: '办理答复', 'appeal-decision': '复查/复核决定', bureau: '信访部门（登记、转送交办）',
      channel_online: '网上信访', channel_wechat: '微信', channel_app: '移动客户端', channel_letter: '来信', channel_visit: '来访', channel_phone: '电话', channel_video: '视频',
      tokenPrompt: '请输入访问令牌（Bearer token）', tokenSave: '使用此令牌', tokenNeeded: '需要分析员或协调员令牌才能查看统计。',
      timeline: '办理过程', swimlane: '泳道图', entries: '事件', when: '时间', who: '单位', what: '内容', asOfSlider: '回放至',
      caseStep: '状态', registeredAt: '登记时间', channel: '渠道', lead: '主办', co: '协办', met: '已完成', open: '未完成', overdueMark: '超期',
      latest: '最新', backToDashboard: '返回看板', definitions: '口径说明',
      wrongRegion: '本系统只保存本地区的统计。该地区的统计请到该地区的系统查询。', regionNotAllowed: '您的令牌只能查看本地区的统计。',
      noRegions: '本系统不提供您的令牌所属地区的统计，请到该地区的系统查询。', statsRefused: '统计查询未被受理：{message}',
      defText: '及时受理率＝在告知期限内受理的任务÷应受理任务；按期办结率＝在（含延期的）办理期限内答复或提交意见的任务÷应办结任务；满意率＝（满意＋基本满意）÷参评数，12345 加权＝（满意＋0.9×基本满意）÷参评数；积案＝期末仍未办结且已超期的任务。',
    },
    en: {
      appTitle: 'Lianban · Petition analytics', caseTitle: 'Lianban · Petition case', langSwitch: '中文', dashboard: 'Dashboard',
      year: 'Year', allYears: 'All', region: 'Region', allRegions: 'Both provinces', cq: 'Chongqing', sc: 'Sichuan', asOf: 'As of', now: 'now',
      apply: 'Apply', exportCsv: 'Export CSV', loading: 'Loading…', noData: 'No data',
      acceptance: 'Timely acceptance', completion: 'On-time completion', satisfaction: 'Satisfaction', satisfaction12345: '12345 weighting', online: 'Online share',
      repeat: 'Repeat rate', backlog: 'Backlog', backlogCases: 'cases', backlogTasks: 'tasks', due: 'due', of: '/',
      byDistrict: 'The three rates by district', channelMix: 'Channel mix', monthly: 'Monthly volume and backlog', overdue: 'Overdue',
      ranking: 'District ranking', district: 'District', rank: 'Rank', registrations: 'Petitions', caseNumber: 'Case no.', subject: 'Matter',
      agency: 'Agency', limit: 'Limit', dueAt: 'Due', daysOverdue: 'Days over', days: 'd', more: '{n} in all, first {k} shown',
      route: 'Routing', acknowledge: 'Acknowledgement', handle: 'Handling', 'appeal-decision': 'Review decision', bureau: 'Petition bureau (registration, routing)',
      channel_online: 'Online', channel_wechat: 'WeChat', channel_app: 'App', channel_letter: 'Letter', channel_visit: 'Visit', channel_phone: 'Phone', channel_video: 'Video',
      tokenPrompt: 'Paste an access token (Bearer)', tokenSave: 'Use this token', tokenNeeded: 'An analyst or coordinator token is needed to see the statistics.',
      timeline: 'History', swimlane: 'Swimlanes', entries: 'events', when: 'When', who: 'Agency', what: 'What', asOfSlider: 'Replay to',
      caseStep: 'Status', registeredAt: 'Registered', channel: 'Channel', lead: 'lead', co: 'co-handler', met: 'met', open: 'open', overdueMark: 'overdue',
      latest: 'latest', backToDashboard: 'Back to the dashboard', definitions: 'Definitions',
      wrongRegion: 'This deployment keeps its own region\'s statistics only. Ask that region\'s own deployment.', regionNotAllowed: 'Your token may see the statistics of its own region only.',
      noRegions: 'This deployment keeps no statistics of your token\'s region. Ask that region\'s own deployment.', statsRefused: 'The statistics request was refused: {message}',
      defText: 'Timely acceptance = tasks acknowledged within their limit ÷ tasks due; on-time completion = tasks replied (or opinion given) within their (extended) limit ÷ tasks due; satisfaction = (satisfied + basically satisfied) ÷ rated, 12345 weighting = (satisfied + 0.9 × basically satisfied) ÷ rated; backlog = tasks open past their limit at the end of the period.',
    },
  };

  function lang() {
    var l = localStorage.getItem(LANG_KEY);
    return l === 'en' ? 'en' : 'zh';
  }

  function t(key, vars) {
    var s = STRINGS[lang()][key];
    if (s === undefined) s = STRINGS.zh[key] !== undefined ? STRINGS.zh[key] : key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.replace('{' + k + '}', vars[k]); });
    return s;
  }

  /** fills every [data-i18n] element and the language switch */
  function translate(root) {
    document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
    (root || document).querySelectorAll('[data-i18n]').forEach(function (el) { el.textContent = t(el.getAttribute('data-i18n')); });
    var sw = document.getElementById('lang-switch');
    if (sw) sw.textContent = t('langSwitch');
  }

  function bindLanguageSwitch(onChange) {
    var sw = document.getElementById('lang-switch');
    if (!sw) return;
    sw.addEventListener('click', function () {
      localStorage.setItem(LANG_KEY, lang() === 'en' ? 'zh' : 'en');
      translate();
      onChange();
    });
  }

  // ---- the token ------------------------------------------------------------------------------

  /**
   * The caller's token: one saved in this browser, else — in the embedded dev mode, where the
   * route exists — a fresh analyst token, else whatever the user pastes.
   */
  function token() {
    var saved = localStorage.getItem(TOKEN_KEY);
    if (saved) return Promise.resolve(saved);
    return fetch('/v1/dev/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'analyst', sub: 'dashboard' }) })
      .then(function (r) { return r.status === 201 ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (body) {
        if (body && body.token) {
          localStorage.setItem(TOKEN_KEY, body.token);
          return body.token;
        }
        return askForToken();
      });
  }

  function askForToken() {
    return new Promise(function (resolve) {
      var box = document.getElementById('token-box');
      box.hidden = false;
      box.querySelector('[data-role=message]').textContent = t('tokenNeeded');
      var input = box.querySelector('input');
      input.placeholder = t('tokenPrompt');
      box.querySelector('button').textContent = t('tokenSave');
      box.querySelector('form').addEventListener('submit', function (ev) {
        ev.preventDefault();
        var v = input.value.trim().replace(/^Bearer\s+/i, '');
        if (!v) return;
        localStorage.setItem(TOKEN_KEY, v);
        box.hidden = true;
        resolve(v);
      });
    });
  }

  /**
   * Answers that came with a strong ETag (a case's timeline, at each moment the slider stopped
   * at), by token and path: asked again with If-None-Match, the server answers 304 while the case
   * is unchanged, and the page uses what it holds. Only strong tags: the routes that answer
   * If-None-Match send those; express's own weak tags are not honoured for fetch(), which sends
   * Cache-Control: no-cache along with the header. A few only; the oldest goes first.
   */
  var HELD_MAX = 24;
  var held = {};
  var heldOrder = [];

  function hold(key, etag, body) {
    if (!held[key]) heldOrder.push(key);
    held[key] = { etag: etag, body: body };
    while (heldOrder.length > HELD_MAX) delete held[heldOrder.shift()];
  }

  /** GET a JSON resource; a 401 forgets the saved token and asks again once */
  function api(path, retried) {
    return token().then(function (tok) {
      var key = tok + ' ' + path;
      var mine = held[key];
      var headers = { authorization: 'Bearer ' + tok };
      if (mine) headers['if-none-match'] = mine.etag;
      return fetch(path, { headers: headers }).then(function (r) {
        if (r.status === 401 && !retried) {
          localStorage.removeItem(TOKEN_KEY);
          return api(path, true);
        }
        if (r.status === 304 && mine) return mine.body;
        return r.text().then(function (text) {
          var body = text ? JSON.parse(text) : null;
          if (!r.ok) {
            var err = new Error((body && body.error && body.error.message) || ('HTTP ' + r.status));
            err.status = r.status;
            err.code = body && body.error ? body.error.code : undefined;
            throw err;
          }
          var etag = r.headers.get('etag');
          if (etag && etag.charAt(0) === '"') hold(key, etag, body);
          return body;
        });
      });
    });
  }

  /** downloads a resource with the token (a plain link could not carry it) */
  function download(path, filename) {
    return token().then(function (tok) {
      return fetch(path, { headers: { authorization: 'Bearer ' + tok } });
    }).then(function (r) { return r.blob(); }).then(function (blob) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  // ---- formats (China time whatever the browser's zone) ------------------------------------

  var CN = 8 * 3600 * 1000;
  function pad(n) { return String(n).padStart(2, '0'); }
  function cnParts(iso) {
    var d = new Date(Date.parse(iso) + CN);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), min: d.getUTCMinutes() };
  }
  function day(iso) {
    if (!iso) return '—';
    var p = cnParts(iso);
    return p.y + '-' + pad(p.m) + '-' + pad(p.d);
  }
  function minute(iso) {
    if (!iso) return '—';
    var p = cnParts(iso);
    return day(iso) + ' ' + pad(p.h) + ':' + pad(p.min);
  }
  function pct(rate) {
    return rate === null || rate === undefined ? '—' : (rate * 100).toFixed(1) + '%';
  }
  function num(n) {
    return Number(n).toLocaleString(lang() === 'en' ? 'en-US' : 'zh-CN');
  }
  /** the start of a China-local day as an ISO instant, from `YYYY-MM-DD` */
  function chinaDayStart(ymd) {
    return new Date(ymd + 'T00:00:00+08:00').toISOString();
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  function showError(e) {
    var box = document.getElementById('error-box');
    if (!box) return;
    box.hidden = false;
    box.textContent = e && e.message ? e.message : String(e);
  }

  function clearError() {
    var box = document.getElementById('error-box');
    if (box) {
      box.hidden = true;
      box.textContent = '';
    }
  }

  function regionOfAgency(agencyId) {
    return /^51/.test(agencyId) ? 'sc' : 'cq';
  }

  window.Lianban = {
    lang: lang, t: t, translate: translate, bindLanguageSwitch: bindLanguageSwitch, api: api, download: download,
    day: day, minute: minute, pct: pct, num: num, chinaDayStart: chinaDayStart, el: el, showError: showError, clearError: clearError, regionOfAgency: regionOfAgency,
  };
})();
