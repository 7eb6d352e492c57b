import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binaryKind, componentSections, coreModules } from './component-sections.ts';

const COMPONENTS = new URL('../../../../../shared/conformance/components/', import.meta.url);
const load = (name: string) => new Uint8Array(readFileSync(new URL(name, COMPONENTS)));

// (module (func (export "f")))
const CORE = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 0x0a, 4, 1, 2, 0, 0x0b]);

describe('component section walker', () => {
  it('finds every core module of a flat component, each a valid module', () => {
    const modules = coreModules(load('adder.component.wasm'));
    expect(modules.length).toBe(1);
    expect(modules[0].componentPath).toEqual([]);
    expect(WebAssembly.validate(modules[0].bytes.slice())).toBe(true);
  });

  it('enters nested components and records the path to each module', () => {
    const modules = coreModules(load('simple-nested.component.wasm'));
    expect(modules.length).toBe(12);
    expect(modules.map((m) => m.componentPath.join('.'))).toContain('1.1.0');
    expect(modules.every((m) => WebAssembly.validate(m.bytes.slice()))).toBe(true);
    expect(modules.map((m) => m.index)).toEqual([...modules.keys()]);
  });

  it('returns a core module as its own single entry', () => {
    expect(binaryKind(CORE)).toBe('module');
    const modules = coreModules(CORE);
    expect(modules).toHaveLength(1);
    expect(modules[0].bytes).toBe(CORE);
  });

  it('names sections and reads custom section names', () => {
    const sections = componentSections(load('adder.component.wasm'));
    expect(sections[0].name).toBe('core-module');
    expect(sections.some((s) => s.name === 'custom' && typeof s.customName === 'string')).toBe(true);
  });

  it('refuses bytes that are not WebAssembly with invalid-component', () => {
    expect(() => coreModules(new TextEncoder().encode('hello world'))).toThrow(
      expect.objectContaining({ code: 'invalid-component' }),
    );
  });

  it('refuses a section that runs past the end, naming the offset', () => {
    const truncated = load('adder.component.wasm').subarray(0, 200);
    expect(() => coreModules(truncated)).toThrow(expect.objectContaining({ code: 'invalid-component' }));
  });
});
