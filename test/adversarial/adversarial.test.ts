/**
 * The adversarial suite (issue 2, item 6): hostile inputs and guests, each at
 * the component level through the public Engine API. Every case asserts the
 * AgentOsError code it must end with, then proves the host keeps serving: a
 * fresh instance of a good component answers a normal call right after.
 *
 * Guests: adder (a real Rust component from jco's fixtures) for binaries, and
 * a hand-written hostile component (guest.ts) for runaway behaviour.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, ERROR_CODES, isAgentOsError, Store, type AgentOsError, type Component, type StoreOptions } from '../../packages/sandbox/src/index.ts';
import { DEFAULT_MAX_COMPONENT_BYTES } from '../../packages/sandbox/src/engine/index.ts';
import { guestComponent } from './guest.ts';
import { seededRandom } from '../../packages/core/src/scheduler/testing.ts';

const ADDER = new Uint8Array(readFileSync(new URL('../../../shared/conformance/components/adder.component.wasm', import.meta.url)));
const ADD = 'docs:adder/add@0.1.0#add';
const MiB = 1024 * 1024;

const engine = new Engine();
let adder: Component;
let guest: Component;
let guestBytes: Uint8Array;

/** The guest's one import; counts calls. */
function guestImports(onPing: () => void = () => {}) {
  return { ping: { default: onPing } };
}

async function run(component: Component, path: string, args: unknown[], store: StoreOptions = {}, onPing?: () => void) {
  const instance = await component.instantiate(new Store(store), { imports: guestImports(onPing) });
  return { instance, result: await outcome(instance.call(path, args)) };
}

/** What a promise settled with: the value, or the AgentOsError. Anything else fails the test. */
async function outcome(promise: Promise<unknown>): Promise<{ value?: unknown; error?: AgentOsError }> {
  try {
    return { value: await promise };
  } catch (error) {
    if (isAgentOsError(error)) return { error };
    throw new Error(`expected an AgentOsError, got ${String(error)}`, { cause: error });
  }
}

function failure(result: { value?: unknown; error?: AgentOsError }): AgentOsError {
  if (!result.error) throw new Error(`expected a failure, got ${String(result.value)}`);
  return result.error;
}

/** The host still serves: fresh instances of adder and of the guest answer normal calls. */
async function expectHostServes(): Promise<void> {
  const instance = await adder.instantiate(new Store());
  expect(await instance.call(ADD, [40, 2])).toBe(42);
  const fresh = await guest.instantiate(new Store(), { imports: guestImports() });
  expect(await fresh.call('greet')).toBe('ok');
}

beforeAll(async () => {
  guestBytes = await guestComponent();
  adder = await engine.load(ADDER);
  guest = await engine.load(guestBytes, { maxMemoryBytes: 4 * MiB });
});

