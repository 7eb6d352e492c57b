import { describe, expect, it } from 'vitest';
import { MlfqPolicy } from './mlfq.ts';
import { randomInt, seededRandom, testProcess, type TestProcess } from './testing.ts';

const used = (fuelUsed: number, exhausted: boolean, failed = false) => ({ fuelUsed, exhausted, failed });

/** The MLFQ rules written the slow, obvious way: arrays per level, boost rebuilds them. */
class ReferenceMlfq {
  levels: string[][];
  level = new Map<string, number>();
  streak = new Map<string, number>();
  sinceBoost = 0;
  readonly count: number;
  readonly slices: number[];
  readonly boostEvery: number;
  constructor(count: number, slices: number[], boostEvery: number) {
    this.count = count;
    this.slices = slices;
    this.boostEvery = boostEvery;
    this.levels = Array.from({ length: count }, () => []);
  }
  enqueue(id: string): void {
    if (!this.level.has(id)) {
      this.level.set(id, 0);
      this.streak.set(id, 0);
    }
    this.levels[this.level.get(id) as number].push(id);
  }
  dequeue(): { id: string; slice: number } | undefined {
    const level = this.levels.findIndex((queue) => queue.length > 0);
    if (level < 0) return undefined;
    return { id: this.levels[level].shift() as string, slice: this.slices[level] };
  }
  end(id: string, fuel: number, exhausted: boolean, failed: boolean): void {
    let level = this.level.get(id) as number;
    if (failed) {
      const streak = (this.streak.get(id) as number) + 1;
      this.streak.set(id, streak);
      level += streak;
    } else {
      this.streak.set(id, 0);
      if (exhausted) level++;
    }
    this.level.set(id, Math.min(level, this.count - 1));
    this.sinceBoost += fuel;
    if (this.sinceBoost >= this.boostEvery) {
      this.levels = [this.levels.flat(), ...this.levels.slice(1).map(() => [])];
      for (const key of this.level.keys()) this.level.set(key, 0);
      this.sinceBoost = 0;
    }
  }
  remove(id: string): void {
    for (const queue of this.levels) {
      const index = queue.indexOf(id);
      if (index >= 0) queue.splice(index, 1);
    }
    this.level.delete(id);
    this.streak.delete(id);
  }
}

