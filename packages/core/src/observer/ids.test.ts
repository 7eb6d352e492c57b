import { describe, expect, it } from 'vitest';
import { IdGenerator, formatTraceparent, parseTraceparent, seededRandomBytes } from './ids.ts';

describe('IdGenerator', () => {
  it('makes 16-byte trace ids and 8-byte span ids as lowercase hex', () => {
    const ids = new IdGenerator();
    expect(ids.traceId()).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.spanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(ids.traceId()).not.toBe(ids.traceId());
  });

  it('gives the same ids for the same seed', () => {
    const a = new IdGenerator(seededRandomBytes(7));
    const b = new IdGenerator(seededRandomBytes(7));
    const c = new IdGenerator(seededRandomBytes(8));
    const first = [a.traceId(), a.spanId(), a.spanId()];
    expect([b.traceId(), b.spanId(), b.spanId()]).toEqual(first);
    expect(c.traceId()).not.toBe(first[0]);
  });

  it('never hands out an all-zero id, even from a source of zeros', () => {
    const zeros = new IdGenerator((bytes) => bytes.fill(0));
    expect(zeros.traceId()).toBe(`${'0'.repeat(30)}01`);
    expect(zeros.spanId()).toBe(`${'0'.repeat(14)}01`);
  });
});

describe('traceparent', () => {
  const context = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };

  it('writes and reads the W3C header', () => {
    const header = formatTraceparent(context);
    expect(header).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent(header, 'vendor=x')).toEqual({ ...context, traceState: 'vendor=x' });
  });

  it('rejects malformed, uppercase, all-zero and version-ff headers', () => {
    const bad = [
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
      'garbage',
    ];
    for (const header of bad) expect(parseTraceparent(header), header).toBeUndefined();
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-ever')).toEqual({ ...context, traceFlags: 0 });
  });
});