describe('hostile binaries', () => {
  it('refuses an empty binary with invalid-component', async () => {
    expect(failure(await outcome(engine.load(new Uint8Array()))).code).toBe('invalid-component');
    await expectHostServes();
  });

  it('refuses every truncation of a real component with invalid-component', async () => {
    // (8 bytes would be a complete, empty component: the preamble alone is valid.)
    for (const length of [4, 100, ADDER.length >> 1, ADDER.length - 1]) {
      const error = failure(await outcome(engine.load(ADDER.slice(0, length))));
      expect(error.code, `truncated to ${length} bytes`).toBe('invalid-component');
    }
    await expectHostServes();
  });

  it('runs a bit-flipped component identically or refuses it with a stable code, never crashing the host', async () => {
    const random = seededRandom(0x5eed);
    const seen = new Map<string, number>();
    for (let variant = 0; variant < 60; variant++) {
      const bytes = ADDER.slice();
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      const result = await outcome(
        (async () => {
          const component = await engine.load(bytes);
          const instance = await component.instantiate(new Store({ fuel: 10_000_000n }));
          return instance.call(ADD, [40, 2]);
        })(),
      );
      const key = result.error ? result.error.code : `value ${String(result.value)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (result.error) expect(ERROR_CODES).toContain(result.error.code);
      else expect(result.value, `variant ${variant} ran but answered differently`).toBe(42);
    }
    // The flips must have exercised both outcomes, or the case proves nothing.
    expect(seen.get('invalid-component') ?? 0).toBeGreaterThan(0);
    expect(seen.get('value 42') ?? 0).toBeGreaterThan(0);
    await expectHostServes();
  });

  it('refuses a component over the size limit with limit-exceeded before compiling anything', async () => {
    const small = failure(await outcome(engine.load(ADDER, { maxComponentBytes: 1024 })));
    expect(small.code).toBe('limit-exceeded');
    expect(small.details).toMatchObject({ limit: 'maxComponentBytes', max: 1024, actual: ADDER.length });
    // Not a component at all: refused on its size alone, so nothing parsed it.
    const huge = failure(await outcome(engine.load(new Uint8Array(DEFAULT_MAX_COMPONENT_BYTES + 1))));
    expect(huge.code).toBe('limit-exceeded');
    await expectHostServes();
  });
});

describe('hostile guests', () => {
  it('stops an infinite loop at its fuel budget with out-of-fuel', async () => {
    const { result, instance } = await run(guest, 'spin', [], { fuel: 1_000_000n });
    expect(failure(result).code).toBe('out-of-fuel');
    expect(instance.store.fuel.used).toBeGreaterThanOrEqual(1_000_000n);
    expect(instance.store.fuel.used - 1_000_000n).toBeLessThan(100n);
    // The instance is poisoned; the host is not.
    expect(failure(await outcome(instance.call('greet'))).code).toBe('illegal-state');
    await expectHostServes();
  });

  it('stops a memory.grow bomb at the memory cap with memory-limit', async () => {
    const error = failure((await run(guest, 'grow', [])).result);
    expect(error.code).toBe('memory-limit');
    expect(error.details).toMatchObject({ limitBytes: 4 * MiB });
    expect(error.details?.peakBytes as number).toBeLessThanOrEqual(4 * MiB);
    await expectHostServes();
  });

  it('stops unbounded recursion with a stack-overflow trap, and the next instance works', async () => {
    const error = failure((await run(guest, 'recurse', [0], { fuel: 'unlimited' })).result);
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ kind: 'stack-overflow' });
    const next = await guest.instantiate(new Store(), { imports: guestImports() });
    expect(await next.call('add', [2, 3])).toBe(5);
    await expectHostServes();
  });

  it('charges a huge memory.fill before it runs: out-of-fuel without writing 4 GiB', async () => {
    const { result, instance } = await run(guest, 'fill', [0xffffffff], { fuel: 1_000_000n });
    expect(failure(result).code).toBe('out-of-fuel');
    // 1 fuel per 64 bytes, charged up front.
    expect(instance.store.fuel.used).toBeGreaterThanOrEqual(0xffffffffn >> 6n);
    await expectHostServes();
  });

  it('traps a huge memory.fill past the end of memory when the budget allows it', async () => {
    const error = failure((await run(guest, 'fill', [0xffffffff], { fuel: 'unlimited' })).result);
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ kind: 'memory-out-of-bounds' });
    await expectHostServes();
  });

  it('stops memory.fill in a loop at its fuel budget', async () => {
    const { result, instance } = await run(guest, 'fill-forever', [65536], { fuel: 1_000_000n });
    expect(failure(result).code).toBe('out-of-fuel');
    expect(instance.store.fuel.used - 1_000_000n).toBeLessThan(2000n);
    await expectHostServes();
  });

  it('refuses a 1 GiB string return with limit-exceeded before reading it', async () => {
    const error = failure((await run(guest, 'huge-string', [])).result);
    expect(error.code).toBe('limit-exceeded');
    expect(error.details).toMatchObject({ limit: 'maxStringBytes', actual: 1024 * MiB });
    await expectHostServes();
  });

  it('traps on a string that runs past the end of guest memory', async () => {
    const error = failure((await run(guest, 'string-past-memory', [])).result);
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ kind: 'memory-out-of-bounds' });
    await expectHostServes();
  });

  it('traps on invalid UTF-8 across the boundary instead of replacing it', async () => {
    const error = failure((await run(guest, 'bad-utf8', [])).result);
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ kind: 'invalid-string' });
    await expectHostServes();
  });

  it('stops a loop that only calls a cheap host import with out-of-fuel, after the same number of calls each time', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      let calls = 0;
      const { result } = await run(guest, 'ping-forever', [], { fuel: 100_000n }, () => void calls++);
      expect(failure(result).code).toBe('out-of-fuel');
      counts.push(calls);
    }
    expect(counts[0]).toBeGreaterThan(1000);
    expect(counts[1]).toBe(counts[0]);
    await expectHostServes();
  });

  it('reports a host import that throws as a trap naming the import, not a host stack', async () => {
    const error = failure(
      (
        await run(guest, 'ping-times', [3], {}, () => {
          throw new TypeError('host bug');
        })
      ).result,
    );
    expect(error.code).toBe('trap');
    expect(error.details).toMatchObject({ kind: 'host-error' });
    expect(error.message).toContain('host bug');
    await expectHostServes();
  });
});

describe('host memory under churn', () => {
  it('runs 10,000 instantiate-then-trap cycles without growing the host heap', () => {
    // A child Node with --expose-gc, so the heap is read after a full GC.
    const script = `
      import { Engine, Store } from ${JSON.stringify(new URL('../../packages/sandbox/src/index.ts', import.meta.url).href)};
      const bytes = new Uint8Array(${JSON.stringify([...guestBytes])});
      const component = await new Engine().load(bytes);
      const imports = { ping: { default() {} } };
      let traps = 0;
      async function cycle() {
        const instance = await component.instantiate(new Store({ fuel: 1000n }), { imports });
        try { await instance.call('spin'); } catch (e) { if (e.code === 'out-of-fuel') traps++; else throw e; }
      }
      const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
      for (let i = 0; i < 500; i++) await cycle();
      const before = heap();
      for (let i = 0; i < 10000; i++) await cycle();
      console.log(JSON.stringify({ traps, before, after: heap() }));
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const { traps, before, after } = JSON.parse(out.trim().split('\n').pop() as string) as { traps: number; before: number; after: number };
    expect(traps).toBe(10_500);
    // 2 MiB of slack (JIT, caches); one leaked instance per cycle would be tens of MiB.
    expect(after - before).toBeLessThan(2 * MiB);
  });
});

