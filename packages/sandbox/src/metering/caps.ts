/**
 * Memory and table caps: every memory gets a maximum no larger than the cap, so
 * `memory.grow` past it returns -1 inside the guest (the engine enforces it;
 * nothing runs per grow). Shared memories keep their flag.
 */
import { AgentOsError } from '../errors/index.ts';
import type { Limits, WasmModule } from '../wasm/index.ts';

const PAGE = 65536;

export interface Caps {
  maxMemoryBytes?: number;
  maxTableElements?: number;
}

/**
 * Lowers the maximum of every defined and imported memory to the cap and of
 * every defined table to `maxTableElements`.
 * @throws AgentOsError 'memory-limit' when a minimum already exceeds its cap.
 */
export function applyCaps(m: WasmModule, caps: Caps): void {
  if (caps.maxMemoryBytes !== undefined) {
    const pages = Math.floor(caps.maxMemoryBytes / PAGE);
    m.memories.forEach((l, i) => capLimits(l, pages, `memory ${i}`, 'pages'));
    for (const imp of m.imports) {
      if (imp.desc.kind === 'memory') capLimits(imp.desc.limits, pages, `imported memory ${imp.module}.${imp.name}`, 'pages');
    }
  }
  if (caps.maxTableElements !== undefined) {
    const cap = caps.maxTableElements;
    m.tables.forEach((t, i) => capLimits(t.limits, cap, `table ${i}`, 'elements'));
  }
}

function capLimits(l: Limits, cap: number, what: string, unit: string): void {
  if (l.min > cap) {
    throw new AgentOsError('memory-limit', `${what} starts at ${l.min} ${unit}, above the cap of ${cap} ${unit}; raise the limit or shrink the module`, {
      details: { what, minimum: l.min, cap, unit },
    });
  }
  if (l.max === undefined || l.max > cap) l.max = cap;
}
