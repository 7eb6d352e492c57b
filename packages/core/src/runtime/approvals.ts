/**
 * The approval queue: requests for a human decision, opened when the policy
 * answers `require-approval` or a guest calls `approval.request`, and decided
 * by operators through `Runtime.approve`. The agent that asked is suspended
 * (status suspended, reason approval) until its request is decided; one
 * denial decides at once, approvals decide once `minApprovals` distinct
 * approvers said yes.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export type ApprovalStatus = 'pending' | 'approved' | 'denied';

/** An operator's answer to a request. */
export interface ApprovalVote {
  /** Who decides (recorded in the audit log). */
  approver: string;
  /** The role they act in; must be one the request accepts, unless they are named in it. */
  role?: string;
  approved: boolean;
  comment?: string;
}

export interface ApprovalRequest {
  readonly id: string;
  readonly agentId: string;
  /** Capability id the approval is for (`approval.request` for a guest's own request). */
  readonly capability: string;
  readonly action: string;
  readonly reason: string;
  /** JSON text shown to the approver. */
  readonly details: string;
  /** Roles whose members may decide; empty when only `approvers` may. */
  readonly roles: readonly string[];
  /** People who may decide whatever their role. */
  readonly approvers: readonly string[];
  readonly minApprovals: number;
  /** Policy rule that asked for the approval, or `guest` for `approval.request`. */
  readonly ruleId: string;
  readonly createdAt: number;
  /** When it is denied unless decided before (ms since the epoch, the runtime's clock); absent: never. */
  readonly deadline?: number;
  readonly status: ApprovalStatus;
  readonly votes: readonly (ApprovalVote & { at: number })[];
}

interface Mutable extends ApprovalRequest {
  deadline?: number;
  status: ApprovalStatus;
  votes: (ApprovalVote & { at: number })[];
}

export type NewApproval = Omit<ApprovalRequest, 'id' | 'createdAt' | 'status' | 'votes' | 'deadline'>;

/** The approver recorded on a denial by timeout. */
export const TIMEOUT_APPROVER = 'timeout';

export class ApprovalQueue {
  readonly #requests = new Map<string, Mutable>();
  readonly #now: () => number;
  readonly #newId: () => string;

  readonly #onChange: ((request: ApprovalRequest) => void) | undefined;

  /** @param options.onChange sees every request opened or changed (durable agents persist it). */
  constructor(options: { now: () => number; newId?: () => string; onChange?: (request: ApprovalRequest) => void }) {
    this.#now = options.now;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
    this.#onChange = options.onChange;
  }

  /**
   * Opens a request under a given id, or finds the one already open under it
   * (a call re-run after a restart asks again and gets its request back,
   * decided or not). `timeoutMs` sets the deadline (Infinity or absent: none).
   * @throws AgentOsError 'invalid-argument' when nobody could ever decide it.
   */
  openOrFind(request: NewApproval, options: { id?: string; timeoutMs?: number }): { request: ApprovalRequest; opened: boolean } {
    const existing = options.id === undefined ? undefined : this.#requests.get(options.id);
    if (existing) return { request: existing, opened: false };
    return { request: this.open(request, options), opened: true };
  }

  /** Puts back a request kept elsewhere (a durable store) as it was. */
  restore(request: ApprovalRequest): void {
    this.#requests.set(request.id, { ...request, votes: [...request.votes] } as Mutable);
  }

  /**
   * Denies every pending request whose deadline has passed (approver `timeout`).
   * @returns the requests it denied.
   */
  expire(now = this.#now()): ApprovalRequest[] {
    const expired: ApprovalRequest[] = [];
    for (const request of this.#requests.values()) {
      if (request.status !== 'pending' || request.deadline === undefined || request.deadline > now) continue;
      request.status = 'denied';
      request.votes.push({ approver: TIMEOUT_APPROVER, approved: false, comment: 'no decision before the deadline', at: now });
      expired.push(request);
      this.#onChange?.(request);
    }
    return expired;
  }

  /** The earliest deadline of a pending request (for a host timer or alarm), or undefined. */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const r of this.#requests.values()) if (r.status === 'pending' && r.deadline !== undefined && (next === undefined || r.deadline < next)) next = r.deadline;
    return next;
  }

  /** Opens a request. @throws AgentOsError 'invalid-argument' when nobody could ever decide it. */
  open(request: NewApproval, options: { id?: string; timeoutMs?: number } = {}): ApprovalRequest {
    if (request.roles.length === 0 && request.approvers.length === 0) {
      throw new AgentOsError('invalid-argument', 'An approval request needs at least one approver or role.', { details: { agentId: request.agentId } });
    }
    const createdAt = this.#now();
    const timeout = options.timeoutMs;
    const opened: Mutable = { ...request, id: options.id ?? this.#newId(), createdAt, status: 'pending', votes: [] };
    if (timeout !== undefined && Number.isFinite(timeout)) opened.deadline = createdAt + Math.max(0, timeout);
    this.#requests.set(opened.id, opened);
    this.#onChange?.(opened);
    return opened;
  }

  /** @throws AgentOsError 'not-found' for an unknown id. */
  get(id: string): ApprovalRequest {
    const request = this.#requests.get(id);
    if (!request) throw new AgentOsError('not-found', `No approval request has id ${id}.`, { details: { requestId: id } });
    return request;
  }

  /** Requests still waiting for a decision, oldest first. */
  pending(filter: { agentId?: string } = {}): ApprovalRequest[] {
    return [...this.#requests.values()].filter((r) => r.status === 'pending' && (filter.agentId === undefined || r.agentId === filter.agentId));
  }

  /**
   * Records a vote and returns the request (decided or still pending).
   * @throws AgentOsError 'not-found' for an unknown id; 'illegal-state' when it is already decided;
   *   'policy-denied' when the approver is neither named in it nor acting in one of its roles.
   */
  vote(id: string, vote: ApprovalVote): ApprovalRequest {
    const request = this.get(id) as Mutable;
    if (request.status !== 'pending') {
      throw new AgentOsError('illegal-state', `Approval request ${id} was already ${request.status}.`, { details: { requestId: id, status: request.status } });
    }
    const named = request.approvers.includes(vote.approver);
    const inRole = vote.role !== undefined && request.roles.includes(vote.role);
    if (!named && !inRole) {
      const who = [...request.approvers, ...request.roles.map((r) => `role ${r}`)].join(', ');
      throw new AgentOsError('policy-denied', `${vote.approver}${vote.role ? ` (${vote.role})` : ''} may not decide request ${id}; it needs ${who}.`, {
        details: { requestId: id, approver: vote.approver, role: vote.role ?? null },
      });
    }
    const votes = request.votes.filter((v) => v.approver !== vote.approver);
    votes.push({ ...vote, at: this.#now() });
    request.votes = votes;
    if (!vote.approved) request.status = 'denied';
    else if (votes.filter((v) => v.approved).length >= request.minApprovals) request.status = 'approved';
    this.#onChange?.(request);
    return request;
  }

  /** Forgets decided requests of an agent that ended (keeps memory flat for long runs). */
  forget(agentId: string): void {
    for (const [id, request] of this.#requests) if (request.agentId === agentId && request.status !== 'pending') this.#requests.delete(id);
  }

  /** Denies every pending request of an agent (it was terminated). */
  cancel(agentId: string, reason: string): void {
    for (const request of this.#requests.values()) {
      if (request.agentId === agentId && request.status === 'pending') {
        request.status = 'denied';
        request.votes.push({ approver: 'runtime', approved: false, comment: reason, at: this.#now() });
        this.#onChange?.(request);
      }
    }
  }
}
