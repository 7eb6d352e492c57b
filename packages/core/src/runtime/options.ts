/**
 * What a Runtime is built from: the core primitives it wires together and the
 * host-side implementations of the capabilities (`implementations`). Every
 * implementation is injectable, so the same runtime runs against real
 * services in production and against local, deterministic ones in tests.
 * Values follow jco's mapping of the WIT types: records with camelCase keys,
 * `option<T>` as `T | undefined`, enums as strings, `list<u8>` as Uint8Array.
 */
import type { Engine } from '../../../sandbox/src/index.ts';
import type { AuditLog, AuditSigner } from '../audit/index.ts';
import type { Store } from '../store/index.ts';
import type { CapabilityManager } from '../capabilities/index.ts';
import type { Clock } from '../clock/index.ts';
import type { PolicyEngine } from '../policy/index.ts';
import type { AdmissionControl, AdmissionOptions, PolicySpec, SchedulingPolicy } from '../scheduler/index.ts';
import type { AgentProcess } from '../process/index.ts';
import type { McpCapability } from '../mcp/index.ts';
import type { Redactor } from '../secrets/index.ts';
import type { TrustStore } from '../trust/index.ts';
import type { AgentMetrics, Tracer } from '../observer/index.ts';
import type { Bus } from '../bus/index.ts';

/** Where the runtime's audit events go (normally `auditLog.append`). */
export type AuditSink = (event: { kind: string; data: Record<string, unknown> }) => void;

/** Who is calling: handed to every implementation. */
export interface CallContext {
  agentId: string;
  tenant: string;
  agentType: string;
  /** The agent's workspace (kv namespace); the agent id unless `spawn` named one. */
  workspaceId: string;
  /**
   * Durable agents only, on calls with external effects: a key derived from the
   * agent id and the call's journal position. A call retried after a crash
   * carries the same key; pass it on (http sends it as `Idempotency-Key`) so
   * the effect happens once.
   */
  idempotencyKey?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls: ToolCall[];
  toolCallId?: string;
}

export interface ToolDescription {
  name: string;
  version: string;
  description: string;
  inputSchema: string;
  outputSchema: string;
}

export interface CompletionRequest {
  model?: string;
  messages: ChatMessage[];
  tools: ToolDescription[];
  maxTokens?: number;
  temperature?: number;
}

export interface Completion {
  message: ChatMessage;
  finishReason: 'stop' | 'length' | 'tool-calls' | 'content-filter';
  usage: { inputTokens: number; outputTokens: number };
  model: string;
}

