/**
 * The host side of `agentos:runtime/tools`: what a guest may list and call.
 *
 *   - Registered tool components run in their own Store. Their fuel is the
 *     calling agent's: each run is capped at the fuel the agent has left
 *     (and the runtime's per-call `toolFuel`), and what it burns is charged
 *     to the agent's slice, so a tool cannot be used to escape a budget.
 *   - MCP tools (`mcp.<server>.<tool>`, `implementations.mcp`) are gated as
 *     their own capability id — entitlement, policy, approval, audit, exactly
 *     like built-in capabilities — before the MCP capability checks the
 *     tool's pin and calls the server. A changed definition comes back as
 *     `capability-denied` ("manifest-changed: ...") data.
 *   - A signed tool's `log` reaches the host only when trust granted it `log`.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { compileGlobs } from '../policy/index.ts';
import { callContext, guarded, type HostServices, type ProcessHost } from './guarded-call.ts';
import type { LogRecord, ToolDescription } from './options.ts';
import type { ToolLog } from './tools.ts';
import { err, ok, toCallError } from './wit.ts';

const TOOLS_LIST = 'tools.list';
const TOOLS_CALL = 'tools.call';

export function createToolImports(services: HostServices, host: ProcessHost) {
  const { context } = host;
  const mcp = services.implementations.mcp;
  return {
    listTools: () => guarded(services, host, TOOLS_LIST, {}, async (): Promise<ToolDescription[]> => {
      const local = services.tools.list();
      return mcp ? [...local, ...(await mcp.listTools())] : local;
    }),
    async call(name: string, input: string) {
      if (mcp?.handles(name)) {
        const result = await guarded(services, host, name, { name, input }, (checked) =>
          services.observer.tool(name, context, () => mcp.call(name, (checked as { input: string }).input, callContext(host))));
        if (result.tag === 'err') return err(toCallError(result.val));
        return result.val.ok ? ok(result.val.output) : err({ tag: 'tool', val: result.val.error });
      }
      const result = await guarded(services, host, TOOLS_CALL, { name, input }, (checked) =>
        services.observer.tool(name, context, async (span) => {
          const outcome = await services.tools.invoke(name, (checked as { input: string }).input, {
            log: toolLog(services, host, name),
            fuel: fuelLeft(host, name),
            onFuel: (used) => {
              host.sandbox.toolFuel += Number(used);
              span?.setAttribute('agentos.fuel.used', used);
            },
          });
          return outcome;
        }));
      if (result.tag === 'err') return err(toCallError(result.val));
      return result.val.ok ? ok(result.val.output) : err({ tag: 'tool', val: result.val.error });
    },
  };
}

/**
 * The fuel a tool run may burn: what the calling agent has left, counting this slice so far.
 * @throws AgentOsError 'budget-exceeded' when nothing is left (reaches the guest as data).
 */
function fuelLeft(host: ProcessHost, tool: string): bigint | undefined {
  const { budget, spent } = host.process();
  const left = budget.fuel - spent.fuel - host.sandbox.sliceSpent;
  if (left === Infinity) return undefined;
  if (left < 1) {
    throw new AgentOsError('budget-exceeded', `No fuel left in the budget of ${host.context.agentId} to run tool ${tool}; extend its budget.`, { details: { tool } });
  }
  return BigInt(Math.floor(left));
}

/** A tool's log records, under the caller's context; dropped when a signed tool was not granted `log`. */
function toolLog(services: HostServices, host: ProcessHost, name: string): ToolLog {
  const granted = services.tools.granted(name);
  const log = services.implementations.log;
  if (!log || (granted !== undefined && (granted.length === 0 || !compileGlobs([...granted])('log')))) return () => {};
  const context = { ...host.context, agentType: `${host.context.agentType}/tool:${name}` };
  return (level, message, fields) => log({ level: level as LogRecord['level'], message, fields }, context);
}
