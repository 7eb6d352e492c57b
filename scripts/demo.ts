/**
 * `npm start`: a local demo of what agentos runs today, on embedded defaults.
 *
 * Builds three example tools from TypeScript into WebAssembly components
 * (componentize-qjs), then runs them in the sandbox: a normal call with its fuel
 * and memory figures, a runaway loop stopped by its fuel budget, and an
 * allocation bomb stopped by the memory cap. Components are cached in
 * `.cache/fixtures/` so later starts are fast.
 */
import { Engine, Store, isAgentOsError, type HostImports } from '../packages/sandbox/src/index.ts';
import { buildFixture, type FixtureName } from '../test/fixtures/index.ts';

/** The example tools in examples/tools/, built once and cached by content in .cache/fixtures/. */
async function tool(name: FixtureName): Promise<Uint8Array> {
  const fixture = await buildFixture(name);
  if (!fixture.cached) process.stdout.write(`  built ${name} from examples/tools/${name}/\n`);
  return fixture.bytes;
}

const logs: string[] = [];
const imports: HostImports = {
  'agentos:runtime/log': { log: (level: string, message: string) => logs.push(`${level}: ${message}`) },
};

const engine = new Engine();

async function call(name: FixtureName, input: unknown, store: Store) {
  const component = await engine.load(await tool(name), { maxMemoryBytes: 32 * 1024 * 1024 });
  const instance = await component.instantiate(store, { imports });
  const started = performance.now();
  try {
    const value = await instance.call('invoke', [JSON.stringify(input)]);
    return { ok: true as const, value, ms: performance.now() - started };
  } catch (error) {
    if (!isAgentOsError(error)) throw error;
    return { ok: false as const, code: error.code, message: error.message, ms: performance.now() - started };
  }
}

process.stdout.write('agentos demo: tools as WebAssembly components under fuel and memory limits\n\n');

const wc = new Store({ fuel: 5_000_000_000n });
const counted = await call('wordcount', { text: 'the quick brown fox jumps over the lazy dog', repeat: 200 }, wc);
process.stdout.write(`1. wordcount (QuickJS tool, metered):\n   ${counted.ok ? String(counted.value) : counted.code}\n`);
process.stdout.write(`   fuel used ${wc.fuel.used.toLocaleString()} of ${(5_000_000_000).toLocaleString()}, ${counted.ms.toFixed(1)} ms\n\n`);

const spinStore = new Store({ fuel: 50_000_000n });
const spun = await call('spin', {}, spinStore);
process.stdout.write(`2. spin (an infinite loop), budget 50,000,000 fuel:\n   ${spun.ok ? 'finished?!' : `${spun.code}: ${spun.message}`}\n`);
process.stdout.write(`   fuel used ${spinStore.fuel.used.toLocaleString()}, stopped after ${spun.ms.toFixed(1)} ms\n\n`);

const allocStore = new Store({ fuel: 'unlimited' });
const allocated = await call('alloc', {}, allocStore);
process.stdout.write(`3. alloc (allocates 1 MiB blocks forever), memory cap 32 MiB:\n   ${allocated.ok ? 'finished?!' : `${allocated.code}: ${allocated.message}`}\n\n`);

process.stdout.write('The host kept serving through all three. Try the CLI: npx agentos --help\n');
