/**
 * What the runtime takes and reports about agents: spawn requests, the report
 * of one slice, and an agent's status (budget, spend, result, approvals).
 */
import type { Budget, ProcessStatus, SuspendReason } from '../process/index.ts';
import type { ApprovalRequest } from './approvals.ts';
import type { AgentResult, Park } from './sandbox.ts';

export interface SpawnRequest {
  /** A registered agent type (`registerAgent`) or tool name (`registerTool`). */
  type?: string;
  /** Component bytes to run instead of a registered type; `type` then names it (default `component`). */
  component?: Uint8Array;
  goal: string;
  tenant: string;
  /** Missing dimensions are unlimited (admission may refuse that). */
  budget: Partial<Budget>;
  priority?: number;
  /** kv namespace; default the process id. */
  workspaceId?: string;
  /**
   * Stay on the bus after `run` returned: the agent then waits for messages (status
   * suspended, reason 'policy') and each one that reaches it is delivered to its
   * `handle-message` in a slice, until it is terminated. Default false: messages still
   * waiting when `run` returns are delivered, then the agent completes and leaves the bus.
   */
  resident?: boolean;
}

/** What one slice did. */
export interface StepReport {
  id: string;
  outcome: Park['outcome'];
  status: ProcessStatus;
  fuelUsed: number;
  tokensUsed: number;
}

export interface AgentStatus {
  id: string;
  type: string;
  status: ProcessStatus;
  suspendReason: SuspendReason | undefined;
  budget: Readonly<Budget>;
  spent: Readonly<Budget>;
  /** Set once the export call ended. */
  result: AgentResult | undefined;
  /** Approval requests of this agent still waiting for a decision. */
  pendingApprovals: ApprovalRequest[];
  /** Bytes of the guest's linear memories while it has a live instance, else 0. */
  memoryBytes: number;
}
