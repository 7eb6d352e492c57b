/**
 * The tool registry: tool components (world `tool`) registered by name and
 * run on demand for `tools.call`. Each call gets a fresh instance in its own
 * Store, with its own fuel cap and the runtime's memory cap, so a tool cannot
 * see another call's state; the fuel it burns is reported (`onFuel`) so the
 * runtime charges it to the calling agent.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { Store, type Component, type Engine } from '../../../sandbox/src/index.ts';
import { guestErrorValue, type TaggedValue } from './guest-result.ts';
import type { ToolDescription } from './options.ts';
import { witInterface } from './wit.ts';

interface Registered {
  component: Component;
  description: ToolDescription;
  /** Capabilities granted to a signed tool (trust); undefined for an unsigned one. */
  granted: readonly string[] | undefined;
}

/** What a tool call produced: its JSON output, or the tool's own `tool-error`. */
export type ToolOutcome = { ok: true; output: string; fuelUsed: bigint } | { ok: false; error: TaggedValue; fuelUsed: bigint };

/** Receives the `log` records of tool code. */
export type ToolLog = (level: string, message: string, fields: { key: string; value: string }[]) => void;

export interface InvokeOptions {
  log: ToolLog;
  /** Fuel cap of this run (lowered to the registry's per-call fuel when above it). */
  fuel?: bigint;
  /** Told the fuel the run burned, however it ended (also on a trap or out-of-fuel). */
  onFuel?: (used: bigint) => void;
}

export class ToolRegistry {
  readonly #engine: Engine;
  readonly #fuel: bigint;
  readonly #maxMemoryBytes: number | undefined;
  readonly #tools = new Map<string, Registered>();

  constructor(options: { engine: Engine; fuel: bigint; maxMemoryBytes?: number }) {
    this.#engine = options.engine;
    this.#fuel = options.fuel;
    this.#maxMemoryBytes = options.maxMemoryBytes;
  }

  /**
   * Loads a tool component and reads its description (`describe`).
   * @throws AgentOsError 'invalid-argument' for a name that is not kebab-case; the engine's
   *   load errors ('invalid-component', 'memory-limit', ...); 'invalid-component' when it does not
   *   export `describe` and `invoke`.
   */
  async register(name: string, bytes: Uint8Array, options: { granted?: readonly string[] } = {}): Promise<ToolDescription> {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) {
      throw new AgentOsError('invalid-argument', `A tool name is kebab-case (like word-count), got '${name}'.`, { details: { name } });
    }
    const component = await this.#engine.load(bytes, { maxMemoryBytes: this.#maxMemoryBytes });
    const names = new Set(component.functions.map((f) => f.path));
    if (!names.has('describe') || !names.has('invoke')) {
      throw new AgentOsError('invalid-component', `Tool ${name} does not implement the tool world (exports: ${[...names].join(', ') || 'none'}).`, { details: { name } });
    }
    const instance = await component.instantiate(new Store({ fuel: this.#fuel }), { imports: { [witInterface('log')]: { log: () => {} } } });
    const described = (await instance.call('describe')) as ToolDescription;
    const description = { ...described, name };
    this.#tools.set(name, { component, description, granted: options.granted && Object.freeze([...options.granted]) });
    return description;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The loaded component of a tool (agents of a tool type run it as their process). */
  component(name: string): Component | undefined {
    return this.#tools.get(name)?.component;
  }

  /** What trust granted a signed tool; undefined for an unsigned one (not restricted here). */
  granted(name: string): readonly string[] | undefined {
    return this.#tools.get(name)?.granted;
  }

  list(): ToolDescription[] {
    return [...this.#tools.values()].map((t) => t.description);
  }

  /**
   * Runs one invocation in a fresh instance.
   * @throws AgentOsError 'not-found' for an unknown tool; the sandbox's errors when the tool
   *   traps, runs out of fuel or passes its memory cap (the caller reports them as data).
   */
  async invoke(name: string, input: string, options: ToolLog | InvokeOptions): Promise<ToolOutcome> {
    const { log, fuel, onFuel } = typeof options === 'function' ? { log: options, fuel: undefined, onFuel: undefined } : options;
    const tool = this.#tools.get(name);
    if (!tool) {
      throw new AgentOsError('not-found', `No tool named ${name}; registered: ${[...this.#tools.keys()].join(', ') || 'none'}.`, { details: { name } });
    }
    const store = new Store({ fuel: fuel !== undefined && fuel < this.#fuel ? fuel : this.#fuel });
    try {
      const instance = await tool.component.instantiate(store, { imports: { [witInterface('log')]: { log } } });
      const output = (await instance.call('invoke', [input])) as string;
      return { ok: true, output, fuelUsed: store.fuel.used };
    } catch (error) {
      const value = guestErrorValue(error);
      if (value) return { ok: false, error: value, fuelUsed: store.fuel.used };
      throw isAgentOsError(error) ? error : new AgentOsError('internal', `Tool ${name} failed: ${String(error)}`, { cause: error });
    } finally {
      onFuel?.(store.fuel.used);
    }
  }
}
