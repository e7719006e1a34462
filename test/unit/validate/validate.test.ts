import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runValidation, validateCommand, parseValidateOptions, type CommandIo } from '../../../detect/validate/command.js';
import { assignFolds, crossValidate } from '../../../detect/validate/cv.js';
import { loadCorpus } from '../../../detect/validate/corpus.js';
import { runCorpus, runFile } from '../../../detect/validate/run-corpus.js';
import { evaluateSeries } from '../../../detect/evaluate/run.js';
import { createSeriesModel } from '../../../detect/model.js';
import { createAlertLogic } from '../../../detect/alert-logic.js';
import { OUT_HEADER } from '../../../detect/validate/output.js';
import { checkPromotion, readModelFile } from '../../../detect/combiner/index.js';
import { DEFAULT_PROFILES } from '../../../detect/nab/index.js';
import { trainCalibrated } from '../../../detect/train/calibrate.js';
import { buildModel, trainCommand } from '../../../detect/train/command.js';
import { DEFAULT_TRAINING } from '../../../detect/train/training-set.js';
import { defaultConfig } from '../../../config/load.js';
import { writeSyntheticCorpus, type SyntheticCorpus } from './synthetic.js';

function capture(): CommandIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (s: string) => void (io.out += s), stderr: (s: string) => void (io.err += s) };
  return io;
}

let corpus: SyntheticCorpus;
beforeAll(() => {
  corpus = writeSyntheticCorpus(6, 900);
});

describe('seismo validate end to end (synthetic NAB layout)', () => {
  it('--json prints exactly one JSON object with the contract keys', async () => {
    const io = capture();
    const code = await validateCommand({ data: corpus.data, labels: corpus.labels, json: true }, io);
    expect(code).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]);
    for (const k of ['files', 'windows', 'rows', 'nab', 'nab_sweep', 'events', 'forecast', 'seconds']) expect(r).toHaveProperty(k);
    for (const k of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) {
      expect(typeof r.nab[k]).toBe('number');
      expect(typeof r.nab_sweep[k]).toBe('number');
    }
    expect(Object.keys(r.events).sort()).toEqual(['f1', 'precision', 'recall']);
    expect(Object.keys(r.forecast).sort()).toEqual(['mape', 'mase', 'smape']);
    expect(r.files).toBe(6);
    expect(r.windows).toBe(6);
    expect(r.rows).toBe(6 * 900);
    // The injected shifts are obvious: the hand-built ensemble must find most of them.
    expect(r.events.recall).toBeGreaterThanOrEqual(0.5);
    expect(r.nab_sweep.standard).toBeGreaterThan(0);
    // per-file NAB contributions add up to the total
    const sum = r.per_file.reduce((a: number, p: { nab_standard_contribution: number }) => a + p.nab_standard_contribution, 0);
    expect(sum).toBeCloseTo(r.nab.standard, 6);
  });

  it('--out writes one CSV per file with the contract columns; alert marks only openings', async () => {
    const out = join(corpus.dir, 'out');
    const { result, outputs } = await runValidation({ data: corpus.data, labels: corpus.labels, out }, capture());
    for (const [i, key] of corpus.keys.entries()) {
      const path = join(out, ...key.split('/'));
      expect(existsSync(path)).toBe(true);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      expect(lines[0]).toBe(OUT_HEADER);
      expect(lines).toHaveLength(901);
      const rows = lines.slice(1).map((l) => l.split(','));
      expect(rows.every((c) => c.length === 7)).toBe(true);
      expect(rows[0][0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(rows.every((c) => c[3] === '0' || c[3] === '1')).toBe(true);
      expect(rows.every((c) => Number(c[2]) >= 0 && Number(c[2]) <= 1)).toBe(true);
      // warm-up: no forecast on the first row
      expect(rows[0].slice(4)).toEqual(['', '', '']);
      expect(rows.some((c) => c[4] !== '')).toBe(true);
      const alerts = rows.filter((c) => c[3] === '1').length;
      expect(alerts).toBe(result.per_file[i].alerts);
      // alerts open only on rows where the model's own output said 'open', never twice in a row
      for (let r = 1; r < rows.length; r++) expect(rows[r][3] === '1' && rows[r - 1][3] === '1').toBe(false);
      expect(alerts).toBe(outputs[i].alert.reduce((a, b) => a + b, 0));
    }
  });

  it('--report writes a self-contained HTML page with one plot per file', async () => {
    const dir = join(corpus.dir, 'report');
    await runValidation({ data: corpus.data, labels: corpus.labels, report: dir }, capture());
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(6);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http/);
    for (const key of corpus.keys) expect(html).toContain(key);
  });

  it('says which files are missing from the labels and which labelled files are missing from the data', async () => {
    const dir = join(corpus.dir, 'partial');
    mkdirSync(join(dir, 'data'), { recursive: true });
    // two of the six labelled files, plus one the labels do not know
    cpSync(join(corpus.data, corpus.keys[0]), join(dir, 'data', corpus.keys[0]));
    cpSync(join(corpus.data, corpus.keys[1]), join(dir, 'data', corpus.keys[1]));
    cpSync(join(corpus.data, corpus.keys[2]), join(dir, 'data', 'extra', 'unlabelled.csv'));
    const io = capture();
    const { result } = await runValidation({ data: join(dir, 'data'), labels: corpus.labels }, io);
    expect(result.files).toBe(3);
    expect(result.windows).toBe(2);
    expect(io.err).toContain('extra/unlabelled.csv has no entry');
    expect(io.err).toContain(`4 labelled file(s) in ${corpus.labels} are not under ${join(dir, 'data')}; their windows are not scored (${corpus.keys.slice(2, 5).join(', ')}, ...)`);
  });

  it('bad options name the option', () => {
    expect(() => parseValidateOptions({ data: 'x' })).toThrow(/--labels: required/);
    expect(() => parseValidateOptions({ data: 'x', labels: 'y', cv: 1 })).toThrow(/--cv/);
    expect(() => parseValidateOptions({ data: 'x', labels: 'y', cv: 3, model: 'm' })).toThrow(/drop --model or --cv/);
  });
});

