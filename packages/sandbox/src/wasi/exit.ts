/**
 * `WasiExit`: how a guest's `wasi:cli/exit` reaches the engine.
 *
 * `exit` must stop the guest at once, so it is thrown through the guest's stack. It is not an
 * AgentOsError: `exit(0)` is a successful end, and the engine must tell it from a failure.
 * Catch it around a call, then read `code` (0 = success) or `success`.
 */

export class WasiExit extends Error {
  override readonly name = 'WasiExit';
  /** The process exit code: 0 for `exit(ok)`, 1 for `exit(err)`, or the code of `exit-with-code`. */
  readonly code: number;

  constructor(code: number) {
    super(code === 0 ? 'The guest exited successfully (code 0)' : `The guest exited with code ${code}`);
    this.code = code;
  }

  get success(): boolean {
    return this.code === 0;
  }
}

/** True when `value` is a `WasiExit`, also across realms where `instanceof` fails. */
export function isWasiExit(value: unknown): value is WasiExit {
  return (
    value instanceof WasiExit ||
    (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'WasiExit' &&
      typeof (value as { code?: unknown }).code === 'number')
  );
}

/** The wasi:cli/exit interface object. */
export function createExitInterface() {
  return {
    /** @throws WasiExit always. */
    exit(status: { tag: 'ok' | 'err' }): never {
      throw new WasiExit(status.tag === 'ok' ? 0 : 1);
    },
    /** Unstable in WASI 0.2 (`exit-with-code`); offered for guests built against it. @throws WasiExit always. */
    exitWithCode(code: number): never {
      throw new WasiExit(code & 0xff);
    },
  };
}
