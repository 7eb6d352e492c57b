import { describe, expect, it } from 'vitest';
import { CoreLinking, LinkHints, type CoreLinkingOptions } from './core-link.ts';

/** (module (func (export "f") (result i32) i32.const 7)) */
const EXPORTER = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 7, 11]));
/** Imports ns.f and ns.g (both `(func (result i32))`) and exports callF / callG calling them. */
const IMPORTER = new WebAssembly.Module(
  new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 2, 15, 2, 2, 110, 115, 1, 102, 0, 0, 2, 110, 115, 1, 103, 0, 0, 3, 3, 2, 0, 0, 7, 17, 2, 5, 99, 97, 108, 108, 70, 0, 2, 5, 99,
    97, 108, 108, 71, 0, 3, 10, 11, 2, 4, 0, 16, 0, 11, 4, 0, 16, 1, 11,
  ]),
);

/** (module (import "agentos:fuel" "fuel" (global (mut i64)))) */
const METERED = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 2, 22, 1, 12, 97, 103, 101, 110, 116, 111, 115, 58, 102, 117, 101, 108, 4, 102, 117, 101, 108, 3, 126, 1]));

function linking(hints: LinkHints, adopted: WebAssembly.Instance[] = []): CoreLinking {
  const options: CoreLinkingOptions = { hints, flag: undefined, fuelImports: undefined, adopt: (instance) => void adopted.push(instance) };
  return new CoreLinking(options);
}

/** Instantiates EXPORTER, then links IMPORTER with `f` from it (or `fake` in its place) and a JS `g`. */
function linkPair(hints: LinkHints, g: () => number, fake?: () => number) {
  const link = linking(hints);
  const first = link.link(EXPORTER, {});
  const exporter = link.adopt(new WebAssembly.Instance(EXPORTER, first.linked), first.memoryExports);
  const f = exporter.exports.f as () => number;
  const { linked } = link.link(IMPORTER, { ns: { f: fake ?? f, g } });
  return { link, f, ns: linked.ns as Record<string, unknown> };
}

describe('core linking', () => {
  it('passes an export of an earlier core instance through and guards a JS function', () => {
    const g = () => 5;
    const { f, ns } = linkPair(new LinkHints(), g);
    expect(ns.f).toBe(f);
    expect(ns.g).not.toBe(g);
    const importer = new WebAssembly.Instance(IMPORTER, { ns: ns as WebAssembly.ModuleImports });
    expect((importer.exports.callF as () => number)()).toBe(7);
    expect((importer.exports.callG as () => number)()).toBe(5);
  });

  it('turns what a guarded import throws into a host-error trap naming the import', () => {
    const { ns } = linkPair(new LinkHints(), () => {
      throw new TypeError('host bug');
    });
    let error: unknown;
    try {
      (ns.g as () => number)();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'trap', details: { kind: 'host-error', import: 'ns#g' } });
  });

  it('learns where each import came from, so a later instantiation finds it by its hint', () => {
    const hints = new LinkHints();
    linkPair(hints, () => 5);
    expect(hints.calls[1]).toEqual([{ core: 0, name: 'f' }, null]);
    const again = linkPair(hints, () => 5);
    expect(again.ns.f).toBe(again.f);
    expect(hints.calls[1]).toEqual([{ core: 0, name: 'f' }, null]);
  });

  it('guards a JS function handed over where a hint expects a wasm export', () => {
    const hints = new LinkHints();
    linkPair(hints, () => 5);
    const impostor = () => 9;
    const { ns } = linkPair(hints, () => 5, impostor);
    expect(ns.f).not.toBe(impostor);
    expect((ns.f as () => number)()).toBe(9);
    expect(hints.calls[1][0]).toBeNull();
  });

  it('guards everything once instantiation ended, even an export of one of its core instances', () => {
    const { link, f } = linkPair(new LinkHints(), () => 5);
    link.end();
    const { linked } = link.link(IMPORTER, { ns: { f, g: () => 5 } });
    expect((linked.ns as Record<string, unknown>).f).not.toBe(f);
  });

  it('guards in a copy of a frozen import object, leaving the object as it was', () => {
    const g = () => 5;
    const frozen = Object.freeze({ g, f: () => 1 });
    const { linked } = linking(new LinkHints()).link(IMPORTER, { ns: frozen });
    const ns = linked.ns as Record<string, unknown>;
    expect(frozen.g).toBe(g);
    expect(ns).not.toBe(frozen);
    expect(ns.g).not.toBe(g);
    expect((ns.g as () => number)()).toBe(5);
  });

  it('adds the fuel imports only to modules that import agentos:fuel', () => {
    const fuel = { fuel: new WebAssembly.Global({ value: 'i64', mutable: true }, 0n) };
    const link = new CoreLinking({ hints: new LinkHints(), flag: undefined, fuelImports: () => fuel, adopt: () => undefined });
    expect(link.link(EXPORTER, {}).linked['agentos:fuel']).toBeUndefined();
    const metered = link.link(METERED, {}).linked;
    expect(metered['agentos:fuel']).toBe(fuel);
    expect(new WebAssembly.Instance(METERED, metered)).toBeInstanceOf(WebAssembly.Instance);
  });
});
