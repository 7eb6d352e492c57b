/**
 * Tool pinning: trust on first use, then no silent changes. The first time a
 * host lists a server's tools, each tool's definition is pinned by the
 * SHA-256 of its canonical JSON (RFC 8785). Afterwards a tool whose
 * definition differs (a "rug pull": new description, wider schema...) or that
 * was not there before is refused with 'manifest-changed' until an operator
 * re-approves it. The pins live behind a small interface, so a host keeps
 * them wherever it keeps state (memory, the durable Store, a database).
 */
import { canonicalize, sha256, toHex } from '../audit/index.ts';
import type { Store } from '../store/index.ts';
import type { McpTool } from './messages.ts';

/** Pinned tool hashes of one server: tool name → hex SHA-256 of the canonical definition. */
export interface ServerPins {
  tools: Record<string, string>;
  /** When the pins were last written (ms since the epoch). */
  pinnedAt: number;
}

export interface ToolPinStore {
  get(server: string): Promise<ServerPins | undefined>;
  put(server: string, pins: ServerPins): Promise<void>;
}

export class MemoryPinStore implements ToolPinStore {
  readonly #pins = new Map<string, ServerPins>();

  async get(server: string): Promise<ServerPins | undefined> {
    const pins = this.#pins.get(server);
    return pins && { tools: { ...pins.tools }, pinnedAt: pins.pinnedAt };
  }

  async put(server: string, pins: ServerPins): Promise<void> {
    this.#pins.set(server, { tools: { ...pins.tools }, pinnedAt: pins.pinnedAt });
  }
}

/** Pins kept in a core `Store` under `mcp/pins/<server>` (durable when the Store is). */
export class StorePinStore implements ToolPinStore {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async get(server: string): Promise<ServerPins | undefined> {
    const entry = await this.#store.get(key(server));
    return entry === undefined ? undefined : (JSON.parse(new TextDecoder().decode(entry.value)) as ServerPins);
  }

  async put(server: string, pins: ServerPins): Promise<void> {
    await this.#store.put(key(server), new TextEncoder().encode(JSON.stringify(pins)));
  }
}

function key(server: string): string {
  return `mcp/pins/${encodeURIComponent(server)}`;
}

/**
 * The hash a tool is pinned by: SHA-256 over the canonical JSON of its whole
 * definition except `_meta` (which servers use for bookkeeping).
 * @throws AgentOsError 'invalid-argument' when the definition is not I-JSON (canonicalize's rule).
 */
export function toolHash(tool: McpTool): string {
  const { _meta: _ignored, ...definition } = tool as McpTool & { _meta?: unknown };
  return toHex(sha256(new TextEncoder().encode(canonicalize(definition))));
}

/** How a listed tool compares with the pins. */
export type PinState = 'pinned' | 'changed' | 'added';

export function pinState(pins: ServerPins, tool: McpTool, hash = toolHash(tool)): PinState {
  const pinned = pins.tools[tool.name];
  if (pinned === undefined) return 'added';
  return pinned === hash ? 'pinned' : 'changed';
}
