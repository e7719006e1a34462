#!/usr/bin/env node
// A Prometheus exporter whose gauges tests set over HTTP, so collectors and detectors can be fed
// known values through a real Prometheus scrape. Plain Node, no dependencies, no build step.
//
//   GET  /metrics   Prometheus text exposition format (version 0.0.4)
//   GET  /healthz   "ok"
//   POST /set       {"name": "m", "labels": {"k": "v"}, "value": 1.5, "help"?: "..."}
//                   or an array of such objects; "value": null removes that series.
//                   value may also be "NaN", "+Inf" or "-Inf".
//   POST /reset     removes every gauge
//
// Usage: node scripts/test-exporter.mjs [--host 127.0.0.1] [--port 9101]

import { createServer } from 'node:http';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_BODY_BYTES = 1 << 20;
const MAX_SERIES = 100_000;

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: 9101 };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--host') opts.host = argv[++i];
    else if (argv[i] === '--port') opts.port = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (allowed: --host, --port)`);
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new Error('--port must be 1..65535');
  return opts;
}

/** name -> { help, series: Map<labelKey, { labels, value }> } */
const gauges = new Map();
let seriesCount = 0;

function labelKey(labels) {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function parseValue(v) {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'NaN') return NaN;
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return undefined;
}

/** Checks one /set item; returns an error message or null. */
function checkSet(item) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return 'each item must be an object';
  const { name, labels = {}, value, help } = item;
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) return `name must match ${METRIC_NAME}, got ${JSON.stringify(name)}`;
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return 'labels must be an object of strings';
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) return `label name ${JSON.stringify(k)} is not allowed`;
    if (typeof v !== 'string') return `label ${k} must be a string, got ${JSON.stringify(v)}`;
  }
  if (help !== undefined && typeof help !== 'string') return 'help must be a string';
  if (value !== null && parseValue(value) === undefined) {
    return `value must be a finite number, "NaN", "+Inf", "-Inf" or null, got ${JSON.stringify(value)}`;
  }
  return null;
}

/** Applies one checked /set item; returns an error message or null. */
function applySet({ name, labels = {}, value, help }) {
  let gauge = gauges.get(name);
  const key = labelKey(labels);
  if (value === null) {
    if (gauge?.series.delete(key)) seriesCount -= 1;
    if (gauge && gauge.series.size === 0) gauges.delete(name);
    return null;
  }
  const parsed = parseValue(value);
  if (!gauge) {
    gauge = { help: help ?? `test gauge ${name}`, series: new Map() };
    gauges.set(name, gauge);
  } else if (help !== undefined) {
    gauge.help = help;
  }
  if (!gauge.series.has(key)) {
    if (seriesCount >= MAX_SERIES) return `too many series (max ${MAX_SERIES}); POST /reset first`;
    seriesCount += 1;
  }
  gauge.series.set(key, { labels: { ...labels }, value: parsed });
  return null;
}

function formatValue(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v) {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function render() {
  const lines = [];
  for (const [name, gauge] of [...gauges.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`# HELP ${name} ${gauge.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${name} gauge`);
    for (const { labels, value } of gauge.series.values()) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      lines.push(`${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handle(req, res) {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'GET' && path === '/metrics') return send(res, 200, render(), 'text/plain; version=0.0.4; charset=utf-8');
  if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok\n');
  if (req.method === 'POST' && path === '/reset') {
    gauges.clear();
    seriesCount = 0;
    return send(res, 200, 'ok\n');
  }
  if (req.method === 'POST' && path === '/set') {
    let parsed;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch (err) {
      return send(res, 400, `invalid JSON body: ${err.message}\n`);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    // All or nothing: a batch with one bad item changes no gauge.
    for (const [i, item] of items.entries()) {
      const problem = checkSet(item);
      if (problem) return send(res, 400, `${items.length > 1 ? `item ${i}: ` : ''}${problem}\n`);
    }
    for (const [i, item] of items.entries()) {
      const problem = applySet(item);
      if (problem) return send(res, 400, `${items.length > 1 ? `item ${i}: ` : ''}${problem}\n`);
    }
    return send(res, 200, 'ok\n');
  }
  return send(res, 404, 'not found (GET /metrics, GET /healthz, POST /set, POST /reset)\n');
}

const opts = parseArgs(process.argv.slice(2));
const server = createServer((req, res) => {
  handle(req, res).catch((err) => send(res, 500, `${err.message}\n`));
});
server.listen(opts.port, opts.host, () => {
  console.log(`test exporter listening on http://${opts.host}:${opts.port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
