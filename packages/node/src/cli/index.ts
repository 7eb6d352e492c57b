/**
 * The `agentos agent` command's implementation; the sandbox CLI
 * (packages/sandbox/src/cli/agent.ts, which holds its usage text) loads it
 * lazily (`await import('@agentos/node')`) so other commands never pay for SQLite.
 */
export { agentCommand, parseBudget } from './agent-command.ts';
