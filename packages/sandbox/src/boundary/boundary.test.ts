import { describe, expect, it } from 'vitest';
import { isAgentOsError } from '../errors/index.ts';
import { createBoundaryHooks, hardenGlue, parseJsonSafely } from './index.ts';

const GLUE = `export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {
  const TEXT_DECODER_UTF8 = new TextDecoder();
  var result0 = new Uint8Array(memory0.buffer.slice(ptr0, ptr0 + len0 * 1));
  for (let i = 0; i < len2; i++) { }
}`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isAgentOsError(error) ? error.code : `not an AgentOsError: ${error}`;
  }
  return undefined;
}

describe('hardenGlue', () => {
  it('routes decoders, list copies and list loops through the hooks', () => {
    const { source, report } = hardenGlue(GLUE);
    expect(source).toContain('const TEXT_DECODER_UTF8 = $agentos.utf8Decoder;');
    expect(source).toContain('$agentos.copyList(memory0.buffer, ptr0, len0, 1)');
    expect(source).toContain('for (let i = $agentos.checkListLength(len2); i < len2; i++)');
    expect(report.applied['fatal UTF-8 decoder']).toBe(1);
  });

  it('fails loudly when the glue does not have the expected instantiate signature', () => {
    expect(codeOf(() => hardenGlue(GLUE.replace('instantiateCore = WebAssembly.instantiate', 'instantiateCore')))).toBe('internal');
  });

  it('silences the debug log and drops the unread UTF-16 code point count', () => {
    const glue = `${GLUE}
  const _debugLog = (...args) => {
    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
    console.debug(...args);
  };
  function _utf16AllocateAndEncode(str, realloc, memory) {
    return { ptr, len, codepoints: [...str].length };
  }`;
    const { source, report } = hardenGlue(glue);
    expect(source).toContain('const _debugLog = () => {};');
    expect(source).not.toContain('JCO_DEBUG');
    expect(source).toContain('return { ptr, len, codepoints: -1 };');
    expect(report.applied['silent debug log']).toBe(1);
  });

  it('refuses to drop the code point count when the glue reads it', () => {
    const glue = `${GLUE}\nreturn { ptr, len, codepoints: [...str].length };\nconst n = res.codepoints;`;
    expect(codeOf(() => hardenGlue(glue))).toBe('internal');
  });

  it('fails loudly on a debug switch it does not recognise', () => {
    expect(codeOf(() => hardenGlue(`${GLUE}\nif (process.env.JCO_DEBUG) console.log(x);`))).toBe('internal');
  });

  it('lifts strings through decodeAt so the cap is checked before any view is made', () => {
    const glue = `${GLUE}\nvar result0 = TEXT_DECODER_UTF8.decode(new Uint8Array(memory0.buffer, ptr0, len0));\nval = utf16Decoder.decode(new DataView(ctx.memory.buffer, offset, len));`;
    const { source } = hardenGlue(glue);
    expect(source).toContain('TEXT_DECODER_UTF8.decodeAt(memory0.buffer, ptr0, len0, Uint8Array)');
    expect(source).toContain('utf16Decoder.decodeAt(ctx.memory.buffer, offset, len, DataView)');
    expect(codeOf(() => hardenGlue(`${GLUE}\nx = d.decode(new Uint8Array(m.buffer, p, l + 1));`))).toBe('internal');
  });

  it('fails loudly when an unhardened decoder is left', () => {
    expect(codeOf(() => hardenGlue(`${GLUE}\nconst other = new TextDecoder('latin1');`))).toBe('internal');
  });
});

