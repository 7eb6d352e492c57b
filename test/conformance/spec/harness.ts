/**
 * The differential spec-testsuite harness.
 *
 * Every script of the WebAssembly spec testsuite (wast2json form) runs in two
 * worlds inside the same engine: the plain world compiles each module as it is,
 * the metered world compiles what the metering step (`instrument`) makes of it,
 * with unlimited fuel. The plain world is checked against the suite's
 * expectations (that is V8's conformance, and tells us which features V8 lacks);
 * the metered world must give the same outcome as the plain one for every
 * command, bit for bit. Modules the suite calls invalid or malformed must be
 * refused by the metering step, never turned into a valid module.
 *
 * Skips are only for what V8 itself cannot run: a module the suite expects to be
 * valid that the plain world cannot compile, and everything that uses it.
 * Text-format modules (`.wat`) are skipped too: the metering step reads binaries.
 */

import { AgentOsError, isAgentOsError } from '../../../packages/sandbox/src/errors/index.ts';
import type { Command, ModuleAssertion, Script } from './commands.ts';
import { Driver } from './driver.ts';
import { readExportTypes, type ExportType } from './module-types.ts';
import { describeOutcome, type Outcome } from './outcome.ts';
import { expectation, SUPERSEDED, v8Lacks, type ActionCommand } from './expectations.ts';
import { trapMatches } from './traps.ts';
import { World, type Transform } from './world.ts';

export { scriptSchema, type Script, type Command } from './commands.ts';
export type { Transform } from './world.ts';
export type { Outcome } from './outcome.ts';

export type WorldName = 'plain' | 'metered';

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** One command that did not give the outcome it should. */
export interface Failure {
  world: WorldName;
  line: number;
  command: string;
  /** The module file involved, or the action's export name. */
  subject: string;
  expected: string;
  actual: string;
}

export interface FileResult {
  file: string;
  plain: Tally;
  metered: Tally;
  /** Why commands were skipped, with how many commands each reason covers. */
  skipReasons: Record<string, number>;
  failures: Failure[];
  /**
   * How the metering step dealt with modules the suite calls invalid or malformed:
   * with the host's validation, and without it (`meterUnvalidated`).
   */
  invalid: { refused: number; leftInvalid: number; unvalidatedRefused: number; unvalidatedLeftInvalid: number };
  /** Fuel the metered world used over the whole script (decimal). */
  fuelUsed: string;
  /** Action commands (invoke/get) that ran, i.e. were not skipped. */
  actionsRun: number;
}

export interface RunScriptOptions {
  /** A name for the report, e.g. 'simd_f32x4.json' or 'proposals/tail-call/return_call.json'. */
  file: string;
  script: Script;
  /** Returns the bytes of a module file named by the script (`X.N.wasm`). */
  loadModule: (filename: string) => Uint8Array;
  /** The metering step; it sees every binary module of the script. */
  meter: Transform;
  /**
   * The metering step without the host's validation, if it has such a mode. Modules
   * the suite calls invalid or malformed must not come out of it valid either.
   */
  meterUnvalidated?: Transform;
}

/** "Unlimited" fuel (see docs/CONTRACTS.md, fuel protocol). */
export const UNLIMITED_FUEL = 2n ** 63n - 1n;

/** Error codes with which the metering step may refuse a module. */
const REFUSAL_CODES = new Set(['invalid-component', 'unsupported-feature', 'limit-exceeded']);

/**
 * Runs one script in both worlds and tallies the outcome of every command.
 * @throws only when `loadModule` throws (a missing file is a broken suite, not a failure).
 */
export function runScript(options: RunScriptOptions): FileResult {
  return new ScriptRun(options).run();
}

