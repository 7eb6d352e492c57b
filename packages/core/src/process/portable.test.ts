import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// packages/core must run on Node, workerd and in browsers: web-standard APIs only.
const FOLDERS = ['process', 'scheduler', 'clock'];
const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, 'a node: import'],
  [/\brequire\(/, 'require()'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\.(env|nextTick|hrtime|memoryUsage|argv|exit)\b/, 'the Node process global'],
  [/\b(window|document|navigator)\.\w/, 'a DOM global'],
];

describe('process, scheduler and clock are portable', () => {
  it('use no Node-, DOM- or Workers-only APIs outside tests', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const sources = FOLDERS.flatMap((folder) =>
      readdirSync(`${root}${folder}`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `${folder}/${f}`),
    );
    expect(sources.length).toBeGreaterThan(10);
    const offences: string[] = [];
    for (const source of sources) {
      const text = readFileSync(`${root}${source}`, 'utf8');
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(text)) offences.push(`${source}: ${what}`);
    }
    expect(offences).toEqual([]);
  });
});
