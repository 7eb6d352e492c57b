/**
 * The MCP capability: agents call tools of external MCP servers as
 * `mcp.<server>.<tool>` — one name for `tools.call`, for the tool offered to
 * the model, and for the capability id the gate checks (so a policy can
 * grant `mcp.docs.*` and deny `mcp.docs.delete-page`). Every call is
 * authorized first (no network before the gate said yes), then the tool's
 * definition is checked against its pin (trust on first use; a change is
 * refused with 'manifest-changed' until an operator approves it), then run.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { AuditSink, CallContext, ToolDescription } from '../runtime/index.ts';
import { McpClient, type McpClientOptions } from './client.ts';
import type { McpTool } from './messages.ts';
import { pinState, toolHash, type ServerPins, type ToolPinStore } from './pins.ts';

export type McpServerConfig = Omit<McpClientOptions, 'clientName'>;

/** Decides whether a call may go ahead; throws an AgentOsError (e.g. 'policy-denied') when not. */
export type McpAuthorize = (request: { capability: string; input: unknown }, context: CallContext) => void | Promise<void>;

export interface McpCapabilityOptions {
  /** Servers by name (`[a-z0-9][a-z0-9-]*`, the `<server>` of tool names). */
  servers: Record<string, McpServerConfig>;
  pins: ToolPinStore;
  /** The gate (see `gateAuthorizer`); without it every call is refused, deny by default. */
  authorize?: McpAuthorize;
  /** Pinning, refusals and approvals are recorded here. */
  audit?: AuditSink;
  now?: () => number;
}

/** A call's outcome, shaped like the runtime's tool outcomes: JSON output or the WIT `tool-error`. */
export type McpCallOutcome = { ok: true; output: string } | { ok: false; error: { tag: 'failed'; val: string } };

/** What differs between a server's tools and its pins (for an operator deciding on re-approval). */
export interface PinReview {
  server: string;
  unchanged: string[];
  changed: { tool: string; pinned: string; current: string; definition: McpTool }[];
  added: { tool: string; current: string; definition: McpTool }[];
  removed: string[];
}

const SERVER_NAME = /^[a-z0-9][a-z0-9-]*$/;
const PREFIX = 'mcp.';

/** `mcp.<server>.<tool>`: the tool name agents use and the capability id the gate checks. */
export function mcpToolName(server: string, tool: string): string {
  return `${PREFIX}${server}.${tool}`;
}

export class McpCapability {
  readonly #clients = new Map<string, McpClient>();
  readonly #options: McpCapabilityOptions;
  readonly #now: () => number;

