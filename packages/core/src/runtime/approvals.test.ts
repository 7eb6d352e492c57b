import { describe, expect, it } from 'vitest';
import { ApprovalQueue, type NewApproval } from './approvals.ts';

function request(overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    agentId: 'a1', capability: 'http.fetch', action: 'http.fetch', reason: 'pay', details: '{}',
    roles: ['finance'], approvers: [], minApprovals: 1, ruleId: 'approve-payments', ...overrides,
  };
}

describe('ApprovalQueue', () => {
  it('approves once minApprovals distinct approvers said yes', () => {
    const queue = new ApprovalQueue({ now: () => 1 });
    const opened = queue.open(request({ minApprovals: 2 }));
    expect(queue.vote(opened.id, { approver: 'alice', role: 'finance', approved: true }).status).toBe('pending');
    // The same approver twice still counts once.
    expect(queue.vote(opened.id, { approver: 'alice', role: 'finance', approved: true }).status).toBe('pending');
    expect(queue.vote(opened.id, { approver: 'bob', role: 'finance', approved: true }).status).toBe('approved');
  });

  it('denies at the first no, and refuses later votes with illegal-state', () => {
    const queue = new ApprovalQueue({ now: () => 1 });
    const opened = queue.open(request());
    expect(queue.vote(opened.id, { approver: 'alice', role: 'finance', approved: false }).status).toBe('denied');
    expect(() => queue.vote(opened.id, { approver: 'bob', role: 'finance', approved: true })).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('refuses a vote from someone neither named nor in a role with policy-denied', () => {
    const queue = new ApprovalQueue({ now: () => 1 });
    const opened = queue.open(request({ approvers: ['carol'] }));
    expect(() => queue.vote(opened.id, { approver: 'mallory', role: 'intern', approved: true })).toThrow(expect.objectContaining({ code: 'policy-denied' }));
    expect(queue.vote(opened.id, { approver: 'carol', approved: true }).status).toBe('approved');
  });

  it('lists pending requests per agent and denies them when the agent is cancelled', () => {
    const queue = new ApprovalQueue({ now: () => 1 });
    const mine = queue.open(request());
    queue.open(request({ agentId: 'a2' }));
    expect(queue.pending({ agentId: 'a1' }).map((r) => r.id)).toEqual([mine.id]);
    queue.cancel('a1', 'terminated');
    expect(queue.get(mine.id).status).toBe('denied');
    expect(queue.pending()).toHaveLength(1);
    queue.forget('a1');
    expect(() => queue.get(mine.id)).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('refuses a request nobody could decide', () => {
    const queue = new ApprovalQueue({ now: () => 1 });
    expect(() => queue.open(request({ roles: [], approvers: [] }))).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('finds the request already open under a given id instead of opening another', () => {
    const changes: string[] = [];
    const queue = new ApprovalQueue({ now: () => 1, onChange: (r) => changes.push(`${r.id}:${r.status}`) });
    const first = queue.openOrFind(request(), { id: 'a1.4' });
    queue.vote('a1.4', { approver: 'alice', role: 'finance', approved: true });
    const again = queue.openOrFind(request(), { id: 'a1.4' });
    expect(first.opened).toBe(true);
    expect(again).toMatchObject({ opened: false, request: { id: 'a1.4', status: 'approved' } });
    expect(changes).toEqual(['a1.4:pending', 'a1.4:approved']);
  });

  it('denies pending requests past their deadline as timeout, and reports the next deadline', () => {
    let now = 1_000;
    const queue = new ApprovalQueue({ now: () => now });
    const soon = queue.open(request(), { timeoutMs: 500 });
    const later = queue.open(request(), { timeoutMs: 5_000 });
    queue.open(request());
    expect(queue.nextDeadline()).toBe(1_500);
    now = 1_499;
    expect(queue.expire()).toEqual([]);
    now = 1_500;
    expect(queue.expire().map((r) => r.id)).toEqual([soon.id]);
    expect(queue.get(soon.id)).toMatchObject({ status: 'denied', votes: [{ approver: 'timeout', approved: false }] });
    expect(queue.get(later.id).status).toBe('pending');
    expect(queue.nextDeadline()).toBe(6_000);
  });
});
