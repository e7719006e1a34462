import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'X-Seismo-Signature';

export function signatureHex(secret: string, timestampSec: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${signatureHex(secret, t, body)}`;
}

/**
 * What a receiving service does: recompute the HMAC over `<t>.<raw body>` and compare in constant
 * time; reject timestamps older than `toleranceSec` (replays). Any `v1` entry may match (secret rotation).
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, nowMs: number = Date.now(), toleranceSec = 300): { ok: true } | { ok: false; reason: string } {
  if (!header) return { ok: false, reason: 'missing signature header' };
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const sigs = parts.filter(([k, v]) => k === 'v1' && v).map(([, v]) => v as string);
  if (!Number.isInteger(t) || sigs.length === 0) return { ok: false, reason: 'malformed signature header' };
  if (Math.abs(nowMs / 1000 - t) > toleranceSec) return { ok: false, reason: 'timestamp outside tolerance (possible replay)' };
  const expected = Buffer.from(signatureHex(secret, t, body), 'hex');
  for (const s of sigs) {
    const given = Buffer.from(s, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'signature mismatch' };
}
