import { describe, expect, it } from 'vitest';
import { jsName, parseWorldText } from './world-text.ts';

const WIT = `package root:component;

world root {
  import agentos:runtime/log@0.1.0;
  import host: interface {
    get: func(key: string) -> option<string>;
    %list: func() -> list<string>;
  }
  use agentos:runtime/types@0.1.0.{tool-error};

  export init: func(shim: string) -> result<_, string>;
  export handle-message: func(message: message) -> result<option<string>, agent-error>;
  export wasi:cli/run@0.2.0;
}
`;

describe('world text', () => {
  it('reads named interfaces, inline interfaces and functions of a world', () => {
    const world = parseWorldText(WIT);
    expect(world.name).toBe('root');
    expect(world.imports).toEqual([
      { kind: 'interface', name: 'agentos:runtime/log@0.1.0' },
      {
        kind: 'interface',
        name: 'host',
        functions: [
          { name: 'get', signature: 'func(key: string) -> option<string>' },
          { name: 'list', signature: 'func() -> list<string>' },
        ],
      },
    ]);
    expect(world.exports.map((e) => e.name)).toEqual(['init', 'handle-message', 'wasi:cli/run@0.2.0']);
    expect(world.exports[1]).toEqual({
      kind: 'function',
      name: 'handle-message',
      signature: 'func(message: message) -> result<option<string>, agent-error>',
    });
  });

  it('refuses text without a world with invalid-component', () => {
    expect(() => parseWorldText('package a:b;\ninterface x {}\n')).toThrow(expect.objectContaining({ code: 'invalid-component' }));
  });

  it('maps WIT names to the camelCase names guests export', () => {
    expect(jsName('handle-message')).toBe('handleMessage');
    expect(jsName('agentos:runtime/tool-calls@0.1.0')).toBe('toolCalls');
    expect(jsName('run')).toBe('run');
  });
});
