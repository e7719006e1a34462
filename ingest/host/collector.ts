import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../pipeline/retry.js';
import { makeSample, type Sample } from '../sample.js';
import { PollingCollector, type SourceIO } from '../collector.js';
import type { HostSourceConfig } from './config.js';
import { counterRate, cpuPercent, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStat, type CpuTimes } from './proc.js';

interface Reading {
  at: number;
  cpu: Map<string, CpuTimes>;
  net: Map<string, { rxBytes: number; txBytes: number }>;
  disk: Map<string, { readBytes: number; writeBytes: number }>;
}

/**
 * Reads /proc every intervalMs. Gauges (memory, load) are emitted from the first tick; rates (CPU,
 * network, disk) from the second, as differences between consecutive readings.
 */
export class HostCollector extends PollingCollector {
  private prev: Reading | null = null;
  private readonly instance: string;

  constructor(
    io: SourceIO,
    private readonly cfg: HostSourceConfig,
  ) {
    super(io, cfg);
    this.instance = cfg.name ?? hostname();
  }

  private async read(file: string): Promise<string | null> {
    try {
      return await readFile(join(this.cfg.procPath, file), 'utf8');
    } catch (err) {
      this.io.logger.debug({ file, err: (err as Error).message }, 'proc file not readable');
      return null;
    }
  }

  private sample(name: string, labels: Record<string, string>, ts: number, value: number): Sample {
    return makeSample({ source: 'host', name, labels: { instance: this.instance, ...labels } }, ts, value);
  }

  /**
   * One run for `seismo collect --once`: rates need two readings, so a first one is taken
   * `primeMs` before the one that is emitted.
   */
  override async runOnce(primeMs = 1000): Promise<void> {
    if (!this.prev) {
      this.prev = await this.reading();
      await sleep(primeMs, this.io.ctx.signal);
    }
    await super.runOnce();
  }

  private async reading(): Promise<Reading> {
    const [stat, netdev, diskstats] = await Promise.all(['stat', 'net/dev', 'diskstats'].map((f) => this.read(f)));
    return {
      at: this.io.now(),
      cpu: stat === null ? new Map() : parseProcStat(stat),
      net: netdev === null ? new Map() : parseNetDev(netdev),
      disk: diskstats === null ? new Map() : parseDiskstats(diskstats),
    };
  }

  protected async poll(): Promise<void> {
    const [stat, meminfo, loadavg, netdev, diskstats] = await Promise.all(
      ['stat', 'meminfo', 'loadavg', 'net/dev', 'diskstats'].map((f) => this.read(f)),
    );
    if (stat === null && meminfo === null && loadavg === null) throw new Error(`cannot read ${this.cfg.procPath}/{stat,meminfo,loadavg}`);
    const at = this.io.now();
    const cur: Reading = {
      at,
      cpu: stat === null ? new Map() : parseProcStat(stat),
      net: netdev === null ? new Map() : parseNetDev(netdev),
      disk: diskstats === null ? new Map() : parseDiskstats(diskstats),
    };
    const out: Sample[] = [];
    const mem = meminfo === null ? null : parseMeminfo(meminfo);
    if (mem) {
      out.push(this.sample('memory_used_percent', {}, at, mem.usedPercent));
      out.push(this.sample('memory_available_bytes', {}, at, mem.availableBytes));
    }
    const load = loadavg === null ? null : parseLoadavg(loadavg);
    if (load) {
      out.push(this.sample('load1', {}, at, load.load1), this.sample('load5', {}, at, load.load5), this.sample('load15', {}, at, load.load15));
    }
    const prev = this.prev;
    if (prev) out.push(...this.rates(prev, cur));
    this.prev = cur;
    await this.io.emit('host', out);
  }

  private rates(prev: Reading, cur: Reading): Sample[] {
    const out: Sample[] = [];
    const at = cur.at;
    const seconds = (cur.at - prev.at) / 1000;
    for (const [name, times] of cur.cpu) {
      const isTotal = name === 'cpu';
      if (!isTotal && !this.cfg.perCpu) continue;
      const before = prev.cpu.get(name);
      const pct = before ? cpuPercent(before, times) : null;
      if (!pct) continue;
      const cpu = isTotal ? 'total' : name;
      out.push(this.sample('cpu_percent', { cpu, mode: 'total' }, at, pct.total));
      if (isTotal) {
        for (const mode of ['user', 'system', 'iowait', 'idle'] as const) out.push(this.sample('cpu_percent', { cpu, mode }, at, pct[mode]));
      }
    }
    for (const [iface, c] of cur.net) {
      const p = prev.net.get(iface);
      if (!p) continue;
      const rx = counterRate(p.rxBytes, c.rxBytes, seconds);
      const tx = counterRate(p.txBytes, c.txBytes, seconds);
      if (rx !== null) out.push(this.sample('network_receive_bytes_per_second', { interface: iface }, at, rx));
      if (tx !== null) out.push(this.sample('network_transmit_bytes_per_second', { interface: iface }, at, tx));
    }
    for (const [device, c] of cur.disk) {
      const p = prev.disk.get(device);
      if (!p) continue;
      const r = counterRate(p.readBytes, c.readBytes, seconds);
      const w = counterRate(p.writeBytes, c.writeBytes, seconds);
      if (r !== null) out.push(this.sample('disk_read_bytes_per_second', { device }, at, r));
      if (w !== null) out.push(this.sample('disk_write_bytes_per_second', { device }, at, w));
    }
    return out;
  }
}
