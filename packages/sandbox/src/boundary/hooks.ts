/**
 * The `$agentos` hooks the hardened glue calls (see harden.ts): fatal string
 * decoding with a size cap (the codecs are in strings.ts), list length caps,
 * bounds-checked list copies, and the JSPI wrappers that keep the store's
 * "may suspend here" flag current.
 */
import { AgentOsError } from '../errors/index.ts';
import { createLeanCalls, type LeanCalls } from './lazy-task.ts';
import { liftUtf16, liftUtf8, lowerUtf16 } from './strings.ts';

/** Default cap on one lifted string: 16 MiB of encoded bytes. */
export const DEFAULT_MAX_STRING_BYTES = 16 * 1024 * 1024;
/** Default cap on the element count of one lifted list (16 Mi elements). */
export const DEFAULT_MAX_LIST_LENGTH = 16 * 1024 * 1024;

export interface BoundaryLimits {
  /** Largest string (in encoded bytes) the host accepts from the guest. */
  maxStringBytes?: number;
  /** Largest list (in elements) the host accepts from the guest. */
  maxListLength?: number;
}

export interface BoundaryHooksOptions extends BoundaryLimits {
  /**
   * The store's flag: 1 while the guest may suspend (under promising, no JS frame above).
   * Omitted for a store whose fuel hook never suspends (no `yield`): nothing reads it then.
   */
  canSuspend?: WebAssembly.Global<'i32'>;
  /**
   * Rejects when an async host import of this instance fails. jco 1.35's glue swallows such a
   * rejection into a task that never completes, which would leave the guest suspended forever;
   * every suspended import is raced against this so the failure unwinds the guest instead.
   */
  hostFailure?: Promise<never>;
  /** Compiled helper modules lifted out of the glue (glue-loader.ts); the glue reads them as `inlineModules[i]`. */
  inlineModules?: readonly WebAssembly.Module[];
}

/** A fatal, capped decoder as the hardened glue uses it. */
export interface GuestDecoder {
  decode(view: ArrayBufferView): string;
  /**
   * Decodes `length` units of the view type `View` at `ptr` of guest memory: the size cap
   * first ('limit-exceeded'), then the bounds (a 'trap' of kind memory-out-of-bounds).
   */
  decodeAt(buffer: ArrayBuffer, ptr: number, length: number, View: ViewType): string;
}

type ViewType = typeof Uint8Array | typeof Uint16Array | typeof DataView;

export interface BoundaryHooks extends LeanCalls {
  utf8Decoder: GuestDecoder;
  utf16Decoder: GuestDecoder;
  checkListLength(length: number): 0;
  copyList(buffer: ArrayBuffer, ptr: number, length: number, elementSize: number): ArrayBuffer;
  promising(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<unknown>;
  suspending(fn: (...args: unknown[]) => unknown): object;
  /** Writes `str`'s UTF-16 code units into `out` (little-endian host; `out.length === str.length`); returns the count. */
  encodeUtf16(str: string, out: Uint16Array): number;
  /** The stand-in task of an unobserved sync export call of component `componentIdx` (lean-tasks.ts). */
  syncTask(componentIdx: number): SyncTask;
  inlineModules: readonly WebAssembly.Module[];
}

/** What a jco 1.35 sync export wrapper calls on its task (lean-tasks.ts `SYNC_TASK_METHODS`). */
export type SyncTask = Readonly<Record<'setCalleeIsAsync' | 'setReturnMemoryIdx' | 'setReturnMemory' | 'setErrored' | 'reject' | 'resolve' | 'exit', () => void>> & {
  enterSync(): true;
  mayBlock(): false;
  id(): 0;
  componentIdx(): number;
  isResolvedState(): true;
  isExited(): true;
};

/**
 * Builds the hooks one instance of hardened glue runs with. Cheap: the methods live on a shared
 * prototype, the decoders for the default cap are shared (they hold no state), and the lean-call
 * state is made only when the glue first asks for it.
 */
export function createBoundaryHooks(options: BoundaryHooksOptions): BoundaryHooks {
  return new InstanceHooks(options);
}

class InstanceHooks implements BoundaryHooks {
  readonly utf8Decoder: GuestDecoder;
  readonly utf16Decoder: GuestDecoder;
  /** The helper modules the glue reads as `$agentos.inlineModules[i]` (glue-loader.ts). */
  readonly inlineModules: readonly WebAssembly.Module[];
  readonly #maxListLength: number;
  readonly #flag: WebAssembly.Global<'i32'> | undefined;
  readonly #hostFailure: Promise<never> | undefined;
  #lean: LeanCalls | undefined;

