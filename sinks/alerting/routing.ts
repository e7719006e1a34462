import type { AlertingConfig, RouteConfig } from './config.js';
import { matchesAll } from './matchers.js';

/** Where one alert goes: a receiver and how its notifications are grouped there. */
export interface RouteTarget {
  receiver: string;
  groupBy: string[];
  /** 0: no grouping. */
  groupWaitMs: number;
}

/**
 * The route tree, Alertmanager-style: the root takes every alert; children are tried in order,
 * the first that matches takes the alert (and its own children are tried the same way) unless it
 * has `continue`, in which case later siblings are tried too. An alert that no child takes stops
 * at the deepest matching node, whose (possibly inherited) receiver gets it. Without a configured
 * route, every alert goes to every receiver.
 */
export class Router {
  private readonly root: RouteConfig;
  private readonly defaults: { groupBy: string[]; groupWaitMs: number };

  constructor(cfg: Pick<AlertingConfig, 'route' | 'receivers' | 'grouping'>) {
    this.defaults = { groupBy: cfg.grouping.groupBy, groupWaitMs: cfg.grouping.groupWaitMs };
    this.root = cfg.route ?? {
      matchers: [],
      continue: false,
      routes: cfg.receivers.map((r) => ({ receiver: r.name, matchers: [], continue: true, routes: [] })),
    };
  }

  route(labels: Record<string, string>): RouteTarget[] {
    const out: RouteTarget[] = [];
    this.walk(this.root, { receiver: undefined, ...this.defaults }, labels, out);
    const seen = new Set<string>();
    return out.filter((t) => (seen.has(t.receiver) ? false : (seen.add(t.receiver), true)));
  }

  private walk(node: RouteConfig, inherited: Omit<RouteTarget, 'receiver'> & { receiver: string | undefined }, labels: Record<string, string>, out: RouteTarget[]): boolean {
    if (!matchesAll(node.matchers, labels)) return false;
    const here = {
      receiver: node.receiver ?? inherited.receiver,
      groupBy: node.groupBy ?? inherited.groupBy,
      groupWaitMs: node.groupWaitMs ?? inherited.groupWaitMs,
    };
    let taken = false;
    for (const child of node.routes) {
      if (this.walk(child, here, labels, out)) {
        taken = true;
        if (!child.continue) break;
      }
    }
    if (!taken && here.receiver !== undefined) out.push({ receiver: here.receiver, groupBy: here.groupBy, groupWaitMs: here.groupWaitMs });
    return true;
  }
}
