import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../errors/index.ts';
import {
  createSeededRandom,
  createVirtualClock,
  createWasi,
  GuestError,
  isWasiExit,
  WasiExit,
  wasiImportKeys,
  type WasiDenial,
} from './index.ts';

function guestResult(fn: () => unknown): unknown {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof GuestError) return e.payload;
    throw e;
  }
}

describe('createWasi import keys', () => {
  it('publishes every interface bare and under each 0.2.x version, as one shared object', () => {
    const imports = createWasi();
    expect(wasiImportKeys('wasi:cli/stdout')).toContain('wasi:cli/stdout@0.2.3');
    for (const key of wasiImportKeys('wasi:io/streams')) expect(imports[key]).toBe(imports['wasi:io/streams']);
    for (const name of ['wasi:cli/environment', 'wasi:clocks/monotonic-clock', 'wasi:random/insecure-seed', 'wasi:sockets/ip-name-lookup', 'wasi:filesystem/preopens']) {
      expect(imports[`${name}@0.2.0`]).toBeDefined();
    }
  });

  it('refuses invalid options with invalid-argument', () => {
    expect(() => createWasi({ env: { 'A=B': 'x' } })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => createWasi({ limits: { outputBytes: -1 } })).toThrow(AgentOsError);
  });
});

describe('wasi:cli', () => {
  it('gives the guest no arguments, environment or stdin by default', () => {
    const imports = createWasi();
    const env = imports['wasi:cli/environment'] as any;
    expect(env.getArguments()).toEqual([]);
    expect(env.getEnvironment()).toEqual([]);
    expect(env.initialCwd()).toBeUndefined();
    const stdin = (imports['wasi:cli/stdin'] as any).getStdin();
    expect(guestResult(() => stdin.read(10n))).toEqual({ tag: 'closed' });
  });

  it('reads the stdin bytes the host gave, once, across handles', () => {
    const stdin = createWasi({ stdin: 'abcdef' })['wasi:cli/stdin'] as any;
    expect(new TextDecoder().decode(stdin.getStdin().read(4n))).toBe('abcd');
    expect(new TextDecoder().decode(stdin.getStdin().blockingRead(100n))).toBe('ef');
  });

  it('throws a WasiExit carrying 0 for exit(ok) and 1 for exit(err)', () => {
    const exit = createWasi()['wasi:cli/exit'] as any;
    const caught = (status: unknown) => {
      try {
        exit.exit(status);
      } catch (e) {
        return e;
      }
    };
    const ok = caught({ tag: 'ok' });
    expect(ok).toBeInstanceOf(WasiExit);
    expect(isWasiExit(ok) && ok.code === 0 && ok.success).toBe(true);
    expect((caught({ tag: 'err' }) as WasiExit).code).toBe(1);
  });

  it('traps with limit-exceeded once stdout passes its cap, counting across handles', () => {
    const written: number[] = [];
    const stdout = createWasi({ stdout: (b) => written.push(b.byteLength), limits: { outputBytes: 10 } })['wasi:cli/stdout'] as any;
    stdout.getStdout().write(new Uint8Array(6));
    expect(() => stdout.getStdout().write(new Uint8Array(6))).toThrow(expect.objectContaining({ code: 'limit-exceeded' }));
    expect(written).toEqual([6]);
  });

  it('traps when a write exceeds the check-write permit', () => {
    const out = (createWasi()['wasi:cli/stdout'] as any).getStdout();
    expect(out.checkWrite()).toBe(4096n);
    expect(() => out.write(new Uint8Array(4097))).toThrow(Error);
  });
});