  /** @throws AgentOsError 'invalid-argument' for a bad server name or URL. */
  constructor(options: McpCapabilityOptions) {
    for (const [name, config] of Object.entries(options.servers)) {
      if (!SERVER_NAME.test(name)) {
        throw new AgentOsError('invalid-argument', `An MCP server name is lowercase letters, digits and '-', got '${name}'.`, { details: { server: name } });
      }
      this.#clients.set(name, new McpClient({ ...config, clientName: 'agentos' }));
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** True for names this capability answers (`mcp.<known server>.<tool>`). */
  handles(name: string): boolean {
    const parsed = parseName(name);
    return parsed !== undefined && this.#clients.has(parsed.server);
  }

  /**
   * The tools agents may use now, as tool descriptions named `mcp.<server>.<tool>`:
   * pinned ones whose definitions still match (a server seen for the first time is pinned).
   * Changed and new tools are left out until approved; unreachable servers are skipped.
   */
  async listTools(): Promise<ToolDescription[]> {
    const out: ToolDescription[] = [];
    for (const [server, client] of this.#clients) {
      let tools: McpTool[];
      try {
        tools = await client.listTools();
      } catch (error) {
        this.#audit('mcp.unreachable', { server, error: error instanceof Error ? error.message : String(error) });
        continue;
      }
      const pins = await this.#pinsFor(server, tools);
      const version = client.server?.version ?? '0.0.0';
      for (const tool of tools) {
        if (pinState(pins, tool) === 'pinned') out.push(describe(server, version, tool));
      }
    }
    return out;
  }

  /**
   * Calls `mcp.<server>.<tool>` with a JSON object `input`.
   * @throws AgentOsError 'not-found' (unknown server or tool), 'invalid-argument' (input not a
   *   JSON object), the authorizer's refusal ('capability-denied' when none is configured),
   *   'manifest-changed' when the tool's definition differs from its pin or it was never approved,
   *   and the client's errors (transport, JSON-RPC).
   */
  async call(name: string, input: string, context: CallContext): Promise<McpCallOutcome> {
    const parsed = parseName(name);
    const client = parsed && this.#clients.get(parsed.server);
    if (!parsed || !client) {
      throw new AgentOsError('not-found', `No MCP server for ${name}; configured: ${[...this.#clients.keys()].join(', ') || 'none'}.`, { details: { name } });
    }
    const args = parseArguments(input, name);
    const capability = name;
    if (!this.#options.authorize) {
      throw new AgentOsError('capability-denied', `MCP calls need an authorizer (the runtime's gate); none is configured, so ${capability} is refused.`, { details: { capability } });
    }
    await this.#options.authorize({ capability, input: { server: parsed.server, tool: parsed.tool, arguments: args } }, context);
    const tools = await client.listTools();
    const tool = tools.find((t) => t.name === parsed.tool);
    if (!tool) throw new AgentOsError('not-found', `The MCP server ${parsed.server} has no tool ${parsed.tool}.`, { details: { server: parsed.server, tool: parsed.tool } });
    const pins = await this.#pinsFor(parsed.server, tools);
    const hash = toolHash(tool);
    const state = pinState(pins, tool, hash);
    if (state !== 'pinned') {
      this.#audit('mcp.refused', { server: parsed.server, tool: parsed.tool, state, pinned: pins.tools[parsed.tool] ?? null, current: hash, agentId: context.agentId });
      const what = state === 'changed' ? 'changed its definition since it was approved' : 'was added after the server was approved';
      throw new AgentOsError('manifest-changed', `MCP tool ${name} ${what}; an operator must review and re-approve it before agents can call it.`, {
        details: { server: parsed.server, tool: parsed.tool, state, pinned: pins.tools[parsed.tool] ?? null, current: hash },
      });
    }
    const result = await client.callTool(parsed.tool, args);
    if (result.isError) return { ok: false, error: { tag: 'failed', val: textOf(result.content) || `${name} failed` } };
    return { ok: true, output: JSON.stringify(result.structuredContent ?? { content: result.content }) };
  }

  /**
   * Compares a server's current tools with its pins, for an operator.
   * @throws AgentOsError 'not-found' for an unknown server; the client's errors.
   */
  async review(server: string): Promise<PinReview> {
    const tools = await this.#client(server).listTools();
    const pins = (await this.#options.pins.get(server)) ?? { tools: {}, pinnedAt: 0 };
    const review: PinReview = { server, unchanged: [], changed: [], added: [], removed: [] };
    for (const tool of tools) {
      const current = toolHash(tool);
      const state = pinState(pins, tool, current);
      if (state === 'pinned') review.unchanged.push(tool.name);
      else if (state === 'changed') review.changed.push({ tool: tool.name, pinned: pins.tools[tool.name], current, definition: tool });
      else review.added.push({ tool: tool.name, current, definition: tool });
    }
    const listed = new Set(tools.map((t) => t.name));
    review.removed = Object.keys(pins.tools).filter((t) => !listed.has(t));
    return review;
  }

  /**
   * An operator's re-approval: pins the current definitions of `tools` (default: every tool the
   * server lists now; pins of removed tools are dropped). Pass the hashes from `review` as `expect`
   * so a definition that changed again after the review is not approved blindly.
   * @throws AgentOsError 'not-found' (unknown server or tool), 'manifest-changed' when a tool's current
   *   hash is not the expected one; the client's errors.
   */
  async approve(server: string, options: { by: string; tools?: string[]; expect?: Record<string, string> }): Promise<ServerPins> {
    const listed = await this.#client(server).listTools();
    const pins = (await this.#options.pins.get(server)) ?? { tools: {}, pinnedAt: 0 };
    const names = options.tools ?? listed.map((t) => t.name);
    const approved: Record<string, string> = {};
    for (const name of names) {
      const tool = listed.find((t) => t.name === name);
      if (!tool) throw new AgentOsError('not-found', `The MCP server ${server} has no tool ${name} to approve.`, { details: { server, tool: name } });
      const hash = toolHash(tool);
      const expected = options.expect?.[name];
      if (expected !== undefined && expected !== hash) {
        throw new AgentOsError('manifest-changed', `MCP tool ${mcpToolName(server, name)} changed again since it was reviewed; review it again.`, { details: { server, tool: name, expected, current: hash } });
      }
      approved[name] = hash;
    }
    const tools = options.tools ? { ...pins.tools, ...approved } : approved;
    const next = { tools, pinnedAt: this.#now() };
    await this.#options.pins.put(server, next);
    this.#audit('mcp.approved', { server, by: options.by, tools: approved });
    return next;
  }

  /** Ends every server session. */
  async close(): Promise<void> {
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
  }

  #client(server: string): McpClient {
    const client = this.#clients.get(server);
    if (!client) throw new AgentOsError('not-found', `No MCP server named ${server}.`, { details: { server } });
    return client;
  }

  /** The server's pins; on first contact every listed tool is pinned (trust on first use). */
  async #pinsFor(server: string, tools: McpTool[]): Promise<ServerPins> {
    const existing = await this.#options.pins.get(server);
    if (existing) return existing;
    const pins: ServerPins = { tools: Object.fromEntries(tools.map((t) => [t.name, toolHash(t)])), pinnedAt: this.#now() };
    await this.#options.pins.put(server, pins);
    this.#audit('mcp.pinned', { server, tools: pins.tools });
    return pins;
  }

  #audit(kind: string, data: Record<string, unknown>): void {
    this.#options.audit?.({ kind, data });
  }
}

function parseName(name: string): { server: string; tool: string } | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const rest = name.slice(PREFIX.length);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return { server: rest.slice(0, dot), tool: rest.slice(dot + 1) };
}

function parseArguments(input: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    throw new AgentOsError('invalid-argument', `The input for ${name} is not JSON.`, { details: { name } });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentOsError('invalid-argument', `The input for ${name} must be a JSON object (MCP tool arguments).`, { details: { name } });
  }
  return value as Record<string, unknown>;
}

function describe(server: string, version: string, tool: McpTool): ToolDescription {
  return {
    name: mcpToolName(server, tool.name),
    version,
    description: tool.description ?? tool.title ?? tool.name,
    inputSchema: JSON.stringify(tool.inputSchema),
    outputSchema: JSON.stringify(tool.outputSchema ?? {}),
  };
}

function textOf(content: { type: string; text?: unknown }[]): string {
  return content.map((c) => (c.type === 'text' && typeof c.text === 'string' ? c.text : '')).join('\n').slice(0, 4096);
}
