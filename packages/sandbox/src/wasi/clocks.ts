/**
 * wasi:clocks — wall and monotonic clocks, read only through a `ClockCapability`.
 *
 * The real clock is the default. For replay and tests, `createVirtualClock` gives a clock
 * that only moves when told to (or when the guest sleeps: blocking on a timer jumps the
 * virtual clock to the deadline instead of waiting), so runs are bit-for-bit repeatable.
 */

import { Pollable } from './io.ts';

export interface Datetime {
  seconds: bigint;
  nanoseconds: number;
}

/** The clock a sandbox sees. All values are nanoseconds unless stated. */
export interface ClockCapability {
  /** Wall-clock time since the Unix epoch. */
  now(): Datetime;
  /** Monotonic time in nanoseconds (arbitrary origin, never decreases). */
  monotonic(): bigint;
  /** Resolution of `monotonic` in nanoseconds. Defaults to 1000 (1 µs). */
  resolution?(): bigint;
  /**
   * Returns once `monotonic() >= instant`. A virtual clock jumps forward; the real clock waits
   * (synchronously, where the host allows it). Without it, sleeping returns at once.
   */
  waitUntil?(instant: bigint): void;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/**
 * The host's real clocks (`Date.now`, `performance.now`).
 * Sleeping uses `Atomics.wait` where the host permits blocking (Node, workers); elsewhere
 * (a browser main thread) it returns at once and the guest sees its timer still pending.
 */
export function createRealClock(): ClockCapability {
  const origin = BigInt(Date.now()) * NS_PER_MS;
  const started = performance.now();
  const monotonic = (): bigint => origin + BigInt(Math.round((performance.now() - started) * 1e6));
  return {
    now() {
      const ms = Date.now();
      return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
    },
    monotonic,
    resolution: () => 1000n,
    waitUntil(instant) {
      const remainingMs = Number((instant - monotonic()) / NS_PER_MS) + 1;
      if (remainingMs > 0) blockFor(remainingMs);
    },
  };
}

function blockFor(ms: number): void {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // Blocking is not allowed on this thread; the guest will observe a pending timer.
  }
}

export interface VirtualClockOptions {
  /** Wall-clock start, nanoseconds since the epoch. Default 1_700_000_000 s (a fixed date). */
  startNanos?: bigint;
  /** How far each reading advances the clock, in ns. Default 0: time stands still unless advanced. */
  stepNanos?: bigint;
}

/** A deterministic clock for replay and tests; `advance` moves both wall and monotonic time. */
export interface VirtualClock extends ClockCapability {
  advance(nanos: bigint): void;
}

/** A clock that moves only by `advance`, `stepNanos` per reading, or a guest sleep. */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  let nanos = options.startNanos ?? 1_700_000_000n * NS_PER_S;
  const origin = nanos;
  const step = options.stepNanos ?? 0n;
  const read = (): bigint => {
    const value = nanos;
    nanos += step;
    return value;
  };
  return {
    now() {
      const value = read();
      return { seconds: value / NS_PER_S, nanoseconds: Number(value % NS_PER_S) };
    },
    monotonic: () => read() - origin,
    resolution: () => 1n,
    waitUntil(instant) {
      const current = nanos - origin;
      if (instant > current) nanos += instant - current;
    },
    advance(delta) {
      if (delta < 0n) throw new RangeError('a virtual clock cannot go backwards');
      nanos += delta;
    },
  };
}

/** The wasi:clocks/wall-clock and monotonic-clock interface objects over one capability. */
export function createClockInterfaces(clock: ClockCapability) {
  const resolution = () => clock.resolution?.() ?? 1000n;
  const timer = (deadline: bigint) =>
    new Pollable({
      ready: () => clock.monotonic() >= deadline,
      block: () => clock.waitUntil?.(deadline),
      deadline,
    });
  return {
    wallClock: {
      now: (): Datetime => clock.now(),
      resolution: (): Datetime => {
        const ns = resolution();
        return { seconds: ns / NS_PER_S, nanoseconds: Number(ns % NS_PER_S) };
      },
    },
    monotonicClock: {
      now: (): bigint => clock.monotonic(),
      resolution,
      subscribeInstant: (when: bigint): Pollable => timer(when),
      subscribeDuration: (duration: bigint): Pollable => timer(clock.monotonic() + duration),
    },
  };
}
