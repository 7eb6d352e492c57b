/**
 * generic — the default agent of the runtime: a tool-using loop for the
 * `agent` world. It offers the model every tool the host lets it see, then
 * repeats: ask the model → run the tool calls it asks for through `tools.call`
 * (results, and tool failures, go back to the model as tool messages) → until
 * the model gives a final answer or the step limit is reached.
 *
 * It defers to the host's decisions: when a call comes back budget-exceeded,
 * or refused by policy (which includes an approval a person denied), it stops
 * at once with `agent-error::capability(<that error>)` instead of trying
 * another route. Waiting for an approval or for more budget needs nothing
 * here: the host suspends the agent inside the call.
 *
 * The goal is plain text, or JSON `{ "goal", "system"?, "maxSteps"?, "model"?, "maxTokens"? }`.
 * Built with `agentos build examples/agents/generic/index.ts --world agent`.
 */
import llm from 'agentos:runtime/llm@0.1.0';
import log from 'agentos:runtime/log@0.1.0';
import tools from 'agentos:runtime/tools@0.1.0';
import { describeError } from '../shared/text.ts';

interface ChatMessage {
  role: string;
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  toolCallId: string | null;
}

interface Task {
  goal: string;
  system: string;
  maxSteps: number;
  model: string | null;
  maxTokens: number | null;
}

interface Variant {
  tag: string;
  val?: unknown;
}

const DEFAULT_SYSTEM = 'You are a capable assistant. Use the tools offered when they help; answer plainly when you are done.';
const DEFAULT_MAX_STEPS = 8;
/** Host refusals the agent must not work around: they end the run. */
const STOPPING = ['budget-exceeded', 'policy-denied'];

export function run(goal: string): string {
  const task = parseTask(goal);
  const offered = listTools();
  const messages: ChatMessage[] = [message('system', task.system), message('user', task.goal)];
  let tokens = 0;
  for (let step = 1; step <= task.maxSteps; step++) {
    let completion;
    try {
      completion = llm.complete({ model: task.model, messages, tools: offered, maxTokens: task.maxTokens, temperature: null });
    } catch (error) {
      stop(errorOf(error), 'llm.complete', step);
    }
    tokens += completion.usage.inputTokens + completion.usage.outputTokens;
    messages.push({ ...completion.message, toolCallId: completion.message.toolCallId ?? null });
    const calls = completion.message.toolCalls;
    if (calls.length === 0) {
      log.log('info', 'answered', [field('steps', step), field('tokens', tokens)]);
      return completion.message.content;
    }
    for (const call of calls) messages.push(message('tool', callTool(call, step), call.id));
  }
  log.log('warn', 'step limit reached', [field('steps', task.maxSteps), field('tokens', tokens)]);
  throw { tag: 'failed', val: `no final answer after ${task.maxSteps} steps` };
}

export function handleMessage(): string | null {
  return null;
}

/** Runs one tool call; what the model should read next (the output, or why it failed). */
function callTool(call: { id: string; name: string; arguments: string }, step: number): string {
  try {
    return tools.call(call.name, call.arguments);
  } catch (thrown) {
    const error = errorOf(thrown);
    // call-error::host(error) is the host's decision; call-error::tool(...) is the tool's own failure.
    if (error && error.tag === 'host' && isVariant(error.val)) stop(error.val, `tools.call ${call.name}`, step);
    log.log('warn', 'tool failed', [field('tool', call.name), field('step', step)]);
    return JSON.stringify({ error: describeError(error ?? thrown) });
  }
}

/** Ends the run for a stopping host refusal; any other error fails the run as `failed`. */
function stop(error: Variant | undefined, where: string, step: number): never {
  if (error && STOPPING.includes(error.tag)) {
    log.log('warn', 'stopped', [field('reason', error.tag), field('at', where), field('step', step)]);
    throw { tag: 'capability', val: { tag: error.tag, val: `${where} at step ${step}: ${String(error.val)}` } };
  }
  throw { tag: 'failed', val: `${where} failed at step ${step}: ${error ? describeError(error) : 'unknown error'}` };
}

function listTools(): unknown[] {
  try {
    return tools.listTools();
  } catch (error) {
    log.log('warn', 'no tools', [field('error', describeError(error))]);
    return [];
  }
}

function parseTask(goal: string): Task {
  const task: Task = { goal, system: DEFAULT_SYSTEM, maxSteps: DEFAULT_MAX_STEPS, model: null, maxTokens: null };
  if (!goal.trimStart().startsWith('{')) return task;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(goal);
  } catch {
    return task;
  }
  if (typeof parsed.goal !== 'string') throw { tag: 'failed', val: 'a JSON goal needs a "goal" string' };
  task.goal = parsed.goal;
  if (typeof parsed.system === 'string') task.system = parsed.system;
  if (typeof parsed.maxSteps === 'number' && parsed.maxSteps >= 1) task.maxSteps = Math.floor(parsed.maxSteps);
  if (typeof parsed.model === 'string') task.model = parsed.model;
  if (typeof parsed.maxTokens === 'number' && parsed.maxTokens >= 1) task.maxTokens = Math.floor(parsed.maxTokens);
  return task;
}

/** The WIT variant an import threw (componentize-qjs wraps it in an Error's `payload`). */
function errorOf(error: unknown): Variant | undefined {
  const value = error instanceof Error && 'payload' in error ? (error as { payload: unknown }).payload : error;
  return isVariant(value) ? value : undefined;
}

function isVariant(value: unknown): value is Variant {
  return typeof value === 'object' && value !== null && typeof (value as Variant).tag === 'string';
}

function message(role: string, content: string, toolCallId: string | null = null): ChatMessage {
  return { role, content, toolCalls: [], toolCallId };
}

function field(key: string, value: unknown): { key: string; value: string } {
  return { key, value: JSON.stringify(value) };
}
