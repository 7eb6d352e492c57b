import { describe, expect, it } from 'vitest';
import { Saga } from './compensation.ts';

describe('Saga', () => {
  it('runs the undos newest first', async () => {
    const saga = new Saga();
    const order: string[] = [];
    for (const name of ['reserve', 'charge', 'email']) saga.register(name, () => void order.push(name));
    const report = await saga.compensate();
    expect(order).toEqual(['email', 'charge', 'reserve']);
    expect(report).toEqual({ compensated: ['email', 'charge', 'reserve'], failed: [] });
    expect(saga.state).toBe('compensated');
  });

  it('runs each undo at most once, even when compensate is called again or concurrently', async () => {
    const saga = new Saga();
    let runs = 0;
    saga.register('refund', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    const [a, b] = await Promise.all([saga.compensate(), saga.compensate()]);
    const c = await saga.compensate();
    expect(runs).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('records a failed undo and still runs the rest', async () => {
    const failures: string[] = [];
    const saga = new Saga({ onCompensationFailure: (f) => failures.push(f.name) });
    const order: string[] = [];
    saga.register('first', () => void order.push('first'));
    saga.register('broken', () => {
      throw new Error('cannot undo');
    });
    saga.register('last', () => void order.push('last'));
    const report = await saga.compensate();
    expect(order).toEqual(['last', 'first']);
    expect(report.compensated).toEqual(['last', 'first']);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0].name).toBe('broken');
    expect((report.failed[0].error as Error).message).toBe('cannot undo');
    expect(failures).toEqual(['broken']);
  });

  it('step registers an undo with the effect result only when the effect succeeds', async () => {
    const saga = new Saga();
    const refunded: string[] = [];
    await saga.step('charge', async () => 'payment-42', (id) => void refunded.push(id));
    await expect(saga.step('ship', async () => {
      throw new Error('no stock');
    }, () => void refunded.push('never'))).rejects.toThrow('no stock');
    expect(saga.pending).toBe(1);
    await saga.compensate();
    expect(refunded).toEqual(['payment-42']);
  });

  it('run compensates and rethrows the original error on failure', async () => {
    const saga = new Saga();
    const undone: string[] = [];
    const failure = new Error('step 3 failed');
    await expect(saga.run(async (s) => {
      s.register('one', () => void undone.push('one'));
      s.register('two', () => void undone.push('two'));
      throw failure;
    })).rejects.toBe(failure);
    expect(undone).toEqual(['two', 'one']);
  });

  it('run commits on success, after which compensation undoes nothing', async () => {
    const saga = new Saga();
    let undone = false;
    await expect(saga.run(async (s) => {
      s.register('effect', () => {
        undone = true;
      });
      return 7;
    })).resolves.toBe(7);
    expect(saga.state).toBe('committed');
    expect(await saga.compensate()).toEqual({ compensated: [], failed: [] });
    expect(undone).toBe(false);
  });

  it('undoes at once an effect that lands after compensation started', async () => {
    const saga = new Saga();
    const undone: string[] = [];
    let finish!: (id: string) => void;
    const late = saga.step('slow write', () => new Promise<string>((resolve) => (finish = resolve)), (id) => void undone.push(id));
    await saga.compensate();
    finish('row-7');
    await expect(late).rejects.toMatchObject({ code: 'illegal-state' });
    expect(undone).toEqual(['row-7']);
  });

  it('refuses new effects once compensation has started', async () => {
    const saga = new Saga();
    await saga.compensate();
    expect(() => saga.register('late', () => undefined)).toThrow(expect.objectContaining({ code: 'illegal-state' }));
    expect(() => saga.commit()).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });
});
