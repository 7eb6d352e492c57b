/**
 * The one error type of agentos.
 *
 * Every failure that crosses a boundary (guest → host, host → CLI, worker → page)
 * is an `AgentOsError` with a stable string `code`. Callers branch on the code,
 * never on the message; messages are for people and say what to do next.
 * `toJSON`/`fromJSON` keep the code across `postMessage`, RPC and process exits.
 */

export const ERROR_CODES = [
  /** The fuel budget (deterministic instruction count) is spent. */
  'out-of-fuel',
  /** A memory or table would grow past its cap, or an allocation was refused. */
  'memory-limit',
  /** The wall-clock deadline passed. */
  'deadline',
  /** The guest trapped (unreachable, out-of-bounds, stack overflow, ...). */
  'trap',
  /**
   * A guest export returned the `err` case of its `result`: the guest's own answer, not a fault.
   * The WIT value is the error's `cause`; the instance stays usable.
   */
  'guest-error',
  /** The guest asked for a capability it was not granted. */
  'capability-denied',
  /** The bytes are not a valid module or component, or do not fit the expected world. */
  'invalid-component',
  /** The module uses a WebAssembly feature or opcode we do not support. */
  'unsupported-feature',
  /** A static limit (function count, code size, string length, ...) was exceeded. */
  'limit-exceeded',
  /** Bad input at an entry point (CLI flag, argument, option). */
  'invalid-argument',
  /** A lifecycle or state-machine transition that is not allowed. */
  'illegal-state',
  /** A named thing (agent, tool, key, capability) does not exist. */
  'not-found',
  /** A rate limit (token bucket) refused the call; retry later. */
  'rate-limited',
  /** A storage or workspace quota would be exceeded. */
  'quota-exceeded',
  /** A token, call or wall-time budget of an agent is spent. */
  'budget-exceeded',
  /** A policy document (or other declarative document) failed validation. */
  'invalid-policy',
  /** The policy engine denied the action. */
  'policy-denied',
  /** A request, approval or message was not answered in time. */
  'timeout',
  /** During replay the guest asked for a different call than the journal holds. */
  'replay-divergence',
  /** A network connection could not be made (DNS, TCP or TLS failure). */
  'connection-failed',
  /** Something that should not happen; a bug in agentos. */
  'internal',
  /** A signed document (tool manifest) fails its signature check, or its bytes were altered after signing. */
  'signature-invalid',
  /** Content (a component's bytes) does not match the SHA-256 its signed manifest records. */
  'hash-mismatch',
  /** A tool is signed by a different publisher key than the pinned one; an operator must re-approve. */
  'key-changed',
  /** A tool's description, schemas or requested capabilities differ from the approved ones (a rug pull?); an operator must re-approve. */
  'manifest-changed',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AgentOsErrorJSON {
  name: 'AgentOsError';
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface AgentOsErrorOptions {
  cause?: unknown;
  /** Structured, JSON-safe facts about the failure (offsets, limits, opcode names). */
  details?: Record<string, unknown>;
}

export class AgentOsError extends Error {
  override readonly name = 'AgentOsError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AgentOsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  toJSON(): AgentOsErrorJSON {
    const json: AgentOsErrorJSON = { name: 'AgentOsError', code: this.code, message: this.message };
    if (this.details) json.details = this.details;
    return json;
  }

  /** Rebuilds an error sent through `toJSON` (structured clone, RPC, a child's stdout). */
  static fromJSON(json: AgentOsErrorJSON): AgentOsError {
    const code = (ERROR_CODES as readonly string[]).includes(json.code) ? json.code : 'internal';
    return new AgentOsError(code, json.message, { details: json.details });
  }
}

/** True when `value` is an `AgentOsError` (also across realms, where `instanceof` fails). */
export function isAgentOsError(value: unknown): value is AgentOsError {
  return (
    value instanceof AgentOsError ||
    (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'AgentOsError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
