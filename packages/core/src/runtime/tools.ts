/**
 * The tool registry: tool components (world `tool`) registered by name and
 * run on demand for `tools.call`. Each call gets a fresh instance in its own
 * Store, with its own fuel and the runtime's memory cap, so a tool can neither
 * see another call's state nor spend the calling agent's fuel.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { Store, type Component, type Engine } from '../../../sandbox/src/index.ts';
import { guestErrorValue, type TaggedValue } from './guest-result.ts';
import type { ToolDescription } from './options.ts';
import { witInterface } from './wit.ts';

interface Registered {
  component: Component;
  description: ToolDescription;
}

/** What a tool call produced: its JSON output, or the tool's own `tool-error`. */
export type ToolOutcome = { ok: true; output: string; fuelUsed: bigint } | { ok: false; error: TaggedValue; fuelUsed: bigint };

/** Receives the `log` records of tool code. */
export type ToolLog = (level: string, message: string, fields: { key: string; value: string }[]) => void;

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
  async register(name: string, bytes: Uint8Array): Promise<ToolDescription> {
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
    this.#tools.set(name, { component, description });
    return description;
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The loaded component of a tool (agents of a tool type run it as their process). */
  component(name: string): Component | undefined {
    return this.#tools.get(name)?.component;
  }

  list(): ToolDescription[] {
    return [...this.#tools.values()].map((t) => t.description);
  }

  /**
   * Runs one invocation in a fresh instance.
   * @throws AgentOsError 'not-found' for an unknown tool; the sandbox's errors when the tool
   *   traps, runs out of fuel or passes its memory cap (the caller reports them as data).
   */
  async invoke(name: string, input: string, log: ToolLog): Promise<ToolOutcome> {
    const tool = this.#tools.get(name);
    if (!tool) {
      throw new AgentOsError('not-found', `No tool named ${name}; registered: ${[...this.#tools.keys()].join(', ') || 'none'}.`, { details: { name } });
    }
    const store = new Store({ fuel: this.#fuel });
    const instance = await tool.component.instantiate(store, { imports: { [witInterface('log')]: { log } } });
    try {
      const output = (await instance.call('invoke', [input])) as string;
      return { ok: true, output, fuelUsed: store.fuel.used };
    } catch (error) {
      const value = guestErrorValue(error);
      if (value) return { ok: false, error: value, fuelUsed: store.fuel.used };
      throw isAgentOsError(error) ? error : new AgentOsError('internal', `Tool ${name} failed: ${String(error)}`, { cause: error });
    }
  }
}
