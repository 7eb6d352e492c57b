/**
 * Launch: how the runtime starts a process's guest on its first dispatch. It
 * builds the process's host imports (guarded-call.ts), and for durable agents
 * the journaled imports, the delivery journal and the compaction hook of
 * their quiescent points; then hands the guest to the driver (driver.ts),
 * which instantiates it and runs its life. The audit events of that life —
 * the export call's result, each live delivery, snapshots, a resume — are
 * emitted here. The Runtime lends a `LaunchHost`: the few pieces of its state
 * a start touches (as recovery.ts has its `RecoveryHost`).
 */
import type { AgentProcess } from '../process/index.ts';
import type { BusLink } from './bus-link.ts';
import { driveGuest } from './driver.ts';
import type { Durability } from './durability.ts';
import type { HostServices, ProcessHost } from './guarded-call.ts';
import { createHostImports } from './host-imports.ts';
import type { AuditSink } from './options.ts';
import type { AgentResult, AgentSandbox } from './sandbox.ts';

/** What starting a guest needs of the Runtime. */
export interface LaunchHost {
  services: HostServices;
  durable: Durability | undefined;
  bus: BusLink | undefined;
  audit: AuditSink;
  /** The live process record (host imports read its budget and spend). */
  process(id: string): AgentProcess;
  /** Whether the agent stays on the bus after `run` returned (SpawnRequest.resident). */
  resident(id: string): boolean;
  /** Keeps the export call's result for `status` (called again if a later delivery fails the agent). */
  keepResult(id: string, result: AgentResult): void;
}

/**
 * Instantiates the guest and starts its life: deliveries, the export call, then deliveries again.
 * Returns at once; the guest reports through the sandbox's slice ends (it never throws here).
 */
export function launch(host: LaunchHost, process: AgentProcess, sandbox: AgentSandbox): void {
  const { id } = process;
  sandbox.started = true;
  const context = { agentId: id, tenant: process.tenant, agentType: process.type, workspaceId: process.workspaceId ?? id };
  const processHost: ProcessHost = { context, sandbox, process: () => host.process(id) };
  const imports = createHostImports(host.services, processHost);
  const { durable, audit } = host;
  const now = () => host.services.clock.now();
  void driveGuest({
    agentId: id, goal: process.goal, sandbox, imports, link: host.bus, resident: host.resident(id),
    journaled: durable && (async () => {
      const journal = await durable.journal(id);
      const journaled = durable.wrap(imports, { journal, sandbox, now });
      processHost.journaled = journaled.current;
      const quiescent = async () => {
        const taken = await durable.compact({ journal, replay: journaled.replay, sandbox });
        if (taken) audit({ kind: 'agent.snapshot', data: { agentId: id, seq: taken.seq, bytes: taken.bytes } });
      };
      if (sandbox.resume) audit({ kind: 'agent.resume', data: { agentId: id, from: sandbox.resume.from, journalLength: journal.length } });
      return { imports: journaled.imports, journaling: { journal, replay: journaled.replay, now }, quiescent };
    }),
    onResult: (result) => {
      sandbox.result = result;
      host.keepResult(id, result);
      audit({ kind: 'agent.result', data: result.ok ? { agentId: id, ok: true } : { agentId: id, ok: false, code: result.code, error: result.error } });
    },
    onDelivered: (message, outcome) => {
      audit({
        kind: 'bus.delivery',
        data: { agentId: id, messageId: message.id, from: message.from, topic: message.topic ?? null, request: message.expectsReply, ok: 'reply' in outcome },
      });
    },
  });
}
