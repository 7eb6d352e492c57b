import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreModules, decodeModule } from '../wasm/index.ts';
import { instrument } from './index.ts';

const DIR = new URL('../../../../../shared/conformance/components/', import.meta.url);

describe('real components from other toolchains', () => {
  it('instruments every core module of every conformance component into a module the host accepts', () => {
    let modules = 0;
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.wasm'))) {
      for (const core of coreModules(new Uint8Array(readFileSync(new URL(file, DIR))))) {
        const { bytes, stats } = instrument(core.bytes, { maxMemoryBytes: 64 * 1024 * 1024 });
        expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>), `${file} module ${core.index}`).toBe(true);
        const m = decodeModule(bytes);
        expect(m.imports[0]).toMatchObject({ module: 'agentos:fuel', name: 'fuel' });
        expect(m.functions.length).toBe(stats.functions + stats.trampolines);
        expect(stats.trampolines).toBeLessThanOrEqual(stats.functions);
        modules++;
      }
    }
    expect(modules).toBeGreaterThan(50);
  });

  it('returns every core module byte for byte with meter: false and no caps', () => {
    let modules = 0;
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.wasm'))) {
      for (const core of coreModules(new Uint8Array(readFileSync(new URL(file, DIR))))) {
        const out = instrument(core.bytes, { meter: false }).bytes;
        // Compared by hand: a deep-equal of 2 MB arrays is slow.
        const same = out.length === core.bytes.length && out.every((b, i) => b === core.bytes[i]);
        expect(same, `${file} module ${core.index}`).toBe(true);
        modules++;
      }
    }
    expect(modules).toBeGreaterThan(50);
  });
});
