/**
 * `agentos agent …`: durable agents from the command line, over a NodeHost
 * and its SQLite database (default `.agentos/agentos.db` in the working
 * directory). `start` runs the agent in the foreground until it completes or
 * has to wait (an approval, a pause, more budget), then prints its status and
 * exits; `approve` and `resume` continue it in their own process by replaying
 * its journal. When another process is driving the database's agents,
 * operator commands are queued for it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parsePublicKey, type Budget } from '../../../core/src/index.ts';
import { decodeJson, encodeJson } from '../../../core/src/store/index.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { parseFlags, usageError, type CliIo } from '../../../sandbox/src/cli/command.ts';
import { NodeHost, type CommandOutcome } from '../host/index.ts';
import { describeAgents, type AgentView } from './format.ts';

const COMMON = {
  db: { type: 'string' }, synchronous: { type: 'string' }, json: { type: 'boolean' }, policy: { type: 'string' },
  goal: { type: 'string' }, budget: { type: 'string' }, tool: { type: 'string', multiple: true }, type: { type: 'string' },
  as: { type: 'string' }, role: { type: 'string' }, deny: { type: 'boolean' }, o: { type: 'string' }, output: { type: 'string' },
  trust: { type: 'string', multiple: true },
} as const;

const SUBCOMMANDS = new Set(['start', 'status', 'approve', 'pause', 'resume', 'terminate', 'export', 'import']);
const BUDGET_KEYS = new Set(['fuel', 'tokens', 'wallMs', 'calls']);

/**
 * Runs `agentos agent <args>` and returns the exit code: 0 done (or waiting), 1 when the agent
 * failed or was terminated.
 * @throws AgentOsError — usage errors (details.usage) for bad flags; the host's errors otherwise.
 */
export async function agentCommand(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !SUBCOMMANDS.has(sub)) throw usageError(`expected one of ${[...SUBCOMMANDS].join(', ')}; run 'agentos agent --help'`);
  const { values, positionals } = parseFlags(rest, COMMON);
  const synchronous = values.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') throw usageError('--synchronous is full or normal');
  const policy = values.policy === undefined ? undefined : await readJson(resolve(io.cwd, values.policy), '--policy');
  const dbPath = resolve(io.cwd, values.db ?? '.agentos/agentos.db');
  const host = await NodeHost.open({ dbPath, synchronous, policy, onSlice: undefined });
  try {
    switch (sub) {
      case 'start': return await start(host, positionals, values, io);
      case 'status': return await status(host, positionals[0], values.json === true, io);
      case 'approve': {
        const [id, requestId] = need(positionals, 2, 'approve <id> <request-id> --as <who>');
        if (!values.as) throw usageError('approve needs --as <who>');
        const outcome = await host.command({ action: 'approve', agentId: id, requestId, approver: values.as, role: values.role, approved: values.deny !== true });
        return await report(host, id, outcome, values.json === true, io);
      }
      case 'pause':
      case 'resume':
      case 'terminate': {
        const [id] = need(positionals, 1, `${sub} <id>`);
        return await report(host, id, await host.command({ action: sub, agentId: id }), values.json === true, io);
      }
      case 'export': {
        const [id] = need(positionals, 1, 'export <id> -o <file>');
        const file = values.o ?? values.output;
        if (!file) throw usageError('export needs -o <file>');
        const bundle = await host.exportAgent(id);
        await writeFile(resolve(io.cwd, file), bundle);
        const out = { ok: true, id, file: resolve(io.cwd, file), bytes: bundle.byteLength, publicKey: Buffer.from(host.publicKey).toString('base64url') };
        io.stdout(values.json ? `${JSON.stringify(out)}\n` : `exported ${id} to ${out.file} (${out.bytes} bytes), signed by ${out.publicKey}\n`);
        return 0;
      }
      case 'import': {
        const [file] = need(positionals, 1, 'import <file>');
        const bundle = new Uint8Array(await readFileOrFail(resolve(io.cwd, file), 'bundle'));
        const id = await host.importAgent(bundle, (values.trust ?? []).map(parsePublicKey));
        return await report(host, id, { applied: true }, values.json === true, io);
      }
    }
    return 2;
  } finally {
    await host.close();
  }
}

