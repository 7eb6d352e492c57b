/**
 * The agent process record: one per submitted agent, kept small because many
 * sit idle (queued or waiting on an approval) at once.
 *
 * Callers see the read-only `AgentProcess` view; only the process manager
 * changes a record, always through a lifecycle transition.
 */

/** Where a process is in its life; see lifecycle.ts for the allowed moves. */
export type ProcessStatus =
  | 'created'
  | 'initializing'
  | 'ready'
  | 'running'
  | 'suspended'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'terminated';

/**
 * Why a process is suspended: `slice` (preempted, queued again), `policy` or
 * `approval` (waiting for a decision), `budget` (a budget is spent).
 */
export type SuspendReason = 'policy' | 'approval' | 'budget' | 'slice';

/** Limits of one process, and (as `spent`) what it has used. `Infinity` = no limit. */
export interface Budget {
  /** Deterministic instruction count across all slices. */
  fuel: number;
  /** LLM tokens. */
  tokens: number;
  /** Milliseconds spent running (in slices), by the manager's clock. */
  wallMs: number;
  /** Host calls (tool calls, LLM calls). */
  calls: number;
}

/** The read-only view of a process record. `S` is the sandbox handle's type. */
export interface AgentProcess<S = unknown> {
  readonly id: string;
  /** What kind of agent this is (the runtime maps it to a component). */
  readonly type: string;
  readonly tenant: string;
  readonly goal: string;
  readonly status: ProcessStatus;
  /** Set while suspended, and while paused from a suspension it must return to. */
  readonly suspendReason: SuspendReason | undefined;
  /** Higher runs first under the priority policy. */
  readonly priority: number;
  /** Slices that ended in an error; MLFQ penalizes streaks of them. */
  readonly failureCount: number;
  readonly budget: Readonly<Budget>;
  readonly spent: Readonly<Budget>;
  /** Capability names granted to this process. */
  readonly capabilities: readonly string[];
  /** The runtime's handle on the process's sandbox; opaque to the manager. */
  readonly sandbox: S | undefined;
  readonly workspaceId: string | undefined;
  /** Milliseconds since the epoch, by the manager's clock. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

const NO_CAPABILITIES: readonly string[] = Object.freeze([]);

/** The mutable record behind `AgentProcess`; only the manager holds this type. */
export class ProcessRecord<S = unknown> implements AgentProcess<S> {
  readonly id: string;
  readonly type: string;
  readonly tenant: string;
  readonly goal: string;
  status: ProcessStatus = 'created';
  suspendReason: SuspendReason | undefined = undefined;
  priority: number;
  failureCount = 0;
  readonly budget: Budget;
  readonly spent: Budget = { fuel: 0, tokens: 0, wallMs: 0, calls: 0 };
  capabilities: readonly string[];
  sandbox: S | undefined = undefined;
  workspaceId: string | undefined;
  readonly createdAt: number;
  updatedAt: number;

  constructor(init: {
    id: string;
    type: string;
    tenant: string;
    goal: string;
    priority: number;
    budget: Budget;
    capabilities: readonly string[] | undefined;
    workspaceId: string | undefined;
    now: number;
  }) {
    this.id = init.id;
    this.type = init.type;
    this.tenant = init.tenant;
    this.goal = init.goal;
    this.priority = init.priority;
    this.budget = init.budget;
    // Most processes share the one empty list instead of holding their own.
    this.capabilities = init.capabilities === undefined || init.capabilities.length === 0
      ? NO_CAPABILITIES
      : Object.freeze([...init.capabilities]);
    this.workspaceId = init.workspaceId;
    this.createdAt = init.now;
    this.updatedAt = init.now;
  }
}