describe('by-file cross-validation', () => {
  it('folds are deterministic, cover every file once and do not depend on input order', () => {
    const keys = ['b/2.csv', 'a/1.csv', 'c/3.csv', 'a/4.csv', 'b/5.csv'];
    const f = assignFolds(keys, 2);
    expect(assignFolds([...keys].reverse(), 2)).toEqual(f);
    expect([...f.values()].filter((v) => v === 0)).toHaveLength(3);
    expect(new Set(f.keys())).toEqual(new Set(keys));
  });

  it('never scores a file with a combiner trained on it, and each file gets its fold model', () => {
    const cfg = defaultConfig().detect;
    const files = loadCorpus(corpus.data, corpus.labels);
    const base = runCorpus(cfg, files, { features: true });
    const hp = { ...DEFAULT_TRAINING, trees: 5, rowsPerTree: 200 };
    const cv = crossValidate(cfg, files, base, 3, hp);
    expect(cv.folds).toHaveLength(3);
    const seen = new Set<string>();
    for (const fold of cv.folds) {
      for (const key of fold.heldOut) {
        expect(fold.trainedOn).not.toContain(key);
        seen.add(key);
      }
      expect(fold.trainedOn.length + fold.heldOut.length).toBe(files.length);
    }
    expect(seen.size).toBe(files.length);
    // Re-train fold 0 by hand on its training files only: its choice and held-out outputs are reproduced exactly.
    const f0 = cv.folds[0];
    const trainIdx = files.map((_, i) => i).filter((i) => f0.trainedOn.includes(files[i].series.key));
    const again = trainCalibrated(
      cfg,
      trainIdx.map((i) => files[i]),
      trainIdx.map((i) => base[i]),
      hp,
      DEFAULT_PROFILES,
    );
    expect(again.calibration).toEqual(cv.calibrations[0]);
    expect(f0.choice.combiner).toBe(again.calibration.kind);
    const i = files.findIndex((f) => f.series.key === f0.heldOut[0]);
    const rerun = again.combiner ? runFile(cfg, files[i], again.combiner) : base[i];
    expect(Array.from(rerun.score)).toEqual(Array.from(cv.outputs[i].score));
    // The choice is measured against the ensemble on the training files; a fold that chose the
    // ensemble scores its held-out files exactly as the ensemble alone.
    for (const fold of cv.folds) {
      expect(fold.choice.selection.candidates[0].weight).toBeNull();
      if (fold.choice.combiner === 'ensemble') {
        const j = files.findIndex((f) => f.series.key === fold.heldOut[0]);
        expect(Array.from(cv.outputs[j].score)).toEqual(Array.from(base[j].score));
      }
    }
  });
});

