import { describe, expect, it } from 'vitest';
import { escapeKey, escapeMeasurement, quoteString, toLine } from '../../../sinks/influxdb/line-protocol.js';

describe('line protocol escaping', () => {
  it('escapes commas and spaces in measurements, but not equals signs', () => {
    expect(escapeMeasurement('cpu load,avg=1')).toBe('cpu\\ load\\,avg=1');
  });

  it('escapes commas, equals signs and spaces in tag keys, tag values and field keys', () => {
    expect(escapeKey('a,b=c d')).toBe('a\\,b\\=c\\ d');
  });

  it('turns newlines in keys into the two characters \\n', () => {
    expect(escapeKey('line1\nline2\r\nline3')).toBe('line1\\nline2\\nline3');
  });

  it('drops trailing backslashes, which would escape the following separator', () => {
    expect(escapeKey('path\\')).toBe('path');
    expect(escapeKey('C:\\dir\\\\')).toBe('C:\\dir');
    expect(escapeKey('a\\,b')).toBe('a\\\\,b');
  });

  it('quotes string fields, escaping backslashes and double quotes and keeping newlines', () => {
    expect(quoteString('say "hi"\\now\nbye')).toBe('"say \\"hi\\"\\\\now\nbye"');
  });
});

describe('toLine', () => {
  it('writes measurement, sorted tags, fields and a millisecond timestamp', () => {
    const line = toLine({ measurement: 'm', tags: { b: '2', a: '1' }, fields: { v: 1.5, n: 3, ok: true, s: 'x' }, ts: 1700000000123.4 });
    expect(line).toBe('m,a=1,b=2 v=1.5,n=3,ok=true,s="x" 1700000000123');
  });

  it('escapes special characters in every position', () => {
    const line = toLine({
      measurement: 'my m,x',
      tags: { 'k ey': 'v=a,l ue', nl: 'a\nb' },
      fields: { 'f,1': 'a "quoted" \\ string', 'f 2': false },
      ts: 1000,
    });
    expect(line).toBe('my\\ m\\,x,k\\ ey=v\\=a\\,l\\ ue,nl=a\\nb f\\,1="a \\"quoted\\" \\\\ string",f\\ 2=false 1000');
  });

  it('leaves out empty tags and fields that cannot be stored', () => {
    const line = toLine({ measurement: 'm', tags: { empty: '', only_bs: '\\', ok: 'y' }, fields: { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, v: 2 }, ts: 5 });
    expect(line).toBe('m,ok=y v=2 5');
  });

  it('writes integers as floats so a field never changes type', () => {
    expect(toLine({ measurement: 'm', tags: {}, fields: { v: 7 }, ts: 1 })).toBe('m v=7 1');
    expect(toLine({ measurement: 'm', tags: {}, fields: { v: 1e21 }, ts: 1 })).toBe('m v=1e+21 1');
  });

  it('rejects points with no measurement, no storable field or a bad timestamp', () => {
    expect(() => toLine({ measurement: '', tags: {}, fields: { v: 1 }, ts: 1 })).toThrow(/no measurement/);
    expect(() => toLine({ measurement: 'm', tags: {}, fields: { v: Number.NaN }, ts: 1 })).toThrow(/no field/);
    expect(() => toLine({ measurement: 'm', tags: {}, fields: {}, ts: 1 })).toThrow(/no field/);
    expect(() => toLine({ measurement: 'm', tags: {}, fields: { v: 1 }, ts: Number.NaN })).toThrow(/timestamp/);
  });
});
