/** Parsers of the /proc files the host collector reads. Pure functions over the file text. */

/** Jiffies per CPU mode from one `cpu` line of /proc/stat. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** `cpu` (aggregate) and `cpu0`, `cpu1` … from /proc/stat. */
export function parseProcStat(text: string): Map<string, CpuTimes> {
  const out = new Map<string, CpuTimes>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name, ...rest] = line.trim().split(/\s+/);
    const f = rest.map(Number);
    if (f.length < 4 || f.some((x) => !Number.isFinite(x))) continue;
    out.set(name, {
      user: f[0],
      nice: f[1],
      system: f[2],
      idle: f[3],
      iowait: f[4] ?? 0,
      irq: f[5] ?? 0,
      softirq: f[6] ?? 0,
      steal: f[7] ?? 0,
    });
  }
  return out;
}

/** Utilisation between two readings of one CPU, in percent of elapsed jiffies. */
export interface CpuPercent {
  total: number;
  user: number;
  system: number;
  iowait: number;
  idle: number;
}

export function cpuPercent(prev: CpuTimes, cur: CpuTimes): CpuPercent | null {
  const sum = (t: CpuTimes): number => t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
  const elapsed = sum(cur) - sum(prev);
  if (!(elapsed > 0)) return null;
  const pct = (d: number): number => Math.min(100, Math.max(0, (100 * d) / elapsed));
  const idle = pct(cur.idle - prev.idle);
  const iowait = pct(cur.iowait - prev.iowait);
  return {
    total: Math.max(0, 100 - idle - iowait),
    user: pct(cur.user + cur.nice - prev.user - prev.nice),
    system: pct(cur.system + cur.irq + cur.softirq - prev.system - prev.irq - prev.softirq),
    iowait,
    idle,
  };
}

/** Memory figures in bytes from /proc/meminfo. */
export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
  usedPercent: number;
}

export function parseMeminfo(text: string): MemInfo | null {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) kb.set(m[1], Number(m[2]));
  }
  const total = kb.get('MemTotal');
  // Kernels before 3.14 have no MemAvailable: approximate it with free + buffers + cached.
  const available = kb.get('MemAvailable') ?? ((kb.get('MemFree') ?? NaN) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0));
  if (total === undefined || !(total > 0) || !Number.isFinite(available)) return null;
  return { totalBytes: total * 1024, availableBytes: available * 1024, usedPercent: (100 * (total - available)) / total };
}

export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } | null {
  const f = text.trim().split(/\s+/).slice(0, 3).map(Number);
  if (f.length < 3 || f.some((x) => !Number.isFinite(x))) return null;
  return { load1: f[0], load5: f[1], load15: f[2] };
}

/** Cumulative byte counters per interface from /proc/net/dev; `lo` is left out. */
export function parseNetDev(text: string): Map<string, { rxBytes: number; txBytes: number }> {
  const out = new Map<string, { rxBytes: number; txBytes: number }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === '' || name === 'lo' || name.includes('|')) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    out.set(name, { rxBytes: f[0], txBytes: f[8] });
  }
  return out;
}

const SECTOR_BYTES = 512;

/**
 * Cumulative read/written bytes per whole disk from /proc/diskstats. Partitions (a name that is
 * another listed device plus digits, optionally `p` and digits: sda1, nvme0n1p2, mmcblk0p1) and
 * loop/ram/zram devices are left out.
 */
export function parseDiskstats(text: string): Map<string, { readBytes: number; writeBytes: number }> {
  const rows: Array<{ name: string; readBytes: number; writeBytes: number }> = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const name = f[2];
    const sectorsRead = Number(f[5]);
    const sectorsWritten = Number(f[9]);
    if (!Number.isFinite(sectorsRead) || !Number.isFinite(sectorsWritten)) continue;
    if (/^(loop|ram|zram)\d+$/.test(name)) continue;
    rows.push({ name, readBytes: sectorsRead * SECTOR_BYTES, writeBytes: sectorsWritten * SECTOR_BYTES });
  }
  const names = new Set(rows.map((r) => r.name));
  const isPartition = (name: string): boolean => {
    for (const other of names) {
      if (other !== name && name.startsWith(other) && /^p?\d+$/.test(name.slice(other.length))) return true;
    }
    return false;
  };
  const out = new Map<string, { readBytes: number; writeBytes: number }>();
  for (const r of rows) if (!isPartition(r.name)) out.set(r.name, { readBytes: r.readBytes, writeBytes: r.writeBytes });
  return out;
}

/** Per-second rate of a cumulative counter; null when it went backwards (reset, device replaced). */
export function counterRate(prev: number, cur: number, seconds: number): number | null {
  if (!(seconds > 0) || cur < prev) return null;
  return (cur - prev) / seconds;
}