describe('seismo train and validate --model', () => {
  it('writes a versioned model file; validate reports the files it was trained on', async () => {
    // Train on the synthA files only.
    const sub = join(corpus.dir, 'subset');
    mkdirSync(sub, { recursive: true });
    cpSync(join(corpus.data, 'synthA'), join(sub, 'synthA'), { recursive: true });
    const modelPath = join(corpus.dir, 'model.json');
    const io = capture();
    expect(await trainCommand({ data: sub, labels: corpus.labels, out: modelPath, folds: 3, json: true }, io)).toBe(0);
    const m = readModelFile(modelPath);
    expect(m.format).toBe('seismo-model');
    expect(m.version).toBe(2);
    expect(m.calibration).toBeDefined();
    expect(m.validation.foldChoices).toHaveLength(3);
    expect(m.trainingSet.files).toEqual(corpus.keys.filter((k) => k.startsWith('synthA/')));
    expect(m.validation.method).toMatch(/3 folds/);
    expect(typeof m.validation.eventsF1).toBe('number');
    expect(JSON.parse(io.out).validation.nabStandard).toBe(m.validation.nabStandard);

    const vio = capture();
    const { result } = await runValidation({ data: corpus.data, labels: corpus.labels, model: modelPath }, vio);
    expect(result.training_overlap_files).toEqual(m.trainingSet.files);
    expect(vio.err).toMatch(/WARNING: 3 of 6 files were in the model's training set/);
    expect(result.combiner.startsWith(modelPath)).toBe(true);
    if (m.calibration?.kind === 'ensemble') expect(vio.err).toMatch(/chose the hand-built ensemble/);

    // On files it never saw, no overlap is reported.
    const other = join(corpus.dir, 'other');
    cpSync(join(corpus.data, 'synthB'), join(other, 'synthB'), { recursive: true });
    const clean = await runValidation({ data: other, labels: corpus.labels, model: modelPath }, capture());
    expect(clean.result.training_overlap_files).toEqual([]);
  });

  it('one file: no held-out validation is recorded, so any configured minimum refuses the model', () => {
    const one = join(corpus.dir, 'one');
    mkdirSync(join(one, 'synthA'), { recursive: true });
    cpSync(join(corpus.data, 'synthA', 'series_0.csv'), join(one, 'synthA', 'series_0.csv'));
    const m = buildModel({ data: one, labels: corpus.labels, out: 'unused', folds: 5 }, capture());
    expect(m.validation.eventsF1).toBeNull();
    expect(m.validation.method).toMatch(/none/);
  });
});

describe('validate with detect.model.path from the configuration', () => {
  it('uses a model that passes the promotion gate and refuses one that does not, as the detector would', async () => {
    const { writeFileSync } = await import('node:fs');
    const modelPath = join(corpus.dir, 'gate-model.json');
    const sub = join(corpus.dir, 'gate-train');
    cpSync(join(corpus.data, 'synthA'), join(sub, 'synthA'), { recursive: true });
    await trainCommand({ data: sub, labels: corpus.labels, out: modelPath, folds: 3 }, capture());
    const trained = readModelFile(modelPath);
    const nab = trained.validation.nabStandard!;
    // A model whose training chose the ensemble is refused by the gate whatever the minimums.
    if (trained.calibration?.kind === 'ensemble') {
      expect(checkPromotion(trained, {}).reasons.join(' ')).toMatch(/training chose the hand-built ensemble/);
    }
    // The rest checks the gate's minimums on a model that chose its (calibrated) forest.
    writeFileSync(modelPath, JSON.stringify({ ...trained, calibration: { kind: 'forest', weight: 1, votes: [0, 1], scores: [0, 1], selection: { method: 'test', criterion: 'test', candidates: [] } } }));

    const strict = join(corpus.dir, 'strict.yaml');
    writeFileSync(strict, `detect:\n  model:\n    path: ${modelPath}\n    minEventsF1: 0\n    minNabStandard: ${Math.min(100, nab + 1)}\n`);
    const refused = capture();
    const r1 = await runValidation({ data: corpus.data, labels: corpus.labels, config: strict }, refused);
    expect(refused.err).toMatch(/not using detect.model.path.*not promoted: validation.nabStandard/);
    expect(r1.result.combiner).toMatch(/none/);
    expect(r1.result.training_overlap_files).toBeUndefined();

    const lenient = join(corpus.dir, 'lenient.yaml');
    writeFileSync(lenient, `detect:\n  model:\n    path: ${modelPath}\n    minEventsF1: 0\n    minNabStandard: ${Math.max(-100, nab - 1)}\n`);
    const r2 = await runValidation({ data: corpus.data, labels: corpus.labels, config: lenient }, capture());
    expect(r2.result.combiner).toBe(modelPath);
    expect(r2.result.training_overlap_files).toHaveLength(3);
  });
});

describe('evaluateSeries: points not newer than the last one', () => {
  it('skips them as the detector stage does, so the other rows score exactly as without them', () => {
    const cfg = defaultConfig().detect;
    const n = 600;
    const ts: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      ts.push(1_600_000_000_000 + i * 300_000);
      values.push(50 + 10 * Math.sin(i / 7) + (i === 450 ? 80 : 0));
    }
    // The same series with a repeated timestamp (a different value) after rows 100, 300 and 449.
    const dupAt = new Set([100, 300, 449]);
    const ts2: number[] = [];
    const values2: number[] = [];
    const orig: number[] = [];
    for (let i = 0; i < n; i++) {
      ts2.push(ts[i]);
      values2.push(values[i]);
      orig.push(i);
      if (dupAt.has(i)) {
        ts2.push(ts[i]);
        values2.push(values[i] + 500);
        orig.push(-1);
      }
    }
    const clean = evaluateSeries(ts, values, createSeriesModel(cfg, { intervalMs: 300_000 }), createAlertLogic(cfg));
    const dup = evaluateSeries(ts2, values2, createSeriesModel(cfg, { intervalMs: 300_000 }), createAlertLogic(cfg));
    for (let j = 0; j < ts2.length; j++) {
      const i = orig[j];
      if (i >= 0) {
        expect(dup.score[j]).toBe(clean.score[i]);
        expect(dup.alert[j]).toBe(clean.alert[i]);
      } else {
        expect(dup.score[j]).toBe(dup.score[j - 1]);
        expect(dup.alert[j]).toBe(0);
        expect(dup.resolve[j]).toBe(0);
      }
    }
    expect(clean.alert[450]).toBe(1);
    expect(clean.skipped).toBe(0);
    expect(dup.skipped).toBe(3);
  });
});

