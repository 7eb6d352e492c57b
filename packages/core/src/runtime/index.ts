/**
 * Runtime: the agent OS assembled. Agents (components of the `agent` world,
 * or tools run as agents) are spawned through admission control, scheduled in
 * fuel slices, and preempted or suspended in place (JSPI) — for the next
 * slice, an approval, or more budget. Every capability call passes the gate:
 * entitlement (CapabilityManager) → policy (PolicyEngine) → audit → the
 * host's implementation; refusals reach the guest as WIT error values.
 * With `durable: { store }` every capability call is journaled, agents
 * survive restarts (`recover`), wait for humans without an instance, and
 * move between hosts as signed bundles (`exportAgent` / `importAgent`).
 * Optional wiring: MCP tools (`implementations.mcp`), signed tools (`trust`),
 * redaction of every sink (`secrets`), traces and metrics (`observer`), and
 * the agents' bus over a core `Bus` (`bus`), with messages delivered into
 * the guests' `handle-message` while they are idle (delivery.ts). `spawn`
 * without a type runs the default agent type ('generic').
 */
export { DEFAULT_AGENT_TYPE, Runtime } from './runtime.ts';
export type { AgentStatus, StepReport, SpawnRequest } from './status.ts';
export { ApprovalQueue, TIMEOUT_APPROVER, type ApprovalRequest, type ApprovalStatus, type ApprovalVote } from './approvals.ts';
export type { InstanceState } from './durability.ts';
export { CapabilityGate, ENTITLEMENT_RULE, type GateOutcome, type GateRequest } from './gate.ts';
export { ASYNC_IMPORTS, CAPABILITY_IDS } from './host-imports.ts';
export { MemoryKv } from './memory-kv.ts';
export { BusLink, type Delivery, type InboxMessage } from './bus-link.ts';
export { DELIVERY_FUNCTION, DELIVERY_INTERFACE, type DeliveryOutcome, type WitMessage } from './delivery.ts';
export { ToolRegistry, type ToolOutcome } from './tools.ts';
export type { AgentResult, Park } from './sandbox.ts';
export type {
  AuditSink, BusImplementation, CallContext, DurableOptions, ChatMessage, Completion, CompletionRequest, HttpImplementation, HttpRequest, HttpResponse,
  Implementations, KeyPage, KvImplementation, LlmImplementation, LogRecord, ObserverOptions, RuntimeOptions, ToolCall, ToolDescription, TrustOptions,
} from './options.ts';