describe('MlfqPolicy', () => {
  it('gives each level down a larger slice, and demotes a process that uses up its slice', () => {
    const policy = new MlfqPolicy<TestProcess>({ levels: 3, baseSliceFuel: 100, boostEveryFuel: Infinity });
    const p = testProcess('p');
    policy.enqueue(p);
    const slices: number[] = [];
    for (let i = 0; i < 4; i++) {
      const decision = policy.dequeue();
      slices.push(decision?.sliceFuel ?? -1);
      policy.onSliceEnd(p, used(decision?.sliceFuel ?? 0, true));
      policy.enqueue(p);
    }
    expect(slices).toEqual([100, 200, 400, 400]);
    expect(policy.levelOf(p)).toBe(2);
  });

  it('keeps the level of a process that yields before its slice ends, and runs higher levels first', () => {
    const policy = new MlfqPolicy<TestProcess>({ levels: 3, baseSliceFuel: 100, boostEveryFuel: Infinity });
    const hog = testProcess('hog');
    const chatty = testProcess('chatty');
    policy.enqueue(hog);
    policy.enqueue(chatty);
    policy.dequeue();
    policy.onSliceEnd(hog, used(100, true));
    policy.enqueue(hog);
    policy.dequeue();
    policy.onSliceEnd(chatty, used(10, false));
    policy.enqueue(chatty);
    expect(policy.levelOf(hog)).toBe(1);
    expect(policy.levelOf(chatty)).toBe(0);
    expect(policy.dequeue()?.proc).toBe(chatty);
  });

  it('boosts every process, queued or running, to the top after boostEveryFuel of use', () => {
    const policy = new MlfqPolicy<TestProcess>({ levels: 4, baseSliceFuel: 10, boostEveryFuel: 1000 });
    const procs = [testProcess('a'), testProcess('b'), testProcess('c')];
    for (const p of procs) policy.enqueue(p);
    // Sink everyone to the bottom without reaching the boost threshold.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) {
        const d = policy.dequeue();
        if (!d) throw new Error('empty');
        policy.onSliceEnd(d.proc, used(d.sliceFuel, true));
        policy.enqueue(d.proc);
      }
    }
    expect(procs.map((p) => policy.levelOf(p))).toEqual([3, 3, 3]);
    const running = policy.dequeue();
    if (!running) throw new Error('empty');
    policy.onSliceEnd(running.proc, used(1000, true));
    expect(policy.boosts).toBe(1);
    expect(procs.map((p) => policy.levelOf(p))).toEqual([0, 0, 0]);
    policy.enqueue(running.proc);
    expect(policy.dequeue()?.sliceFuel).toBe(10);
  });

  it('demotes by the failure streak, so repeated failures sink faster than used-up slices', () => {
    const policy = new MlfqPolicy<TestProcess>({ levels: 8, baseSliceFuel: 10, boostEveryFuel: Infinity });
    const flaky = testProcess('flaky');
    policy.enqueue(flaky);
    const levels: number[] = [];
    for (let i = 0; i < 3; i++) {
      policy.dequeue();
      policy.onSliceEnd(flaky, used(1, false, true));
      policy.enqueue(flaky);
      levels.push(policy.levelOf(flaky) as number);
    }
    expect(levels).toEqual([1, 3, 6]);
    policy.dequeue();
    policy.onSliceEnd(flaky, used(1, false, false));
    policy.enqueue(flaky);
    policy.dequeue();
    policy.onSliceEnd(flaky, used(1, false, true));
    // The clean slice reset the streak: the next failure costs one level again.
    expect(policy.levelOf(flaky)).toBe(7);
  });

  it('matches the obvious reference model (order, slices, levels, boosts) over many random runs', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const levels = randomInt(random, 1, 5);
      const base = randomInt(random, 1, 50);
      const boostEvery = randomInt(random, 50, 2000);
      const policy = new MlfqPolicy<TestProcess>({ levels, baseSliceFuel: base, boostEveryFuel: boostEvery });
      const slices = Array.from({ length: levels }, (_, l) => policy.sliceAt(l));
      const reference = new ReferenceMlfq(levels, slices, boostEvery);
      const procs = new Map<string, TestProcess>();
      const running: TestProcess[] = [];
      let next = 0;
      for (let step = 0; step < 600; step++) {
        const roll = random();
        if (roll < 0.15) {
          const p = testProcess(next++);
          procs.set(p.id, p);
          policy.enqueue(p);
          reference.enqueue(p.id);
        } else if (roll < 0.55) {
          const expected = reference.dequeue();
          const actual = policy.dequeue();
          expect(actual && { id: actual.proc.id, slice: actual.sliceFuel }, `seed ${seed} step ${step}`).toEqual(expected);
          if (actual) running.push(actual.proc);
        } else if (roll < 0.9 && running.length > 0) {
          const p = running.splice(randomInt(random, 0, running.length - 1), 1)[0];
          const slice = policy.sliceAt(policy.levelOf(p) as number);
          const exhausted = random() < 0.5;
          const fuel = exhausted ? slice : randomInt(random, 0, slice);
          const failed = random() < 0.2;
          policy.onSliceEnd(p, used(fuel, exhausted, failed));
          reference.end(p.id, fuel, exhausted, failed);
          policy.enqueue(p);
          reference.enqueue(p.id);
        } else if (procs.size > 0) {
          const ids = [...procs.keys()];
          const victim = procs.get(ids[randomInt(random, 0, ids.length - 1)]) as TestProcess;
          procs.delete(victim.id);
          const index = running.indexOf(victim);
          if (index >= 0) running.splice(index, 1);
          policy.remove(victim);
          reference.remove(victim.id);
        }
        expect(policy.size).toBe(reference.levels.flat().length);
      }
      for (const p of procs.values()) expect(policy.levelOf(p), `seed ${seed}`).toBe(reference.level.get(p.id));
    }
  });

  it('throws illegal-state when a slice ends for a process that was never dequeued', () => {
    const policy = new MlfqPolicy<TestProcess>();
    const p = testProcess('p');
    policy.enqueue(p);
    expect(() => policy.onSliceEnd(p, used(1, false))).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
  });
});
