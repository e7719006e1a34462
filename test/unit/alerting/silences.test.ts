import { describe, expect, it } from 'vitest';
import { MemorySilenceStore, Silences, silenceFromConfig, silenceFromInput, silencedBy, silenceToJson } from '../../../sinks/alerting/silences.js';
import { parseMatcher } from '../../../sinks/alerting/matchers.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

describe('silences', () => {
  const s = silenceFromInput({ id: 's1', matchers: ['team="db"', 'severity=~"critical|warning"'], startsAt: T0, endsAt: T0 + 60_000 }, T0);

  it('suppress matching alerts only inside [startsAt, endsAt)', () => {
    const labels = { team: 'db', severity: 'critical' };
    expect(silencedBy([s], labels, T0 - 1)).toBeUndefined();
    expect(silencedBy([s], labels, T0)?.id).toBe('s1');
    expect(silencedBy([s], labels, T0 + 59_999)?.id).toBe('s1');
    expect(silencedBy([s], labels, T0 + 60_000)).toBeUndefined();
    expect(silencedBy([s], { team: 'db', severity: 'info' }, T0 + 1)).toBeUndefined();
    expect(silencedBy([s], { team: 'web', severity: 'critical' }, T0 + 1)).toBeUndefined();
  });

  it('validates API input, naming the field', () => {
    expect(() => silenceFromInput({ matchers: [], endsAt: T0 })).toThrow(/silence\.matchers: expected a non-empty array/);
    expect(() => silenceFromInput({ matchers: ['x'], endsAt: T0 })).toThrow(/silence\.matchers\[0\]: expected a matcher/);
    expect(() => silenceFromInput({ matchers: ['a="b"'] })).toThrow(/silence\.endsAt: expected an ISO 8601 time/);
    expect(() => silenceFromInput({ matchers: ['a="b"'], startsAt: T0, endsAt: T0 })).toThrow(/endsAt: must be after startsAt/);
    expect(() => silenceFromInput({ matchers: ['a="b"'], endsAt: T0, owner: 'me' })).toThrow(/silence\.owner: unknown key/);
    const ok = silenceFromInput({ matchers: ['a="b"'], endsAt: new Date(T0 + 1000).toISOString() }, T0);
    expect(ok.startsAt).toBe(T0);
    expect(ok.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('round-trips through JSON with a status', () => {
    const j = silenceToJson(s, T0 + 1);
    expect(j).toMatchObject({ id: 's1', matchers: ['team="db"', 'severity=~"critical|warning"'], status: 'active', origin: 'api' });
    expect(silenceFromInput(j, T0)).toEqual(s);
    expect(silenceToJson(s, T0 - 1).status).toBe('pending');
    expect(silenceToJson(s, T0 + 60_000).status).toBe('expired');
  });

  it('configured silences are listed but cannot be removed through the API', async () => {
    const fromConfig = silenceFromConfig({ matchers: [parseMatcher('env="staging"')], endsAt: '2030-01-01T00:00:00Z', comment: '', createdBy: 'config' }, 0);
    const all = new Silences([fromConfig], new MemorySilenceStore());
    const added = await all.add({ matchers: ['a="b"'], endsAt: Date.now() + 60_000 });
    expect((await all.all()).map((x) => x.id)).toEqual(['config-0', added.id]);
    await expect(all.remove('config-0')).rejects.toThrow(/alerting\.silences/);
    expect(await all.remove(added.id)).toBe(true);
    expect(await all.remove(added.id)).toBe(false);
  });
});
