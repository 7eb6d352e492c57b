/**
 * The `$agentos` hooks the hardened glue calls (see harden.ts): fatal string
 * decoding with a size cap, list length caps, bounds-checked list copies, and
 * the JSPI wrappers that keep the store's "may suspend here" flag current.
 */
import { AgentOsError } from '../errors/index.ts';

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
  /** The store's flag: 1 while the guest may suspend (under promising, no JS frame above). */
  canSuspend: WebAssembly.Global<'i32'>;
}

export interface BoundaryHooks {
  utf8Decoder: { decode(view: ArrayBufferView): string };
  utf16Decoder: { decode(view: ArrayBufferView): string };
  checkListLength(length: number): 0;
  copyList(buffer: ArrayBuffer, ptr: number, length: number, elementSize: number): ArrayBuffer;
  promising(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => Promise<unknown>;
  suspending(fn: (...args: unknown[]) => unknown): object;
}

/** Builds the hooks one instance of hardened glue runs with. */
export function createBoundaryHooks(options: BoundaryHooksOptions): BoundaryHooks {
  const maxStringBytes = options.maxStringBytes ?? DEFAULT_MAX_STRING_BYTES;
  const maxListLength = options.maxListLength ?? DEFAULT_MAX_LIST_LENGTH;
  const flag = options.canSuspend;
  const fatalDecoder = (label: string, encoding: string) => {
    const decoder = new TextDecoder(encoding, { fatal: true });
    return {
      decode(view: ArrayBufferView): string {
        if (view.byteLength > maxStringBytes) {
          throw new AgentOsError('limit-exceeded', `The guest passed a ${view.byteLength}-byte string; the limit is ${maxStringBytes} bytes.`, {
            details: { limit: 'maxStringBytes', max: maxStringBytes, actual: view.byteLength },
          });
        }
        try {
          return decoder.decode(view);
        } catch (cause) {
          throw new AgentOsError('trap', `The guest passed a string that is not valid ${label}.`, { cause, details: { kind: 'invalid-string' } });
        }
      },
    };
  };
  return {
    utf8Decoder: fatalDecoder('UTF-8', 'utf-8'),
    utf16Decoder: fatalDecoder('UTF-16', 'utf-16le'),
    checkListLength(length: number): 0 {
      if (length > maxListLength) {
        throw new AgentOsError('limit-exceeded', `The guest passed a list of ${length} elements; the limit is ${maxListLength}.`, {
          details: { limit: 'maxListLength', max: maxListLength, actual: length },
        });
      }
      return 0;
    },
    copyList(buffer: ArrayBuffer, ptr: number, length: number, elementSize: number): ArrayBuffer {
      const bytes = length * elementSize;
      if (length > maxListLength) this.checkListLength(length);
      if (ptr + bytes > buffer.byteLength) {
        throw new AgentOsError('trap', `The guest passed a list at ${ptr} of ${bytes} bytes, past the end of its ${buffer.byteLength}-byte memory.`, {
          details: { kind: 'memory-out-of-bounds' },
        });
      }
      return buffer.slice(ptr, ptr + bytes);
    },
    promising(fn) {
      const promising = jspi().promising(fn);
      return async (...args: unknown[]) => {
        const previous = flag.value;
        flag.value = 1;
        try {
          return await promising(...args);
        } finally {
          flag.value = previous;
        }
      };
    },
    suspending(fn) {
      return new (jspi().Suspending)(async function (this: unknown, ...args: unknown[]) {
        // The host's async work (and the glue lowering its result, which may call
        // back into the guest's realloc) runs in JS frames: no suspension from there.
        const previous = flag.value;
        flag.value = 0;
        try {
          return await fn.apply(this, args);
        } finally {
          flag.value = previous;
        }
      });
    },
  };
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
