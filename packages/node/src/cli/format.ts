/** How `agentos agent` shows agents to people: one block per agent, what it waits for and how to continue. */
import type { AgentRecord } from '../../../core/src/durable/index.ts';

export interface AgentView {
  record: AgentRecord;
  pendingApprovals: { id: string; capability?: string; action?: string; roles?: string[] }[];
}

/** Text blocks for agents (or a line saying there are none). */
export function describeAgents(views: readonly AgentView[]): string {
  if (views.length === 0) return 'no agents in this database\n';
  return views.map(describe).join('\n');
}

function describe({ record, pendingApprovals }: AgentView): string {
  const lines = [`${record.id}  ${record.type}  ${record.status}${record.suspendReason ? ` (${record.suspendReason})` : ''}`, `  goal: ${oneLine(record.goal)}`];
  if (record.result) {
    lines.push(record.result.ok ? `  result: ${oneLine(String(record.result.value ?? ''))}` : `  failed: ${record.result.code}: ${oneLine(record.result.error ?? '')}`);
  }
  for (const request of pendingApprovals) {
    const what = [...new Set([request.capability, request.action].filter(Boolean))].join(' ');
    const roles = request.roles?.length ? ` --role ${request.roles[0]}` : '';
    lines.push(`  waits for approval ${request.id}${what ? ` (${what})` : ''}: agentos agent approve ${record.id} ${request.id} --as <you>${roles} [--deny]`);
  }
  if (record.status === 'paused') lines.push(`  paused: agentos agent resume ${record.id}`);
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
