import { describe, expect, it } from 'vitest';
import { readCapped } from './body.ts';

function stream(chunks: number[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(new Uint8Array(chunks[i++]));
      else controller.close();
    },
    cancel: onCancel,
  });
}

describe('readCapped', () => {
  const signal = new AbortController().signal;

  it('collects a body up to the cap', async () => {
    expect((await readCapped({ body: stream([3, 4, 3]), maxBytes: 10, signal })).length).toBe(10);
  });

  it('cancels the stream once the cap is passed', async () => {
    let cancelled = false;
    await expect(readCapped({ body: stream([6, 6, 6], () => (cancelled = true)), maxBytes: 10, signal })).rejects.toMatchObject({
      code: 'limit-exceeded', details: { seenBytes: 12 },
    });
    expect(cancelled).toBe(true);
  });

  it('refuses a declared length above the cap before reading', async () => {
    let pulled = false;
    const body = new ReadableStream<Uint8Array>({ pull: () => void (pulled = true) }, { highWaterMark: 0 });
    await expect(readCapped({ body, maxBytes: 10, signal, declaredLength: '11' })).rejects.toMatchObject({ code: 'limit-exceeded' });
    expect(pulled).toBe(false);
  });

  it('rejects with the abort reason when the signal fires mid-body', async () => {
    const controller = new AbortController();
    const body = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1)) });
    const reading = readCapped({ body, maxBytes: 10, signal: controller.signal });
    controller.abort(new Error('deadline'));
    await expect(reading).rejects.toThrow('deadline');
  });
});
