import { describe, expect, it } from 'vitest';
import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { MlfqPolicy } from '../scheduler/index.ts';
import { randomInt, seededRandom } from '../scheduler/testing.ts';
import { canTransition, ProcessManager, type AgentProcess, type SliceOutcome, type TransitionRecord } from './index.ts';

const OUTCOMES: SliceOutcome[] = ['continue', 'continue', 'continue', 'await-approval', 'await-policy', 'completed', 'failed'];

describe('ProcessManager under random operations', () => {
  it('only makes allowed moves, keeps the run queue in step with statuses, and reports a continuous history', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const clock = new VirtualClock();
      const policy = new MlfqPolicy<AgentProcess>({ levels: 3, baseSliceFuel: 50, boostEveryFuel: 2_000 });
      const last = new Map<string, TransitionRecord>();
      let next = 0;
      const manager = new ProcessManager({
        policy,
        clock,
        admission: { maxConcurrent: 12 },
        newId: () => `p${next++}`,
        onTransition: (record) => {
          const previous = last.get(record.agentId);
          const continuous = record.from === null ? previous === undefined : record.from === previous?.to;
          const allowed = record.from === null || record.from === record.to || canTransition(record.from, record.to);
          if (!continuous || !allowed) expect.fail(`seed ${seed}: ${JSON.stringify(record)} after ${JSON.stringify(previous)}`);
          last.set(record.agentId, record);
          seen.add(record.action);
        },
      });
      const inFlight = new Set<string>();
      const slices = new Map<string, number>();
      for (let step = 0; step < 400; step++) {
        clock.advance(randomInt(random, 0, 3));
        const ids = [...manager.list()].map((p) => p.id);
        const id = ids.length > 0 ? ids[randomInt(random, 0, ids.length - 1)] : 'none';
        const op = randomInt(random, 0, 11);
        try {
          switch (op) {
            case 0:
              manager.submit({ goal: 'g', type: 't', tenant: `t${randomInt(random, 0, 2)}`, budget: { fuel: randomInt(random, 1, 120), tokens: 100 } });
              break;
            case 1: manager.initialize(id); break;
            case 2: manager.markReady(id); break;
            case 3: {
              const dispatched = manager.dispatch();
              if (dispatched) {
                expect(dispatched.sliceFuel).toBeLessThanOrEqual(dispatched.process.budget.fuel - dispatched.process.spent.fuel);
                inFlight.add(dispatched.process.id);
                slices.set(dispatched.process.id, dispatched.sliceFuel);
              }
              break;
            }
            case 4: {
              const flying = [...inFlight];
              if (flying.length === 0) break;
              const target = flying[randomInt(random, 0, flying.length - 1)];
              inFlight.delete(target);
              manager.endSlice(target, {
                // Half the slices run out (the guest was preempted), the rest yield early.
                fuelUsed: random() < 0.5 ? (slices.get(target) as number) : randomInt(random, 0, slices.get(target) as number), tokensUsed: randomInt(random, 0, 10),
                outcome: OUTCOMES[randomInt(random, 0, OUTCOMES.length - 1)], faulted: random() < 0.1,
              });
              break;
            }
            case 5: manager.wake(id); break;
            case 6: manager.pause(id); break;
            case 7: manager.resume(id); break;
            case 8: manager.terminate(id, 'random'); break;
            case 9: manager.fail(id, 'random'); break;
            case 10: {
              // Prefer a process stopped for budget, so extensions that restart one happen often enough.
              const starved = [...manager.list()].find((p) => p.suspendReason === 'budget' && p.status === 'suspended');
              manager.extendBudget(starved?.id ?? id, { fuel: randomInt(random, 0, 100) });
              break;
            }
            case 11: {
              manager.reap(id);
              inFlight.delete(id);
              break;
            }
          }
        } catch (error) {
          // Ops picked at random are often not allowed in the current state: that must be 'illegal-state', nothing else.
          if (!isAgentOsError(error) || (error.code !== 'illegal-state' && error.code !== 'not-found')) throw error;
          if (error.code === 'not-found') expect(id).toBe('none');
        }
        // Plain checks gathered into one assertion: `expect` per process per step is slow.
        const problems: string[] = [];
        for (const process of manager.list()) {
          const runnable = process.status === 'ready' || (process.status === 'suspended' && process.suspendReason === 'slice');
          if (policy.has(process) !== runnable) problems.push(`${process.id} ${process.status}/${process.suspendReason} queued=${!runnable}`);
        }
        if (manager.running !== inFlight.size) problems.push(`running ${manager.running}, in flight ${inFlight.size}`);
        if (problems.length > 0) expect(problems, `seed ${seed} step ${step}`).toEqual([]);
      }
    }
    // The random walk must actually reach every kind of move, or it proves little.
    expect([...seen].sort()).toEqual([
      'block', 'complete', 'dispatch', 'exhaust-budget', 'extend-budget', 'fail', 'initialize', 'pause', 'preempt', 'ready',
      'resume', 'submit', 'terminate', 'wake',
    ]);
  });
});
