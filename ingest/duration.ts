const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `15m`, `2h`, `1d`, `90s`, `500ms` or `1h30m` into ms. Strict: the whole
 * string must be made of `<integer><unit>` parts with units ms, s, m, h, d, w, each unit at most
 * once and in decreasing order. Throws a RangeError saying what is allowed.
 */
export function parseDuration(text: string): number {
  const input = text.trim();
  const allowed = 'expected e.g. 500ms, 90s, 15m, 2h, 1d, 1w or 1h30m';
  if (input === '') throw new RangeError(`empty duration; ${allowed}`);
  const re = /(\d+)(ms|s|m|h|d|w)/y;
  const order = ['w', 'd', 'h', 'm', 's', 'ms'];
  let total = 0;
  let lastRank = -1;
  let pos = 0;
  while (pos < input.length) {
    re.lastIndex = pos;
    const m = re.exec(input);
    if (!m) throw new RangeError(`invalid duration ${JSON.stringify(text)} at ${JSON.stringify(input.slice(pos))}; ${allowed}`);
    const rank = order.indexOf(m[2]);
    if (rank <= lastRank) throw new RangeError(`invalid duration ${JSON.stringify(text)}: units must appear once, largest first; ${allowed}`);
    lastRank = rank;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = re.lastIndex;
  }
  if (!Number.isSafeInteger(total)) throw new RangeError(`duration ${JSON.stringify(text)} is too large`);
  return total;
}

/** Formats ms the way parseDuration reads it, largest units first: `2d`, `1h30m`, `1500ms`; `0ms` for 0. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`cannot format ${ms} as a duration`);
  if (ms === 0) return '0ms';
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}
