/**
 * Wires the Engine's own `FuelAccount` (the one a Store uses) to a bare core
 * module as its `agentos:fuel` imports, so core scenarios exercise the real
 * fuel protocol without a component around them.
 */
import { FuelAccount } from '../../../packages/sandbox/src/engine/index.ts';

export interface MeteredImports {
  account: FuelAccount;
  imports: WebAssembly.Imports;
}

/** A fresh account of `limit` fuel (optionally handed out in slices) and the imports that spend it. */
export function fuelImports(limit: number, slice?: number): MeteredImports {
  const account = new FuelAccount({ limit: BigInt(limit), slice: slice === undefined ? undefined : BigInt(slice) });
  return { account, imports: { 'agentos:fuel': { fuel: account.global, exhausted: () => account.refill() } } };
}