export interface HttpRequest {
  method: 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete' | 'options';
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** The model behind `llm.complete`. Throw an AgentOsError to fail the call (its code reaches the guest). */
export interface LlmImplementation {
  complete(request: CompletionRequest, context: CallContext): Completion | Promise<Completion>;
}

/** Egress behind `http.fetch` (after the policy allowed the request). */
export interface HttpImplementation {
  fetch(request: HttpRequest, context: CallContext): HttpResponse | Promise<HttpResponse>;
}

/** The agents' workspaces behind `kv`; `namespace` is the workspace id. */
export interface KvImplementation {
  get(namespace: string, key: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** @throws AgentOsError 'quota-exceeded' when the workspace would grow past its quota. */
  set(namespace: string, key: string, value: Uint8Array): void | Promise<void>;
  delete(namespace: string, key: string): boolean | Promise<boolean>;
  list(namespace: string, options: { prefix: string; cursor?: string; limit: number }): KeyPage | Promise<KeyPage>;
}

export interface KeyPage {
  keys: string[];
  nextCursor?: string;
}

/** Messages between agents behind `bus` (optional: without it every bus call is capability-denied). */
export interface BusImplementation {
  send(from: CallContext, to: string, payload: string): void | Promise<void>;
  publish(from: CallContext, topic: string, payload: string): void | Promise<void>;
  subscribe(from: CallContext, topic: string): void | Promise<void>;
  request(from: CallContext, to: string, payload: string, timeoutMs: number): string | Promise<string>;
}

export interface LogRecord {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: { key: string; value: string }[];
}

export interface Implementations {
  llm?: LlmImplementation;
  http?: HttpImplementation;
  /** Default: an in-memory store (MemoryKv) without quota. */
  kv?: KvImplementation;
  bus?: BusImplementation;
  /**
   * Tools of MCP servers, offered by `tools.list-tools` and called by `tools.call` as
   * `mcp.<server>.<tool>`. The runtime's gate decides every call (capability id = the tool
   * name) and parks the agent for approvals, so build it with `authorize: () => {}`.
   */
  mcp?: McpCapability;
  /** Receives every log record a guest writes (after the gate); default drops them. */
  log?: (record: LogRecord, context: CallContext) => void;
  /** Random bytes; default WebCrypto. Inject a seeded source for replayable runs. */
  random?: (length: number) => Uint8Array;
}

export interface RuntimeOptions {
  engine: Engine;
  policy: PolicyEngine;
  capabilities: CapabilityManager;
  /** The audit log every decision and lifecycle move is appended to. */
  audit: AuditLog | AuditSink;
  /** Who runs next: a policy object or a spec for `createPolicy`. Default FCFS. */
  scheduler?: SchedulingPolicy<AgentProcess> | PolicySpec<AgentProcess>;
  admission?: AdmissionControl | AdmissionOptions;
  /** Time for records, wall budgets, the guest's `clock`; default the host clock. */
  clock?: Clock;
  implementations?: Implementations;
  /**
   * Fuel between two looks of the runtime at a running guest (the sandbox Store's
   * slice); a scheduler slice ends at the first look past its fuel. Default 100,000.
   */
  checkEvery?: bigint;
  /** Cap on each agent's and tool's linear memory (bytes); default the engine's 64 MiB. */
  maxMemoryBytes?: number;
  /** Fuel for one tool invocation through `tools.call` (its own store); default 10^9. */
  toolFuel?: bigint;
  /** Slices run at the same time (others wait in the queue); default 8. */
  concurrency?: number;
  /** Makes process ids; default `crypto.randomUUID()`. */
  newId?: () => string;
  /**
   * Durable agents: journal every capability call in `store`, keep agent records and
   * approvals there, and re-create agents by replay (after a restart: `recover()`;
   * while an approval is pending no instance is held). See CONTRACTS.md "Journal / durable agents".
   */
  durable?: DurableOptions;
  /** How long a policy-required approval waits before it is denied (ms); default Infinity (until decided). */
  approvalTimeoutMs?: number;
  /**
   * The host's secrets (`Secrets.load(...)`, or just its `redactor`): every sink the runtime
   * writes — audit, `implementations.log`, the durable store (journal, records, approvals) —
   * is redacted with it. Pass the same `Secrets` to `createHttpCapability` so credentials are
   * injected per host and echoed ones scrubbed before the guest sees them. See CONTRACTS.md.
   */
  secrets?: { redactor: Redactor };
  /** Signed tools: `registerTool(name, bytes, { manifest })` goes through `store.admit`. */
  trust?: TrustOptions;
  /** Traces (spans and events) and metrics of what the runtime does. */
  observer?: ObserverOptions;
  /**
   * Agents' `bus` calls go through this Bus (each agent attached under its process id),
   * unless `implementations.bus` is given.
   */
  bus?: Bus;
  /**
   * The agent type `spawn` uses when the request names no `type` and brings no `component`;
   * default 'generic' — register the generic tool-using agent (examples/agents/generic) under it.
   */
  defaultAgentType?: string;
}

export interface TrustOptions {
  store: TrustStore;
  /** Refuse `registerTool` without a signed manifest ('signature-invalid'). Default false. */
  requireSigned?: boolean;
  /**
   * Tenants whose agents of the tool's type get the granted capabilities as an entitlement
   * (a tool spawned as an agent runs as agent type `<tool name>`). Default none.
   */
  tenants?: readonly string[];
  /** Of that entitlement; defaults 600 calls a minute and 0 tokens. */
  maxCallsPerMinute?: number;
  maxTokenBudget?: number;
}

export interface ObserverOptions {
  tracer?: Tracer;
  metrics?: AgentMetrics;
}

export interface DurableOptions {
  store: Store;
  /** Signs `exportAgent` bundles (Ed25519); without it export is refused. */
  signer?: AuditSigner;
  /**
   * The engine durable agents' components load through. It must instrument with
   * `exportState: true` for their snapshots (compaction); default: one like the
   * runtime's that does. Pass one on hosts that need their own glue loader.
   */
  engine?: Engine;
  /**
   * A resident agent is snapshotted at a quiescent point once its journal has grown by this
   * many entries since its last snapshot; recovery then replays only what came after.
   * Default 16; `Infinity` turns compaction off.
   */
  compactEvery?: number;
  /**
   * Delete the journal entries before an agent's durable snapshot (at the end of the slice that
   * took it, once its record is durable). Default true; false keeps every entry, so an agent whose
   * snapshot turns out unusable can still be rebuilt by full replay.
   */
  discard?: boolean;
}
