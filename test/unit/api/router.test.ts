import { describe, expect, it } from 'vitest';
import { Router } from '../../../api/router.js';

const h = () => ({});

describe('Router', () => {
  it('matches literal segments before parameters and decodes parameters', () => {
    const r = new Router();
    r.add('GET', '/api/series/:id', h);
    r.add('GET', '/api/series/stats', h);
    const lit = r.match('GET', '/api/series/stats');
    expect(lit.kind === 'found' && lit.pattern).toBe('/api/series/stats');
    const param = r.match('GET', '/api/series/a%2Fb');
    expect(param.kind === 'found' && param.params).toEqual({ id: 'a/b' });
  });

  it('answers method-not-allowed with the allowed methods, HEAD included with GET', () => {
    const r = new Router();
    r.add('GET', '/x', h);
    r.add('POST', '/x', h);
    expect(r.match('DELETE', '/x')).toEqual({ kind: 'method-not-allowed', allow: ['GET', 'HEAD', 'POST'] });
    expect(r.match('HEAD', '/x').kind).toBe('found');
    expect(r.match('GET', '/y').kind).toBe('not-found');
    expect(r.match('GET', '/x/extra').kind).toBe('not-found');
  });

  it('rejects duplicates, unknown methods and bad patterns', () => {
    const r = new Router();
    r.add('GET', '/a/:id', h);
    expect(() => r.add('GET', '/a/:other', h)).toThrow(/already registered/);
    expect(() => r.add('TRACE', '/b', h)).toThrow(/not supported/);
    expect(() => r.add('GET', 'b', h)).toThrow(/must start/);
    expect(() => r.add('GET', '/b/:1x', h)).toThrow(/bad parameter/);
  });
});
