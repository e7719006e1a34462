/**
 * The dashboard: one self-contained page (inline CSS and JS, no external assets, works offline)
 * that polls `/api/series` and `/api/alerts` and renders them. Text from the API is always set with
 * `textContent`, never as HTML.
 */
export function dashboardHtml(opts: { refreshMs: number }): string {
  return PAGE.replace('__REFRESH_MS__', String(Math.max(500, Math.floor(opts.refreshMs))));
}

const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1c2430;--muted:#677387;--line:#e3e7ee;--accent:#2f6fde;--bad:#d33f49;--ok:#1f9d6b;--warn:#d98a00;--band:rgba(47,111,222,.13)}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;align-items:center;gap:18px;padding:14px 24px;background:#18202b;color:#fff}
header h1{font-size:18px;margin:0;letter-spacing:.5px}
header .stat{font-size:13px;color:#b9c3d3}
header .stat b{color:#fff;font-weight:600}
.pill{display:inline-block;padding:2px 9px;border-radius:10px;font-size:12px;font-weight:600}
.pill.ok{background:#1f9d6b;color:#fff}.pill.bad{background:#d33f49;color:#fff}.pill.idle{background:#4a5568;color:#fff}
main{padding:18px 24px;display:grid;gap:18px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
section h2{font-size:14px;margin:0;padding:10px 14px;border-bottom:1px solid var(--line);display:flex;align-items:center;gap:12px}
section h2 .count{color:var(--muted);font-weight:400}
section h2 input{margin-left:auto;font:inherit;padding:4px 8px;border:1px solid var(--line);border-radius:5px;width:240px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 12px;border-bottom:1px solid var(--line);vertical-align:middle;white-space:nowrap}
th{font-size:12px;color:var(--muted);font-weight:600;background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.expl{white-space:normal;max-width:460px;color:#3a4454}
tr:last-child td{border-bottom:0}
.labels span{display:inline-block;background:#eef1f6;color:#445066;border-radius:4px;padding:0 6px;margin:1px 3px 1px 0;font-size:12px}
.name{font-weight:600}.src{color:var(--muted);font-size:12px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px;background:var(--ok)}
.dot.firing{background:var(--bad);box-shadow:0 0 0 3px rgba(211,63,73,.2)}.dot.cold{background:#aab3c2}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 7px;border-radius:4px}
.badge.firing{background:#fde8ea;color:var(--bad)}.badge.resolved{background:#e3f5ed;color:var(--ok)}
.badge.critical{background:var(--bad);color:#fff}.badge.warning{background:#fff1d6;color:#8a5a00}.badge.info{background:#e7eefc;color:var(--accent)}
.score{display:inline-flex;align-items:center;gap:6px}
.score i{display:inline-block;height:6px;width:60px;background:#edf0f5;border-radius:3px;overflow:hidden}
.score i b{display:block;height:100%;background:var(--ok)}
.score.mid i b{background:var(--warn)}.score.high i b{background:var(--bad)}
.out{color:var(--bad);font-weight:600}
.empty{padding:18px 14px;color:var(--muted)}
svg.spark{display:block}
footer{padding:0 24px 18px;color:var(--muted);font-size:12px}
`;

const SCRIPT = `
(function(){
  var REFRESH = __REFRESH_MS__;
  var filterText = '';
  function el(tag, cls, text){ var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
  function fmt(v){ if (v === null || v === undefined || !isFinite(v)) return '\\u2013'; var a = Math.abs(v);
    if (a >= 1e4) { var units = ['k', 'M', 'G', 'T', 'P', 'E']; var u = -1; var x = v; while (Math.abs(x) >= 1000 && u < units.length - 1) { x /= 1000; u++; }
      return (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) + units[u]; }
    if (a !== 0 && a < 1e-3) return v.toExponential(2); return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3); }
  function ago(ts){ var s = Math.round((Date.now() - ts) / 1000); if (s < 0) s = 0;
    if (s < 90) return s + 's ago'; if (s < 5400) return Math.round(s / 60) + 'm ago'; if (s < 129600) return Math.round(s / 3600) + 'h ago'; return new Date(ts).toISOString().slice(0, 16).replace('T', ' '); }
  function labels(obj){ var d = el('span', 'labels'); Object.keys(obj || {}).sort().forEach(function(k){ d.appendChild(el('span', '', k + '=' + obj[k])); }); return d; }
  function score(v){ var c = el('span', 'score' + (v >= 0.8 ? ' high' : v >= 0.5 ? ' mid' : '')); var i = el('i'); var b = el('b');
    b.style.width = Math.round(Math.max(0, Math.min(1, v || 0)) * 100) + '%'; i.appendChild(b); c.appendChild(i); c.appendChild(el('span', '', v === null || v === undefined ? '\\u2013' : v.toFixed(2))); return c; }
  var NS = 'http://www.w3.org/2000/svg';
  function spark(points){
    var W = 160, H = 32, svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('class', 'spark'); svg.setAttribute('width', W); svg.setAttribute('height', H); svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    if (!points || points.length < 2) return svg;
    var lo = Infinity, hi = -Infinity, t0 = points[0][0], t1 = points[points.length - 1][0];
    points.forEach(function(p){ [p[1], p[3], p[4]].forEach(function(v){ if (v !== null && isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    var vals = points.map(function(p){ return p[1]; });
    var title = document.createElementNS(NS, 'title');
    title.textContent = points.length + ' points, min ' + fmt(Math.min.apply(null, vals)) + ', max ' + fmt(Math.max.apply(null, vals)); svg.appendChild(title);
    if (hi === lo) { hi += 1; lo -= 1; }
    function x(t){ return t1 === t0 ? 0 : 2 + (t - t0) / (t1 - t0) * (W - 4); }
    function y(v){ return H - 3 - (v - lo) / (hi - lo) * (H - 6); }
    var banded = points.filter(function(p){ return p[3] !== null && p[4] !== null; });
    if (banded.length > 1) {
      var d = banded.map(function(p, i){ return (i ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + y(p[4]).toFixed(1); }).join('') +
        banded.slice().reverse().map(function(p){ return 'L' + x(p[0]).toFixed(1) + ' ' + y(p[3]).toFixed(1); }).join('') + 'Z';
      var band = document.createElementNS(NS, 'path'); band.setAttribute('d', d); band.setAttribute('fill', 'rgba(47,111,222,.13)'); svg.appendChild(band);
    }
    var line = document.createElementNS(NS, 'path');
    line.setAttribute('d', points.map(function(p, i){ return (i ? 'L' : 'M') + x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1); }).join(''));
    line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#2f6fde'); line.setAttribute('stroke-width', '1.4'); svg.appendChild(line);
    points.forEach(function(p){ if (p[2] !== null && p[2] >= 0.8) { var c = document.createElementNS(NS, 'circle');
      c.setAttribute('cx', x(p[0]).toFixed(1)); c.setAttribute('cy', y(p[1]).toFixed(1)); c.setAttribute('r', '2.4'); c.setAttribute('fill', '#d33f49'); svg.appendChild(c); } });
    return svg;
  }
  function cell(tr, content, cls){ var td = el('td', cls); if (content instanceof Node) td.appendChild(content); else td.textContent = content; tr.appendChild(td); return td; }
  function seriesName(s){ var d = el('div'); d.appendChild(el('span', 'name', s.name)); d.appendChild(el('span', 'src', '  ' + s.source)); return d; }
  function renderSeries(list){
    var body = document.getElementById('series-body'); body.textContent = '';
    var q = filterText.toLowerCase();
    var shown = list.filter(function(s){ if (!q) return true; var hay = (s.name + ' ' + s.source + ' ' + s.id + ' ' + Object.keys(s.labels).map(function(k){ return k + '=' + s.labels[k]; }).join(' ')).toLowerCase(); return hay.indexOf(q) >= 0; });
    document.getElementById('series-empty').style.display = shown.length ? 'none' : 'block';
    shown.forEach(function(s){
      var tr = el('tr'); var st = el('td'); var dot = el('span', 'dot' + (s.alertState === 'firing' ? ' firing' : s.warm ? '' : ' cold'));
      dot.title = s.alertState === 'firing' ? 'alert firing' : s.warm ? 'warm' : 'warming up'; st.appendChild(dot); tr.appendChild(st);
      var nm = cell(tr, seriesName(s)); nm.appendChild(labels(s.labels));
      cell(tr, spark(s.recent));
      var out = s.lo !== null && s.hi !== null && (s.lastValue < s.lo || s.lastValue > s.hi);
      cell(tr, fmt(s.lastValue), 'num' + (out ? ' out' : ''));
      cell(tr, s.lo === null || s.hi === null ? 'warming up' : fmt(s.lo) + ' \\u2026 ' + fmt(s.hi), 'num');
      cell(tr, score(s.lastScore));
      cell(tr, String(s.pointsSeen), 'num');
      cell(tr, ago(s.lastTs));
      body.appendChild(tr);
    });
    document.getElementById('series-count').textContent = shown.length + ' shown';
  }
  function renderAlerts(list){
    var body = document.getElementById('alerts-body'); body.textContent = '';
    document.getElementById('alerts-empty').style.display = list.length ? 'none' : 'block';
    list.forEach(function(a){
      var tr = el('tr');
      cell(tr, ago(a.ts)).title = new Date(a.ts).toISOString();
      cell(tr, el('span', 'badge ' + a.state, a.state));
      cell(tr, el('span', 'badge ' + a.severity, a.severity));
      var nm = cell(tr, seriesName(a.series)); nm.appendChild(labels(a.series.labels));
      var e = a.expected || {}; var out = e.lo !== null && e.hi !== null && (a.value < e.lo || a.value > e.hi);
      cell(tr, fmt(a.value), 'num' + (out ? ' out' : ''));
      cell(tr, e.lo === null || e.hi === null || e.lo === undefined ? '\\u2013' : fmt(e.lo) + ' \\u2026 ' + fmt(e.hi), 'num');
      cell(tr, score(a.score));
      cell(tr, a.detector);
      cell(tr, a.explanation, 'expl');
      body.appendChild(tr);
    });
    document.getElementById('alerts-count').textContent = list.length + ' recent';
  }
  function getJson(path){ return fetch(path, { cache: 'no-store' }).then(function(r){ return r.json().then(function(j){ if (!r.ok && !j.checks) throw new Error(j.error || ('HTTP ' + r.status)); return j; }); }); }
  var lastSeries = [];
  function tick(){
    Promise.all([getJson('api/series?limit=200'), getJson('api/alerts?limit=50'), getJson('readyz').catch(function(){ return null; })]).then(function(r){
      lastSeries = r[0].series; renderSeries(lastSeries); renderAlerts(r[1].alerts);
      var firing = lastSeries.filter(function(s){ return s.alertState === 'firing'; }).length;
      document.getElementById('stat-series').textContent = r[0].total;
      document.getElementById('stat-from').textContent = r[0].from === 'influx' || r[1].source === 'influx' ? 'from InfluxDB' : '';
      document.getElementById('stat-firing').textContent = firing;
      var pill = document.getElementById('ready');
      if (r[2]) { pill.className = 'pill ' + (r[2].ready ? 'ok' : 'bad'); pill.textContent = r[2].ready ? 'ready' : 'not ready';
        pill.title = r[2].checks.map(function(c){ return c.name + ': ' + (c.ok ? 'ok' : c.detail); }).join('\\n'); }
      document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function(err){ var pill = document.getElementById('ready'); pill.className = 'pill idle'; pill.textContent = 'unreachable'; pill.title = String(err); });
  }
  document.getElementById('filter').addEventListener('input', function(ev){ filterText = ev.target.value; renderSeries(lastSeries); });
  tick(); setInterval(tick, REFRESH);
})();
`;

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>seismo</title><style>${STYLE}</style></head>
<body>
<header><h1>seismo</h1><span id="ready" class="pill idle">connecting</span>
<span class="stat"><b id="stat-series">0</b> series watched</span><span class="stat"><b id="stat-firing">0</b> firing</span><span class="stat" id="stat-from"></span>
<span class="stat" id="updated" style="margin-left:auto"></span></header>
<main>
<section><h2>Recent alerts <span class="count" id="alerts-count"></span></h2>
<table><thead><tr><th>When</th><th>State</th><th>Severity</th><th>Series</th><th>Value</th><th>Expected</th><th>Score</th><th>Detector</th><th>Explanation</th></tr></thead>
<tbody id="alerts-body"></tbody></table><div class="empty" id="alerts-empty">No alerts yet.</div></section>
<section><h2>Watched series <span class="count" id="series-count"></span><input id="filter" type="search" placeholder="filter by name, label, source"></h2>
<table><thead><tr><th></th><th>Series</th><th>Recent</th><th>Last value</th><th>Expected band</th><th>Score</th><th>Points</th><th>Last seen</th></tr></thead>
<tbody id="series-body"></tbody></table><div class="empty" id="series-empty">No series observed yet.</div></section>
</main>
<footer>Polls <code>/api/series</code> and <code>/api/alerts</code>. Blue line: values; shaded: expected band; red dots: scores &ge; 0.8.</footer>
<script>${SCRIPT}</script>
</body></html>
`;