async function start(host: NodeHost, positionals: string[], values: { goal?: string; budget?: string; tool?: string[]; type?: string; json?: boolean }, io: CliIo): Promise<number> {
  const [target] = need(positionals, 1, 'start <agent.wasm|type> --goal <text>');
  if (values.goal === undefined) throw usageError('start needs --goal <text>');
  for (const spec of values.tool ?? []) {
    const at = spec.indexOf('=');
    if (at <= 0) throw usageError(`--tool is <name>=<tool.wasm>, got '${spec}'`);
    await host.registerTool(spec.slice(0, at), new Uint8Array(await readFileOrFail(resolve(io.cwd, spec.slice(at + 1)), 'tool')));
  }
  // A path names a component file; anything else a type started from a file before.
  let component: Uint8Array;
  let type = values.type;
  if (target.endsWith('.wasm') || target.includes('/')) {
    component = new Uint8Array(await readFileOrFail(resolve(io.cwd, target), 'agent component'));
    type ??= basename(target, '.wasm').replace(/[^a-zA-Z0-9-]/g, '-');
    await host.store.put(`host/types/${type}`, encodeJson({ hash: await host.agents.putComponent(component) }));
  } else {
    const stored = await host.store.get(`host/types/${target}`);
    if (!stored) throw new AgentOsError('not-found', `No agent type ${target} in this database; start it once from its .wasm file.`, { details: { type: target } });
    component = await host.agents.getComponent(decodeJson<{ hash: string }>(stored.value).hash);
    type ??= target;
  }
  const id = await host.start({ component, type, goal: values.goal, budget: parseBudget(values.budget) });
  return report(host, id, { applied: true }, values.json === true, io);
}

async function status(host: NodeHost, id: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const records = (await host.records()).filter((r) => id === undefined || r.id === id);
  if (id !== undefined && records.length === 0) throw new AgentOsError('not-found', `No agent ${id} in this database.`, { details: { id } });
  const views: AgentView[] = [];
  for (const record of records) views.push({ record, pendingApprovals: await host.pendingApprovals(record.id) });
  io.stdout(json ? `${JSON.stringify({ ok: true, agents: views.map(toJson) })}\n` : describeAgents(views));
  return 0;
}

/** Prints where an agent stands after a command; exit 1 when it failed or was terminated. */
async function report(host: NodeHost, id: string, outcome: CommandOutcome, json: boolean, io: CliIo): Promise<number> {
  const record = await host.agents.getRecord(id);
  if (!record) throw new AgentOsError('not-found', `No agent ${id} in this database.`, { details: { id } });
  const view: AgentView = { record, pendingApprovals: await host.pendingApprovals(id) };
  const queued = outcome.applied ? undefined : { pid: outcome.queuedFor.pid, hostname: outcome.queuedFor.hostname };
  if (json) io.stdout(`${JSON.stringify({ ok: true, ...toJson(view), queuedFor: queued ?? null })}\n`);
  else {
    if (queued) io.stdout(`queued for process ${queued.pid} on ${queued.hostname}, which is running the agents of this database\n`);
    io.stdout(describeAgents([view]));
  }
  return record.status === 'failed' || record.status === 'terminated' ? 1 : 0;
}

function toJson(view: AgentView): Record<string, unknown> {
  const { record } = view;
  return { id: record.id, type: record.type, status: record.status, suspendReason: record.suspendReason, result: record.result, goal: record.goal, pendingApprovals: view.pendingApprovals };
}

/** `fuel=1e9,tokens=500` → a partial Budget. @throws usage errors for unknown keys or bad numbers. */
export function parseBudget(text: string | undefined): Partial<Budget> {
  const budget: Partial<Budget> = {};
  if (text === undefined) return budget;
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (!BUDGET_KEYS.has(key) || value === undefined || !(n > 0)) throw usageError(`--budget takes fuel=N,tokens=N,wallMs=N,calls=N with positive numbers, got '${part}'`);
    budget[key as keyof Budget] = n;
  }
  return budget;
}

function need(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count) throw usageError(`usage: agentos agent ${usage}`);
  return positionals;
}

async function readFileOrFail(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AgentOsError(missing ? 'not-found' : 'invalid-argument', `Cannot read the ${what} ${path}: ${missing ? 'no such file' : (error as Error).message}.`, { cause: error, details: { path } });
  }
}

async function readJson(path: string, flag: string): Promise<unknown> {
  const text = (await readFileOrFail(path, `${flag} file`)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${flag} ${path} is not JSON: ${(error as Error).message}`);
  }
}
