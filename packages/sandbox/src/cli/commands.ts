/**
 * The subcommands of `agentos`. Adding one is one line here plus its file
 * (`<name>.ts` exporting `command: Command`); the loader keeps heavy
 * dependencies (componentize-qjs, jco) out of `agentos --help`.
 */
import type { CommandEntry } from './command.ts';

export const COMMANDS: Record<string, CommandEntry> = {
  agent: { summary: 'durable agents: start, status, approve, pause, resume, terminate, export, import', load: () => import('./agent.ts') },
  bench: { summary: 'run the benchmarks under bench/ and print results against their targets', load: () => import('./bench.ts') },
  build: { summary: 'build a component from a JS/TS module and a WIT world', load: () => import('./build.ts') },
  inspect: { summary: "show a component's world, core modules and features", load: () => import('./inspect.ts') },
  audit: { summary: 'verify an exported audit log (hash chain, signed checkpoints)', load: () => import('./audit.ts') },
  precompile: { summary: 'write a component as precompiled files for hosts without run-time compilation (workerd)', load: () => import('./precompile.ts') },
  run: { summary: 'call one export of a component in the sandbox (fuel, memory and time limits)', load: () => import('./run.ts') },
  keygen: { summary: 'create an Ed25519 publisher key for signing tool manifests', load: () => import('./keygen.ts') },
  sign: { summary: "sign a tool's manifest (fields from its describe() unless given) with a publisher key", load: () => import('./sign.ts') },
  verify: { summary: "check a signed tool: the manifest's signature and the component's hash", load: () => import('./verify.ts') },
  publish: { summary: 'verify a signed tool and store it in a registry folder', load: () => import('./publish.ts') },
  registry: { summary: 'the local tool registry: list, resolve a version range, fetch a verified tool, yank', load: () => import('./registry.ts') },
  trust: { summary: 'trust on first use: approve a tool manifest (key and surface), list the pins', load: () => import('./trust.ts') },
};
