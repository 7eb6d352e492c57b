/**
 * Scenarios on real components through the Engine's Store and
 * ComponentInstance: an ordinary call (adder, built with Rust by jco's test
 * suite), the fuel trap (the `spin` tool) and the memory cap (the `alloc`
 * tool). Hosts load the components; these scenarios only instantiate and call.
 */
import { Store, type Component } from '../../../packages/sandbox/src/engine/index.ts';
import { outcomeOf, type Outcome, type Scenario } from './types.ts';

/** The cap the `alloc` tool runs under: small, so it is reached in a few dozen 1 MiB blocks. */
export const ALLOC_CAP_BYTES = 16 * 1024 * 1024;
/** Enough for QuickJS to start and spin for a while; small enough to trap in well under a second. */
export const SPIN_COMPONENT_FUEL = 5_000_000;
/** A slice that does not divide the budget, so a refill lands inside the guest's loop. */
const SPIN_COMPONENT_SLICE = 999_983;
const PLENTY = 10_000_000_000n;

/** How each component is loaded (`Engine.load` options); every host must load it the same way. */
export const COMPONENTS: Record<string, { maxMemoryBytes?: number }> = {
  adder: {},
  spin: {},
  alloc: { maxMemoryBytes: ALLOC_CAP_BYTES },
};

const ADD = 'docs:adder/add@0.1.0#add';

interface Measured {
  outcome: Outcome;
  fuelUsed: number;
}

/** Calls `path` in a fresh instance of `component` in `store`, reporting fuel spent by instantiation and by the call. */
async function callFresh(component: Component, store: Store, path: string, args: unknown[]): Promise<Measured & { instantiateFuel: number }> {
  const instance = await component.instantiate(store);
  const instantiateFuel = Number(store.fuel.used);
  const outcome = await outcomeOf(() => instance.call(path, args));
  return { outcome, instantiateFuel, fuelUsed: Number(store.fuel.used) - instantiateFuel };
}

export const COMPONENT_SCENARIOS: Scenario[] = [
  {
    name: 'component call',
    components: ['adder'],
    async run({ components }) {
      const store = new Store({ fuel: PLENTY });
      const instance = await components.adder.instantiate(store);
      const measure = async (args: number[]): Promise<Measured> => {
        const before = Number(store.fuel.used);
        const outcome = await outcomeOf(() => instance.call(ADD, args));
        return { outcome, fuelUsed: Number(store.fuel.used) - before };
      };
      const first = await measure([1, 2]);
      // Repeating the call in the same instance costs the same again, however hot the JIT is by then.
      const second = await measure([1, 2]);
      const other = await measure([40, 2]);
      return { first, second, other, totalFuel: Number(store.fuel.used) };
    },
  },
  {
    name: 'component fuel trap',
    components: ['spin'],
    async run({ components }) {
      const whole = await callFresh(components.spin, new Store({ fuel: BigInt(SPIN_COMPONENT_FUEL) }), 'invoke', ['{}']);
      const sliced = await callFresh(
        components.spin,
        new Store({ fuel: BigInt(SPIN_COMPONENT_FUEL), slice: BigInt(SPIN_COMPONENT_SLICE) }),
        'invoke',
        ['{}'],
      );
      return { whole, sliced };
    },
  },
  {
    name: 'component memory cap',
    components: ['alloc'],
    async run({ components }) {
      const report = async (input: string) => {
        const store = new Store({ fuel: PLENTY });
        const measured = await callFresh(components.alloc, store, 'invoke', [input]);
        return { ...measured, memoryPeakBytes: store.memoryPeakBytes };
      };
      // Within the cap first, so a cap that refuses everything cannot pass as "the cap works".
      return { within: await report('{"mb":2}'), beyond: await report('{}') };
    },
  },
];
