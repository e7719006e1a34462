/**
 * The `--report DIR` page: one self-contained HTML file (inline SVG and CSS, no scripts, no
 * external assets). A summary on top, then one plot per file: the series with its forecast band,
 * label windows shaded, alert openings marked, and the anomaly score below with the threshold.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeriesOutput } from '../evaluate/run.js';
import type { CorpusFile } from './corpus.js';
import type { ValidationSummary } from './summary.js';

const W = 1300;
const PAD_L = 60;
const PAD_R = 10;
const TOP_H = 200;
const GAP = 14;
const SCORE_H = 70;
const H = TOP_H + GAP + SCORE_H + 22;

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number | null | undefined, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

function niceNumber(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return x.toExponential(1);
  return Number(x.toPrecision(3)).toString();
}

/** Pixel buckets: for each, min/max of value, min lo, max hi, max score. */
function buckets(file: CorpusFile, o: SeriesOutput, width: number) {
  const n = o.rows;
  const k = Math.min(width, n);
  const out = Array.from({ length: k }, () => ({ vmin: Infinity, vmax: -Infinity, lo: Infinity, hi: -Infinity, score: 0 }));
  for (let i = 0; i < n; i++) {
    const b = out[Math.min(k - 1, Math.floor((i * k) / n))];
    const v = file.series.values[i];
    if (v < b.vmin) b.vmin = v;
    if (v > b.vmax) b.vmax = v;
    if (!Number.isNaN(o.lo[i]) && o.lo[i] < b.lo) b.lo = o.lo[i];
    if (!Number.isNaN(o.hi[i]) && o.hi[i] > b.hi) b.hi = o.hi[i];
    if (o.score[i] > b.score) b.score = o.score[i];
  }
  return out;
}

function plot(file: CorpusFile, o: SeriesOutput, threshold: number): string {
  const n = o.rows;
  if (n === 0) return '<p>no rows</p>';
  const plotW = W - PAD_L - PAD_R;
  const bs = buckets(file, o, plotW);
  let vmin = Infinity;
  let vmax = -Infinity;
  for (const b of bs) {
    vmin = Math.min(vmin, b.vmin);
    vmax = Math.max(vmax, b.vmax);
  }
  if (vmax === vmin) {
    vmax += 1;
    vmin -= 1;
  }
  const span = vmax - vmin;
  const lo = vmin - 0.08 * span;
  const hi = vmax + 0.08 * span;
  const xb = (j: number) => PAD_L + ((j + 0.5) * plotW) / bs.length;
  const xr = (i: number) => PAD_L + ((i + 0.5) * plotW) / n;
  const y = (v: number) => {
    const c = Math.max(lo, Math.min(hi, v));
    return 4 + (TOP_H - 8) * (1 - (c - lo) / (hi - lo));
  };
  const ys = (s: number) => TOP_H + GAP + SCORE_H * (1 - s);
  const parts: string[] = [];
  // label windows
  for (const w of file.windows) {
    let a = -1;
    let b = -1;
    for (let i = 0; i < n; i++) {
      const t = file.series.ts[i];
      if (t >= w.start && t <= w.end) {
        if (a < 0) a = i;
        b = i;
      }
    }
    if (a >= 0) parts.push(`<rect x="${xr(a).toFixed(1)}" y="0" width="${Math.max(2, xr(b) - xr(a)).toFixed(1)}" height="${TOP_H + GAP + SCORE_H}" fill="#f4c7c3" opacity="0.6"/>`);
  }
  // forecast band, split where there is none (warm-up)
  let seg: number[] = [];
  const bands: string[] = [];
  const flush = () => {
    if (seg.length > 1) {
      const up = seg.map((j) => `${xb(j).toFixed(1)},${y(bs[j].hi).toFixed(1)}`);
      const down = seg.map((j) => `${xb(j).toFixed(1)},${y(bs[j].lo).toFixed(1)}`).reverse();
      bands.push(`<polygon points="${[...up, ...down].join(' ')}" fill="#9ec5fe" opacity="0.55"/>`);
    }
    seg = [];
  };
  bs.forEach((b, j) => (Number.isFinite(b.lo) && Number.isFinite(b.hi) ? seg.push(j) : flush()));
  flush();
  parts.push(...bands);
  // series: min/max per pixel so spikes survive
  const pts: string[] = [];
  bs.forEach((b, j) => {
    pts.push(`${xb(j).toFixed(1)},${y(b.vmin).toFixed(1)}`);
    if (b.vmax !== b.vmin) pts.push(`${xb(j).toFixed(1)},${y(b.vmax).toFixed(1)}`);
  });
  parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="#1f2937" stroke-width="1"/>`);
  // score panel
  parts.push(`<rect x="${PAD_L}" y="${TOP_H + GAP}" width="${plotW}" height="${SCORE_H}" fill="none" stroke="#d1d5db"/>`);
  parts.push(`<line x1="${PAD_L}" x2="${W - PAD_R}" y1="${ys(threshold).toFixed(1)}" y2="${ys(threshold).toFixed(1)}" stroke="#dc2626" stroke-dasharray="4 3" stroke-width="1"/>`);
  parts.push(`<polyline points="${bs.map((b, j) => `${xb(j).toFixed(1)},${ys(b.score).toFixed(1)}`).join(' ')}" fill="none" stroke="#7c3aed" stroke-width="1"/>`);
  // alert openings
  for (let i = 0; i < n; i++) {
    if (o.alert[i] !== 1) continue;
    const x = xr(i).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="0" y2="${TOP_H + GAP + SCORE_H}" stroke="#dc2626" stroke-width="1" opacity="0.7"/>`);
    parts.push(`<polygon points="${x},10 ${(+x - 5).toFixed(1)},0 ${(+x + 5).toFixed(1)},0" fill="#dc2626"/>`);
  }
  // axes
  parts.push(`<rect x="${PAD_L}" y="0" width="${plotW}" height="${TOP_H}" fill="none" stroke="#d1d5db"/>`);
  for (const v of [vmin, (vmin + vmax) / 2, vmax]) {
    parts.push(`<text x="${PAD_L - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(niceNumber(v))}</text>`);
  }
  parts.push(`<text x="${PAD_L - 4}" y="${(ys(1) + 8).toFixed(1)}" text-anchor="end">score 1</text>`);
  parts.push(`<text x="${PAD_L - 4}" y="${ys(0).toFixed(1)}" text-anchor="end">0</text>`);
  const tsText = file.series.tsText;
  const ty = TOP_H + GAP + SCORE_H + 16;
  parts.push(`<text x="${PAD_L}" y="${ty}">${esc(tsText[0])}</text>`);
  parts.push(`<text x="${W - PAD_R}" y="${ty}" text-anchor="end">${esc(tsText[n - 1])}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" font-size="11" font-family="sans-serif">${parts.join('')}</svg>`;
}

