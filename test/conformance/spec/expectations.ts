/**
 * What the suite expects of a command, as the plain world is judged: value
 * matching, trap classes, the reason V8 lacks a feature, and the 2023 suite's
 * invalid/malformed expectations that later specs lifted.
 */

import type { Command, ModuleAssertion } from './commands.ts';
import type { Outcome } from './outcome.ts';
import { trapMatches } from './traps.ts';
import { describeExpected, matches } from './values.ts';

/** A command that runs an action (everything but module definitions and assertions on modules). */
export type ActionCommand = Exclude<Command, { type: 'module' | 'register' } | ModuleAssertion>;

/**
 * Invalid/malformed expectations of the 2023 suite that later specs lifted, by the
 * suite's text, with the feature that lifted them. They only apply when V8 accepts
 * the module; a module V8 rejects is judged as usual.
 */
export const SUPERSEDED: Record<string, string> = {
  'multiple memories': 'multi-memory',
  'zero byte expected': 'multi-memory (the reserved byte became a memory index)',
  'integer representation too long': 'multi-memory (memory indices are LEB128)',
  'multiple tables': 'reference types (the threads proposal predates them)',
  'unknown global': 'GC constant expressions (module globals readable in initialisers)',
};

/** The reason recorded when V8 cannot compile a module the suite expects to be valid. */
export function v8Lacks(message: string): string {
  const detail = message
    .replace(/^WebAssembly\.Module\(\): /, '')
    .replace(/Compiling function #\d+(:"[^"]*")? failed: /, '')
    .replace(/ @\+\d+$/, '');
  return `V8: ${detail}`;
}

/** What the suite expects of an action command, and whether the plain outcome meets it. */
export function expectation(command: ActionCommand, plain: Outcome): [string, boolean] {
  switch (command.type) {
    case 'assert_return': {
      if (command.either) {
        const text = `one of ${command.either.map(describeExpected).join(' | ')}`;
        return [text, plain.kind === 'values' && plain.values.length === 1 && command.either.some((e) => matches(plain.values[0], e))];
      }
      const text = `values [${command.expected.map(describeExpected).join(', ')}]`;
      const holds = plain.kind === 'values' && plain.values.length === command.expected.length &&
        command.expected.every((e, i) => matches(plain.values[i], e));
      return [text, holds];
    }
    case 'action':
      return ['values', plain.kind === 'values'];
    case 'assert_trap':
      return [`trap (${command.text})`, plain.kind === 'trap' && trapMatches(command.text, plain.message)];
    case 'assert_exhaustion':
      return [`exhaustion (${command.text})`, plain.kind === 'exhaustion'];
    case 'assert_exception':
      return ['exception', plain.kind === 'exception'];
  }
}