describe('seismo validate: rows whose timestamp repeats the one before', () => {
  it('are counted, repeat the previous row in --out, and leave every other number as without them', async () => {
    const key = corpus.keys[0];
    const dir = join(corpus.dir, 'dups');
    mkdirSync(join(dir, 'clean', key.split('/')[0]), { recursive: true });
    mkdirSync(join(dir, 'dup', key.split('/')[0]), { recursive: true });
    const lines = readFileSync(join(corpus.data, key), 'utf8').trim().split('\n');
    // The same file with a redelivered row (same timestamp, another value) after rows 100, 400 and 700.
    const dupAfter = new Set([100, 400, 700]);
    const withDups = [lines[0]];
    lines.slice(1).forEach((l, i) => {
      withDups.push(l);
      if (dupAfter.has(i)) withDups.push(`${l.split(',')[0]},${Number(l.split(',')[1]) + 300}`);
    });
    writeFileSync(join(dir, 'clean', key), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'dup', key), `${withDups.join('\n')}\n`);
    const labels = join(dir, 'labels.json');
    writeFileSync(labels, JSON.stringify({ [key]: JSON.parse(readFileSync(corpus.labels, 'utf8'))[key] }));

    const cleanIo = capture();
    const clean = await runValidation({ data: join(dir, 'clean'), labels, out: join(dir, 'out-clean') }, cleanIo);
    const dupIo = capture();
    const dup = await runValidation({ data: join(dir, 'dup'), labels, out: join(dir, 'out-dup') }, dupIo);
    expect(clean.result.skipped_rows).toBe(0);
    expect(cleanIo.err).not.toContain('not scored');
    expect(dup.result.rows).toBe(clean.result.rows + 3);
    expect(dup.result.skipped_rows).toBe(3);
    expect(dup.result.per_file[0].skipped_rows).toBe(3);
    expect(dupIo.err).toContain(`validate: 3 rows in 1 files not scored`);
    expect(dupIo.err).toContain(`${key} (3)`);
    // What the model saw is the clean file: same alerts, same events, same forecast errors.
    expect(dup.result.per_file[0].alerts).toBe(clean.result.per_file[0].alerts);
    expect(dup.result.event_counts).toEqual(clean.result.event_counts);
    expect(dup.result.forecast).toEqual(clean.result.forecast);

    const read = (d: string) =>
      readFileSync(join(dir, d, key), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','));
    const cleanRows = read('out-clean');
    const dupRows = read('out-dup');
    expect(dupRows).toHaveLength(withDups.length - 1);
    let c = 0;
    for (let j = 0; j < dupRows.length; j++) {
      const r = dupRows[j];
      if (j > 0 && r[0] === dupRows[j - 1][0]) {
        // The skipped row: its own value, the previous row's score and band, no alert.
        expect(r[1]).not.toBe(dupRows[j - 1][1]);
        expect([r[2], r[4], r[5], r[6]]).toEqual([dupRows[j - 1][2], dupRows[j - 1][4], dupRows[j - 1][5], dupRows[j - 1][6]]);
        expect(r[3]).toBe('0');
      } else expect(r).toEqual(cleanRows[c++]);
    }
    expect(c).toBe(cleanRows.length);
  });
});