  constructor(options: BoundaryHooksOptions) {
    const maxStringBytes = options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES;
    const shared = maxStringBytes === DEFAULT_MAX_STRING_BYTES ? defaultDecoders() : undefined;
    this.utf8Decoder = shared?.utf8 ?? new CappedDecoder('UTF-8', liftUtf8, maxStringBytes);
    this.utf16Decoder = shared?.utf16 ?? new CappedDecoder('UTF-16', liftUtf16, maxStringBytes);
    this.inlineModules = options.inlineModules ?? [];
    this.#maxListLength = options.maxListLength ?? DEFAULT_MAX_LIST_LENGTH;
    this.#flag = options.canSuspend;
    this.#hostFailure = options.hostFailure;
  }

  encodeUtf16(str: string, out: Uint16Array): number {
    return lowerUtf16(str, out);
  }

  syncTask(componentIdx: number): SyncTask {
    return syncTask(componentIdx);
  }

  lazyTask(...args: Parameters<LeanCalls['lazyTask']>): ReturnType<LeanCalls['lazyTask']> {
    return (this.#lean ??= createLeanCalls()).lazyTask(...args);
  }

  guardCore<T>(instantiateCore: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => T): (module: WebAssembly.Module, imports?: WebAssembly.Imports) => T {
    return (this.#lean ??= createLeanCalls()).guardCore(instantiateCore);
  }

  checkListLength(length: number): 0 {
    if (length > this.#maxListLength) {
      throw new AgentOsError('limit-exceeded', `The guest passed a list of ${length} elements; the limit is ${this.#maxListLength}.`, {
        details: { limit: 'maxListLength', max: this.#maxListLength, actual: length },
      });
    }
    return 0;
  }

  copyList(buffer: ArrayBuffer, ptr: number, length: number, elementSize: number): ArrayBuffer {
    const bytes = length * elementSize;
    if (length > this.#maxListLength) this.checkListLength(length);
    if (ptr + bytes > buffer.byteLength) {
      throw new AgentOsError('trap', `The guest passed a list at ${ptr} of ${bytes} bytes, past the end of its ${buffer.byteLength}-byte memory.`, {
        details: { kind: 'memory-out-of-bounds' },
      });
    }
    return buffer.slice(ptr, ptr + bytes);
  }

  /**
   * The export `fn` (a wasm function) called through `WebAssembly.promising`. The JSPI wrapper is
   * made on the first call: jco's glue wraps every export and `cabi_realloc`/post-return helper of
   * an instance, most of which a short-lived instance never calls (~0.3 µs each to make).
   * @throws AgentOsError('unsupported-feature') at once on a host without JSPI.
   */
  promising(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<unknown> {
    const flag = this.#flag;
    const jspiApi = jspi();
    let promising: ((...args: unknown[]) => Promise<unknown>) | undefined;
    return async (...args: unknown[]) => {
      promising ??= jspiApi.promising(fn);
      const previous = flag?.value ?? 0;
      if (flag) flag.value = 1;
      try {
        return await promising(...args);
      } finally {
        if (flag) flag.value = previous;
      }
    };
  }

  suspending(fn: (...args: unknown[]) => unknown): object {
    const flag = this.#flag;
    const hostFailure = this.#hostFailure;
    return new (jspi().Suspending)(async function (this: unknown, ...args: unknown[]) {
      // The host's async work (and the glue lowering its result, which may call
      // back into the guest's realloc) runs in JS frames: no suspension from there.
      const previous = flag?.value ?? 0;
      if (flag) flag.value = 0;
      try {
        const result = fn.apply(this, args);
        return await (hostFailure ? Promise.race([result, hostFailure]) : result);
      } finally {
        if (flag) flag.value = previous;
      }
    });
  }
}

/** A fatal decoder with a size cap; holds no state, so instances with the same cap may share it. */
class CappedDecoder implements GuestDecoder {
  readonly #label: string;
  readonly #lift: (view: ArrayBufferView) => string;
  readonly #maxStringBytes: number;

  constructor(label: string, lift: (view: ArrayBufferView) => string, maxStringBytes: number) {
    this.#label = label;
    this.#lift = lift;
    this.#maxStringBytes = maxStringBytes;
    Object.freeze(this);
  }

  decode(view: ArrayBufferView): string {
    this.#checkSize(view.byteLength);
    try {
      return this.#lift(view);
    } catch (cause) {
      throw new AgentOsError('trap', `The guest passed a string that is not valid ${this.#label}.`, { cause, details: { kind: 'invalid-string' } });
    }
  }

  decodeAt(buffer: ArrayBuffer, ptr: number, length: number, View: ViewType): string {
    const unit = View === Uint16Array ? 2 : 1;
    const bytes = length * unit;
    this.#checkSize(bytes);
    if (ptr + bytes > buffer.byteLength || ptr % unit !== 0) {
      throw new AgentOsError('trap', `The guest passed a string at ${ptr} of ${bytes} bytes, misaligned or outside its ${buffer.byteLength}-byte memory.`, {
        details: { kind: 'memory-out-of-bounds' },
      });
    }
    // All three take (buffer, byteOffset, length in units); the cast only unifies their constructor types.
    return this.decode(new (View as typeof Uint8Array)(buffer, ptr, length));
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#maxStringBytes) {
      throw new AgentOsError('limit-exceeded', `The guest passed a ${bytes}-byte string; the limit is ${this.#maxStringBytes} bytes.`, {
        details: { limit: 'maxStringBytes', max: this.#maxStringBytes, actual: bytes },
      });
    }
  }
}

let sharedDecoders: { utf8: GuestDecoder; utf16: GuestDecoder } | undefined;

/** The decoders for the default cap, made once: every instance without its own cap uses them. */
function defaultDecoders(): { utf8: GuestDecoder; utf16: GuestDecoder } {
  return (sharedDecoders ??= {
    utf8: new CappedDecoder('UTF-8', liftUtf8, DEFAULT_MAX_STRING_BYTES),
    utf16: new CappedDecoder('UTF-16', liftUtf16, DEFAULT_MAX_STRING_BYTES),
  });
}

const syncTasks: SyncTask[] = [];

/**
 * A stateless, frozen stand-in for the task of a sync export call that nothing can observe
 * (lean-tasks.ts proves that), one per component index, shared by every instance. What each
 * method answers is what jco's `AsyncTask` answers for such a call: it enters without waiting,
 * cannot block, and ends resolved; there is no lock to take (no one else can enter), no borrow
 * scope to check (no trampoline can lend) and no result to hand to a waiting caller.
 */
function syncTask(componentIdx: number): SyncTask {
  let task = syncTasks[componentIdx];
  if (task === undefined) {
    const none = (): void => {};
    task = Object.freeze({
      setCalleeIsAsync: none,
      setReturnMemoryIdx: none,
      setReturnMemory: none,
      setErrored: none,
      reject: none,
      resolve: none,
      exit: none,
      enterSync: () => true as const,
      mayBlock: () => false as const,
      id: () => 0 as const,
      componentIdx: () => componentIdx,
      isResolvedState: () => true as const,
      isExited: () => true as const,
    });
    syncTasks[componentIdx] = task;
  }
  return task;
}

interface Jspi {
  promising(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<unknown>;
  Suspending: new (fn: (...args: unknown[]) => Promise<unknown>) => object;
}

function jspi(): Jspi {
  const wasm = WebAssembly as unknown as Partial<Jspi>;
  if (typeof wasm.promising !== 'function' || typeof wasm.Suspending !== 'function') {
    throw new AgentOsError('unsupported-feature', 'This component was loaded for async calls (JSPI), which this host lacks; load it without preemption or async imports.');
  }
  return wasm as Jspi;
}
