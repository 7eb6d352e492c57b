/**
 * Scenarios on bare core modules, metered by `instrument`: the fuel trap, the
 * memory cap and the fuel of one ordinary call. Each returns plain JSON so a
 * host can send it over fetch or postMessage and the suites can compare hosts.
 */
import { fuelImports } from './fuel.ts';
import { outcomeOf, type Scenario } from './types.ts';

/** Small enough to trap within microseconds, big enough to run many loop iterations. */
export const SPIN_FUEL = 10_000;
/** A slice that does not divide SPIN_FUEL's loop evenly, so refills land mid-iteration. */
const SPIN_SLICE = 997;
/** More than any finishing scenario needs: it must never be the reason a call ends. */
const PLENTY = 1_000_000_000;

function exportedFunction(instance: WebAssembly.Instance, name: string): (...args: number[]) => unknown {
  const fn = instance.exports[name];
  if (typeof fn !== 'function') throw new TypeError(`fixture does not export a function '${name}'`);
  return fn as (...args: number[]) => unknown;
}

async function spinUntilOutOfFuel(module: WebAssembly.Module, slice?: number): Promise<unknown> {
  const { account, imports } = fuelImports(SPIN_FUEL, slice);
  const instance = await WebAssembly.instantiate(module, imports);
  const outcome = await outcomeOf(() => exportedFunction(instance, 'spin')());
  // The raw counter too: it shows the overshoot of the last block independently of the account's book keeping.
  return { ...outcome, fuelUsed: Number(account.used), counter: Number(account.global.value) };
}

export const CORE_SCENARIOS: Scenario[] = [
  {
    name: 'core fuel trap',
    modules: ['spin'],
    async run({ modules }) {
      // Handing the budget out in slices must not move the point where it runs out.
      return { whole: await spinUntilOutOfFuel(modules.spin), sliced: await spinUntilOutOfFuel(modules.spin, SPIN_SLICE) };
    },
  },
  {
    name: 'core metered call',
    modules: ['sum'],
    async run({ modules }) {
      const { account, imports } = fuelImports(PLENTY);
      const instance = await WebAssembly.instantiate(modules.sum, imports);
      const first = await outcomeOf(() => exportedFunction(instance, 'sum')(1000));
      const afterFirst = Number(account.used);
      // The same call again must cost exactly as much: fuel is a function of the
      // instructions run, not of JIT tier or timing.
      const second = await outcomeOf(() => exportedFunction(instance, 'sum')(1000));
      return { first: { ...first, fuelUsed: afterFirst }, second: { ...second, fuelUsed: Number(account.used) - afterFirst } };
    },
  },
  {
    name: 'core memory cap',
    modules: ['grow'],
    async run({ modules }) {
      const { account, imports } = fuelImports(PLENTY);
      const instance = await WebAssembly.instantiate(modules.grow, imports);
      const grow = exportedFunction(instance, 'grow');
      const pages = exportedFunction(instance, 'pages');
      const steps: unknown[] = [];
      // Within the cap, then one page past it, then far past it.
      for (const delta of [1, 1, 1000]) steps.push({ delta, ...(await outcomeOf(() => grow(delta))), pages: pages() });
      return { steps, fuelUsed: Number(account.used) };
    },
  },
];
