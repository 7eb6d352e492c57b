import { describe, expect, it } from 'vitest';
import { readSseEvents, type SseEvent } from './sse.ts';

function streamOf(parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part);
      controller.close();
    },
  });
}

async function collect(parts: (string | Uint8Array)[], options = {}): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSseEvents(streamOf(parts), options)) events.push(event);
  return events;
}

describe('readSseEvents', () => {
  it('joins data lines, names events, carries the last id over and skips comments', async () => {
    const events = await collect([': ping\n\nevent: note\nid: 7\ndata: {"a":\ndata: 1}\n\ndata:no-space\n\n']);
    expect(events).toEqual([{ event: 'note', data: '{"a":\n1}', id: '7' }, { event: 'message', data: 'no-space', id: '7' }]);
  });

  it('handles CR, LF and CRLF line ends, even when a CRLF is split between chunks', async () => {
    const events = await collect(['data: one\r', '\n\r', '\ndata: two\r\rdata: three\n', '\n']);
    expect(events.map((e) => e.data)).toEqual(['one', 'two', 'three']);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: 🙂é\n\n');
    const events = await collect([bytes.slice(0, 8), bytes.slice(8, 9), bytes.slice(9)]);
    expect(events).toEqual([{ event: 'message', data: '🙂é' }]);
  });

  it('drops an event cut off by the end of the stream', async () => {
    expect(await collect(['data: complete\n\ndata: cut off'])).toEqual([{ event: 'message', data: 'complete' }]);
  });

  it('refuses a stream past its byte cap', async () => {
    await expect(collect(['data: x\n\n', 'data: yyyyyyyyyyyy\n\n'], { maxBytes: 16 })).rejects.toMatchObject({ code: 'limit-exceeded' });
  });

  it('refuses one endless event (no blank line) past the event cap', async () => {
    const parts = Array.from({ length: 20 }, () => 'data: 0123456789\n');
    await expect(collect(parts, { maxEventBytes: 100 })).rejects.toMatchObject({ code: 'limit-exceeded' });
  });

  it('refuses an endless line past the event cap', async () => {
    await expect(collect(['data: ', 'x'.repeat(200)], { maxEventBytes: 100 })).rejects.toMatchObject({ code: 'limit-exceeded' });
  });

  it('refuses bytes that are not UTF-8', async () => {
    await expect(collect([new Uint8Array([0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a])])).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