export interface ReportContext extends ValidationSummary {
  seconds: number;
  combiner?: string;
  training_overlap_files?: string[];
}

export function renderReport(s: ReportContext, files: readonly CorpusFile[], outputs: readonly SeriesOutput[], threshold: number): string {
  const overall = `<table class="kv">
<tr><th>files / windows / rows</th><td>${s.files} / ${s.windows} / ${s.rows} in ${fmt(s.seconds)} s</td></tr>
<tr><th>combiner</th><td>${esc(s.combiner ?? 'none')}</td></tr>
<tr><th>NAB, alert column</th><td>standard ${fmt(s.nab.standard, 1)} · low FP ${fmt(s.nab.reward_low_FP_rate, 1)} · low FN ${fmt(s.nab.reward_low_FN_rate, 1)}</td></tr>
<tr><th>NAB, best threshold</th><td>standard ${fmt(s.nab_sweep.standard, 1)} · low FP ${fmt(s.nab_sweep.reward_low_FP_rate, 1)} · low FN ${fmt(s.nab_sweep.reward_low_FN_rate, 1)}</td></tr>
<tr><th>events</th><td>precision ${fmt(s.events.precision, 3)} · recall ${fmt(s.events.recall, 3)} · F1 ${fmt(s.events.f1, 3)} (${s.event_counts.detected}/${s.event_counts.windows} windows, ${s.event_counts.falseAlerts} false alerts)</td></tr>
<tr><th>forecast</th><td>MAPE ${fmt(s.forecast.mape)}% · sMAPE ${fmt(s.forecast.smape)}% · MASE ${fmt(s.forecast.mase, 3)} (median per file: MAPE ${fmt(s.forecast_median_per_file.mape)}%, MASE ${fmt(s.forecast_median_per_file.mase, 3)})</td></tr>
${s.training_overlap_files?.length ? `<tr><th>warning</th><td class="bad">${s.training_overlap_files.length} file(s) were in the model's training set</td></tr>` : ''}
</table>`;
  const rows = s.per_file
    .map(
      (p, i) =>
        `<tr><td><a href="#f${i}">${esc(p.file)}</a></td><td>${p.rows}</td><td>${p.windows}</td><td>${p.alerts}</td><td>${p.detected_windows}</td><td${p.false_alerts ? ' class="bad"' : ''}>${p.false_alerts}</td><td>${fmt(p.nab_standard_contribution)}</td><td>${fmt(p.mase, 3)}</td></tr>`,
    )
    .join('\n');
  const plots = files
    .map(
      (f, i) =>
        `<section id="f${i}"><h2>${esc(f.series.key)}</h2><p class="meta">${f.series.ts.length} rows · ${f.windows.length} window(s) · ${s.per_file[i].alerts} alert(s), ${s.per_file[i].detected_windows} window(s) detected, ${s.per_file[i].false_alerts} false · NAB standard share ${fmt(s.per_file[i].nab_standard_contribution)} · MASE ${fmt(s.per_file[i].mase, 3)}</p>${plot(f, outputs[i], threshold)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seismo validation report</title>
<style>
body{font-family:sans-serif;margin:16px 24px;color:#111827}
h1{font-size:20px}h2{font-size:14px;margin:18px 0 2px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}.kv th{text-align:left;background:#f9fafb}.kv td{text-align:left}
.bad{color:#b91c1c}.meta{font-size:12px;color:#4b5563;margin:0 0 4px}.legend span{margin-right:14px;font-size:12px}
.sw{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
</style></head><body>
<h1>seismo validation report</h1>
${overall}
<p class="legend"><span><i class="sw" style="background:#1f2937"></i>value</span><span><i class="sw" style="background:#9ec5fe"></i>forecast band (lo–hi)</span><span><i class="sw" style="background:#f4c7c3"></i>label window</span><span><i class="sw" style="background:#dc2626"></i>alert opens / threshold ${fmt(threshold)}</span><span><i class="sw" style="background:#7c3aed"></i>anomaly score</span></p>
<table><tr><th>file</th><th>rows</th><th>windows</th><th>alerts</th><th>detected</th><th>FPs</th><th>NAB std share</th><th>MASE</th></tr>
${rows}
</table>
${plots}
</body></html>
`;
}

export function writeReport(dir: string, s: ReportContext, files: readonly CorpusFile[], outputs: readonly SeriesOutput[], threshold: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'index.html');
  writeFileSync(path, renderReport(s, files, outputs, threshold));
  return path;
}
