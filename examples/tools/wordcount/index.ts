/**
 * wordcount — a small CPU-bound JavaScript workload: counts words, characters
 * and lines of `text`. With `repeat: N` it counts N times, which is how
 * benchmarks scale "a QuickJS-hosted JS workload" without changing the input.
 * World: agentos:runtime/tool.
 */
import { countText } from './count.ts';

interface Input {
  text: string;
  repeat?: number;
}

export function describe() {
  return {
    name: 'wordcount',
    version: '1.0.0',
    description: 'Counts the words, characters and lines of a text.',
    inputSchema: JSON.stringify({
      type: 'object',
      properties: { text: { type: 'string' }, repeat: { type: 'integer', minimum: 1 } },
      required: ['text'],
    }),
    outputSchema: JSON.stringify({
      type: 'object',
      properties: { words: { type: 'integer' }, chars: { type: 'integer' }, lines: { type: 'integer' } },
    }),
  };
}

export function invoke(input: string): string {
  let parsed: Input;
  try {
    parsed = JSON.parse(input) as Input;
  } catch (error) {
    throw { tag: 'invalid-input', val: `input is not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed?.text !== 'string') throw { tag: 'invalid-input', val: '`text` must be a string' };
  const repeat = Math.max(1, Math.floor(parsed.repeat ?? 1));
  let counts = countText(parsed.text);
  for (let i = 1; i < repeat; i++) counts = countText(parsed.text);
  return JSON.stringify({ ...counts, repeat });
}