describe('boundary hooks', () => {
  const hooks = createBoundaryHooks({ canSuspend: new WebAssembly.Global({ value: 'i32', mutable: true }, 0), maxStringBytes: 8, maxListLength: 4 });

  it('traps on invalid UTF-8 instead of inserting replacement characters', () => {
    expect(codeOf(() => hooks.utf8Decoder.decode(new Uint8Array([0x66, 0xff, 0x6f])))).toBe('trap');
    expect(hooks.utf8Decoder.decode(new TextEncoder().encode('héllo'))).toBe('héllo');
  });

  it('traps on a lone surrogate in a lifted UTF-16 string, short or long, instead of inserting U+FFFD', () => {
    const roomy = createBoundaryHooks({ canSuspend: new WebAssembly.Global({ value: 'i32', mutable: true }, 0) });
    for (const units of [[0x61, 0xd800], [...new Array(200).fill(0x61), 0xdc00, 0x62]]) {
      const memory = new Uint16Array(units).buffer;
      expect(codeOf(() => roomy.utf16Decoder.decodeAt(memory, 0, units.length, Uint16Array))).toBe('trap');
    }
    const ascii = new Uint16Array(new Array(200).fill(0x61)).buffer;
    expect(roomy.utf16Decoder.decodeAt(ascii, 2, 199, Uint16Array)).toBe('a'.repeat(199));
  });

  it('checks a lifted string against the cap, then the memory bounds, before reading it', () => {
    const memory = new TextEncoder().encode('xxhello').buffer;
    expect(hooks.utf8Decoder.decodeAt(memory, 2, 5, Uint8Array)).toBe('hello');
    expect(codeOf(() => hooks.utf8Decoder.decodeAt(memory, 0, 2 ** 30, Uint8Array))).toBe('limit-exceeded');
    expect(codeOf(() => hooks.utf8Decoder.decodeAt(memory, 4, 6, Uint8Array))).toBe('trap');
    expect(codeOf(() => hooks.utf16Decoder.decodeAt(new ArrayBuffer(8), 1, 2, Uint16Array))).toBe('trap');
    expect(codeOf(() => hooks.utf16Decoder.decodeAt(new ArrayBuffer(16), 0, 5, Uint16Array))).toBe('limit-exceeded');
  });

  it('refuses strings and lists over their caps with limit-exceeded', () => {
    expect(codeOf(() => hooks.utf8Decoder.decode(new Uint8Array(9)))).toBe('limit-exceeded');
    expect(codeOf(() => hooks.checkListLength(5))).toBe('limit-exceeded');
    expect(hooks.checkListLength(4)).toBe(0);
  });

  it('traps on a list that runs past the end of guest memory rather than truncating it', () => {
    const buffer = new ArrayBuffer(16);
    expect(codeOf(() => hooks.copyList(buffer, 12, 4, 2))).toBe('trap');
    expect(hooks.copyList(buffer, 8, 4, 2).byteLength).toBe(8);
  });
});

describe('boundary hooks of many instances', () => {
  const flag = () => new WebAssembly.Global({ value: 'i32', mutable: true }, 0);

  it('share the stateless decoders of the default cap and give a custom cap its own', () => {
    const a = createBoundaryHooks({ canSuspend: flag() });
    const b = createBoundaryHooks({});
    const capped = createBoundaryHooks({ maxStringBytes: 4 });
    expect(a.utf8Decoder).toBe(b.utf8Decoder);
    expect(a.utf16Decoder).toBe(b.utf16Decoder);
    expect(Object.isFrozen(a.utf8Decoder)).toBe(true);
    expect(capped.utf8Decoder).not.toBe(a.utf8Decoder);
    expect(codeOf(() => capped.utf8Decoder.decode(new Uint8Array(5)))).toBe('limit-exceeded');
    expect(a.utf8Decoder.decode(new Uint8Array(5))).toBe('\0'.repeat(5));
  });

  it('keep list caps per instance', () => {
    const tight = createBoundaryHooks({ maxListLength: 2 });
    const roomy = createBoundaryHooks({});
    expect(codeOf(() => tight.checkListLength(3))).toBe('limit-exceeded');
    expect(roomy.checkListLength(3)).toBe(0);
  });

  it.runIf(typeof (WebAssembly as unknown as { promising?: unknown }).promising === 'function')('make the JSPI wrapper of an export on its first call, and keep the flag at 1 during it', async () => {
    // (module (import "m" "peek" (func $peek (result i32))) (func (export "run") (result i32) call $peek))
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 2, 10, 1, 1, 109, 4, 112, 101, 101, 107, 0, 0, 3, 2, 1, 0, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 6, 1, 4, 0, 16, 0, 11]);
    const canSuspend = flag();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { peek: () => canSuspend.value } });
    const wasm = WebAssembly as unknown as { promising: (fn: unknown) => unknown };
    const real = wasm.promising;
    let made = 0;
    wasm.promising = (fn: unknown) => {
      made++;
      return real(fn);
    };
    try {
      const run = createBoundaryHooks({ canSuspend }).promising(instance.exports.run as () => unknown);
      expect(made).toBe(0);
      expect(await run()).toBe(1);
      expect(await run()).toBe(1);
      expect(made).toBe(1);
      expect(canSuspend.value).toBe(0);
    } finally {
      wasm.promising = real;
    }
  });
});

describe('parseJsonSafely', () => {
  it('keeps __proto__ keys as plain data that cannot reach Object.prototype', () => {
    const value = parseJsonSafely('{"__proto__":{"polluted":true},"a":[{"constructor":1}]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect({ ...value }.polluted).toBeUndefined();
  });

  it('rejects text that is not JSON with invalid-argument', () => {
    expect(codeOf(() => parseJsonSafely('[1,'))).toBe('invalid-argument');
  });
});