class ScriptRun {
  private readonly options: RunScriptOptions;
  private readonly driver = new Driver();
  private readonly fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, UNLIMITED_FUEL);
  private readonly plain: World;
  private readonly metered: World;
  private readonly result: FileResult;
  /** Reasons for which modules were skipped; commands on those modules are skipped too. */
  private readonly skippedModules = new Set<string>();

  constructor(options: RunScriptOptions) {
    this.options = options;
    this.plain = new World({ driver: this.driver });
    const exhausted = (): never => {
      throw new AgentOsError('out-of-fuel', 'agentos:fuel exhausted was called although fuel is unlimited');
    };
    this.metered = new World({
      driver: this.driver,
      transform: options.meter,
      hostModules: { 'agentos:fuel': { fuel: this.fuel, exhausted } },
    });
    const tally = (): Tally => ({ passed: 0, failed: 0, skipped: 0 });
    this.result = {
      file: options.file, plain: tally(), metered: tally(), skipReasons: {}, failures: [],
      invalid: { refused: 0, leftInvalid: 0, unvalidatedRefused: 0, unvalidatedLeftInvalid: 0 }, fuelUsed: '0', actionsRun: 0,
    };
  }

  run(): FileResult {
    for (const command of this.options.script.commands) this.step(command);
    this.result.fuelUsed = (UNLIMITED_FUEL - (this.fuel.value as bigint)).toString();
    return this.result;
  }

  private step(command: Command): void {
    switch (command.type) {
      case 'module':
        return this.defineModule(command);
      case 'register':
        this.plain.register(command.as, command.name);
        this.metered.register(command.as, command.name);
        return;
      case 'assert_invalid':
      case 'assert_malformed':
        return this.rejectModule(command);
      case 'assert_unlinkable':
      case 'assert_uninstantiable':
        return this.failModule(command);
      default:
        return this.act(command);
    }
  }

  private defineModule(command: Extract<Command, { type: 'module' }>): void {
    const bytes = this.options.loadModule(command.filename);
    const plain = this.plain.define({ bytes, types: exportTypes(bytes), name: command.name });
    if (plain.kind === 'compile-error') {
      const reason = v8Lacks(plain.message);
      this.skippedModules.add(reason);
      this.plain.forget(reason, command.name);
      this.metered.forget(reason, command.name);
      return this.skip(reason);
    }
    const metered = this.metered.define({ bytes, types: exportTypes(bytes), name: command.name });
    this.judge({ command, subject: command.filename, plain, metered, expected: 'instantiated', holds: plain.kind === 'instantiated' });
  }

  private rejectModule(command: ModuleAssertion): void {
    if (command.module_type === 'text') return this.skip('text module');
    const bytes = this.options.loadModule(command.filename);
    const acceptedByV8 = this.plain.compile(bytes) instanceof WebAssembly.Module;
    const superseded = acceptedByV8 ? SUPERSEDED[command.text] : undefined;
    const refusal = this.meteringRefusal(bytes, this.options.meter);
    const unvalidated = this.options.meterUnvalidated && this.meteringRefusal(bytes, this.options.meterUnvalidated);
    const crashed = refusal.crashed ?? unvalidated?.crashed;
    if (superseded !== undefined) {
      // Valid under the later spec V8 implements: the metering step may run it or
      // refuse it, but must not crash on it.
      if (crashed) return this.count('metered', crashed, command, 'no crash');
      return this.skip(`V8 implements ${superseded}, under which this module is valid ('${command.text}')`);
    }
    this.count('plain', acceptedByV8 ? 'accepted by V8' : undefined, command, `compile-error (${command.text})`);
    const valid = refusal.valid ?? (unvalidated?.valid && `${unvalidated.valid} (validate: false)`);
    this.count('metered', crashed ?? valid, command, `refused (${command.text})`);
    const tally = this.result.invalid;
    if (refusal.refused) tally.refused++;
    else if (!refusal.crashed && !refusal.valid) tally.leftInvalid++;
    if (unvalidated?.refused) tally.unvalidatedRefused++;
    else if (unvalidated && !unvalidated.crashed && !unvalidated.valid) tally.unvalidatedLeftInvalid++;
  }

  /** What a metering step made of a module the suite calls invalid or malformed. */
  private meteringRefusal(bytes: Uint8Array, meter: Transform): { refused?: boolean; crashed?: string; valid?: string } {
    try {
      const output = meter(bytes);
      if (WebAssembly.validate(output as Uint8Array<ArrayBuffer>)) return { valid: 'metering produced a valid module' };
      return {};
    } catch (error) {
      const code = String((error as { code?: unknown })?.code ?? '');
      if (isAgentOsError(error) && REFUSAL_CODES.has(code)) return { refused: true };
      return { crashed: `metering threw ${(error as Error)?.name} ${code}: ${(error as Error)?.message}` };
    }
  }

  private failModule(command: ModuleAssertion): void {
    const bytes = this.options.loadModule(command.filename);
    const types = new Map<string, ExportType>();
    const plain = this.plain.define({ bytes, types, keep: false });
    if (plain.kind === 'compile-error') return this.skip(v8Lacks(plain.message));
    const metered = this.metered.define({ bytes, types, keep: false });
    const want = command.type === 'assert_unlinkable' ? 'link-error' : 'trap';
    const holds = plain.kind === want && (plain.kind !== 'trap' || trapMatches(command.text, plain.message));
    this.judge({ command, subject: command.filename, plain, metered, expected: `${want} (${command.text})`, holds });
  }

  private act(command: ActionCommand): void {
    const missing = this.plain.missing(command.action);
    if (missing !== undefined && this.skippedModules.has(missing)) return this.skip(missing);
    this.result.actionsRun++;
    const plain = this.plain.perform(command.action);
    const metered = this.metered.perform(command.action);
    const [expected, holds] = expectation(command, plain);
    this.judge({ command, subject: command.action.field, plain, metered, expected, holds });
  }

  /** Counts the plain world against the suite and the metered world against the plain one. */
  private judge(options: { command: Command; subject: string; plain: Outcome; metered: Outcome; expected: string; holds: boolean }): void {
    const { command, subject, plain, metered, expected, holds } = options;
    const plainText = describeOutcome(plain);
    const meteredText = describeOutcome(metered);
    this.count('plain', holds ? undefined : plainText, command, expected, subject);
    this.count('metered', meteredText === plainText ? undefined : meteredText, command, plainText, subject);
  }

  private count(world: WorldName, failure: string | undefined, command: Command, expected: string, subject?: string): void {
    if (failure === undefined) {
      this.result[world].passed++;
      return;
    }
    this.result[world].failed++;
    const name = subject ?? ('filename' in command ? command.filename : '');
    this.result.failures.push({ world, line: command.line, command: command.type, subject: name, expected, actual: failure });
  }

  private skip(reason: string): void {
    this.result.plain.skipped++;
    this.result.metered.skipped++;
    this.result.skipReasons[reason] = (this.result.skipReasons[reason] ?? 0) + 1;
  }
}

function exportTypes(bytes: Uint8Array): Map<string, ExportType> {
  try {
    return readExportTypes(bytes);
  } catch {
    return new Map();
  }
}
