import { loadLabels, type LabelSet } from '../nab/labels.js';
import type { LabelWindow } from '../nab/scorer.js';
import { listSeriesFiles, loadSeries, type SeriesData } from '../evaluate/series.js';
import { ConfigError } from '../../pipeline/errors.js';

/** One labelled file of a corpus. */
export interface CorpusFile {
  series: SeriesData;
  windows: LabelWindow[];
  /** False when the labels have no entry for this file (scored as having no windows). */
  labelled: boolean;
}

/** Reads every `<category>/<name>.csv` under `dataDir` and its windows from the labels file. */
export function loadCorpus(dataDir: string, labelsFile: string): CorpusFile[] {
  const labels: LabelSet = loadLabels(labelsFile);
  const keys = listSeriesFiles(dataDir);
  if (keys.length === 0) throw new ConfigError([`--data: no <category>/<name>.csv files under ${dataDir}`]);
  return keys.map((key) => {
    const windows = labels.get(key);
    return { series: loadSeries(dataDir, key), windows: windows ?? [], labelled: windows !== undefined };
  });
}
