import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Runs in a child Node with --expose-gc so the heap can be measured after a full GC.
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { Engine, Store } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
const engine = new Engine();
const component = await engine.load(new Uint8Array(readFileSync(${JSON.stringify(new URL('../../../../../shared/conformance/components/adder.component.wasm', import.meta.url).pathname)})));
let traps = 0;
async function cycle() {
  const instance = await component.instantiate(new Store({ fuel: 5n }));
  try { await instance.call('docs:adder/add#add', [1, 2]); } catch (e) { if (e.code === 'out-of-fuel') traps++; else throw e; }
}
const heap = () => { globalThis.gc(); return process.memoryUsage().heapUsed; };
for (let i = 0; i < 500; i++) await cycle();
const before = heap();
for (let i = 0; i < 10000; i++) await cycle();
console.log(JSON.stringify({ traps, before, after: heap() }));
`;

describe('instantiate-then-trap cycles', () => {
  it('runs 10,000 cycles that trap with out-of-fuel without growing the host heap', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    const { traps, before, after } = JSON.parse(out.trim().split('\n').pop() as string) as { traps: number; before: number; after: number };
    expect(traps).toBe(10_500);
    // Allow 2 MiB of noise (JIT, caches); a leak of one instance per cycle would be far more.
    expect(after - before).toBeLessThan(2 * 1024 * 1024);
  });
});