describe('wasi:random', () => {
  it('gives the same bytes for the same seed and different bytes for another', () => {
    const a = createWasi({ random: createSeededRandom(42) })['wasi:random/random'] as any;
    const b = createWasi({ random: createSeededRandom(42) })['wasi:random/random'] as any;
    const c = createWasi({ random: createSeededRandom(43) })['wasi:random/random'] as any;
    const first = a.getRandomBytes(13n);
    expect(first).toEqual(b.getRandomBytes(13n));
    expect(first).not.toEqual(c.getRandomBytes(13n));
    expect(a.getRandomU64()).toBe(b.getRandomU64());
  });

  it('returns the same insecure seed on every call', () => {
    const seed = createWasi()['wasi:random/insecure-seed'] as any;
    expect(seed.insecureSeed()).toEqual(seed.insecureSeed());
  });

  it('traps with limit-exceeded before allocating an oversized request', () => {
    const random = createWasi({ limits: { randomBytes: 1024 } })['wasi:random/random'] as any;
    expect(random.getRandomBytes(1024n).byteLength).toBe(1024);
    expect(() => random.getRandomBytes(1n << 40n)).toThrow(expect.objectContaining({ code: 'limit-exceeded' }));
  });
});

describe('wasi:clocks', () => {
  it('reads a virtual clock that moves only when advanced', () => {
    const clock = createVirtualClock({ startNanos: 1_000_000_000_500n });
    const imports = createWasi({ clock });
    const wall = imports['wasi:clocks/wall-clock'] as any;
    const mono = imports['wasi:clocks/monotonic-clock'] as any;
    expect(wall.now()).toEqual({ seconds: 1000n, nanoseconds: 500 });
    expect(mono.now()).toBe(0n);
    clock.advance(2_000n);
    expect(mono.now()).toBe(2_000n);
    expect(wall.now()).toEqual({ seconds: 1000n, nanoseconds: 2_500 });
  });

  it('sleeps on a virtual clock by jumping to the deadline', () => {
    const imports = createWasi({ clock: createVirtualClock() });
    const mono = imports['wasi:clocks/monotonic-clock'] as any;
    const { poll } = imports['wasi:io/poll'] as any;
    const timer = mono.subscribeDuration(5_000_000n);
    const ready = mono.subscribeDuration(0n);
    expect(timer.ready()).toBe(false);
    expect([...poll([timer, ready])]).toEqual([1]);
    timer.block();
    expect(timer.ready()).toBe(true);
    expect(mono.now()).toBe(5_000_000n);
  });

  it('poll waits for the soonest timer, not the first in the list', () => {
    const imports = createWasi({ clock: createVirtualClock() });
    const mono = imports['wasi:clocks/monotonic-clock'] as any;
    const { poll } = imports['wasi:io/poll'] as any;
    const late = mono.subscribeDuration(9_000n);
    const early = mono.subscribeDuration(3_000n);
    expect([...poll([late, early])]).toEqual([1]);
    expect(mono.now()).toBe(3_000n);
  });

  it('gives the same readings in two runs with stepping virtual clocks', () => {
    const read = () => {
      const mono = createWasi({ clock: createVirtualClock({ stepNanos: 7n }) })['wasi:clocks/monotonic-clock'] as any;
      return [mono.now(), mono.now(), mono.now()];
    };
    expect(read()).toEqual([0n, 7n, 14n]);
    expect(read()).toEqual(read());
  });
});

describe('wasi:sockets', () => {
  it('denies every socket and lookup with access-denied and reports each', () => {
    const denials: WasiDenial[] = [];
    const imports = createWasi({ onDenied: (d) => denials.push(d) });
    const network = (imports['wasi:sockets/instance-network'] as any).instanceNetwork();
    expect(guestResult(() => (imports['wasi:sockets/tcp-create-socket'] as any).createTcpSocket('ipv4'))).toBe('access-denied');
    expect(guestResult(() => (imports['wasi:sockets/udp-create-socket'] as any).createUdpSocket('ipv6'))).toBe('access-denied');
    expect(guestResult(() => (imports['wasi:sockets/ip-name-lookup'] as any).resolveAddresses(network, 'example.com'))).toBe('access-denied');
    expect(denials.map((d) => d.function)).toEqual(['create-tcp-socket', 'create-udp-socket', 'resolve-addresses']);
    expect(denials[0].interface).toBe('wasi:sockets/tcp-create-socket');
  });
});
