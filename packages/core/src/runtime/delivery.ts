/**
 * Delivery: bus messages into a guest's `handle-message` export (agent world).
 *
 * A component instance cannot be re-entered while it is inside a call — and
 * a guest parked under JSPI (between slices, waiting for an approval or for
 * budget) is inside its `run` call. So messages wait in the agent's inbox
 * (BusLink) and are delivered only at the guest's idle points: right after
 * instantiation before `run` starts, and after `run` returned (a resident
 * agent then stays idle between messages). Each delivery runs inside a slice
 * of the agent, charged to it like any other guest work.
 *
 * Durable agents: a delivery is an input from outside, like an import's
 * result, so it is journaled — an entry with interface `agentos:runtime/delivery`
 * and function `handle-message`, the WIT message as its argument, written as
 * `started` before the guest sees it and `completed` with the reply. Replay
 * re-delivers the journaled messages at the same idle points, in order (the
 * fuel recorded with each names its idle point, and is checked like a call's);
 * live messages wait until replay has caught up. A delivery left `started` by a crash is delivered again
 * (its sender died with the host; its own journal retries the request).
 *
 * A request being handled belongs to the sandbox (`AgentSandbox.inFlight`), not to the guest call: when a
 * durable agent is evicted inside `handle-message` (it waits for a human), the fresh sandbox takes it over,
 * and the delivery replayed there answers the sender, who still waits on the same host. Whoever takes the
 * request out of `inFlight` settles it, so it is answered once.
 */
import { AgentOsError, ERROR_CODES, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { decodeValue, type Journal, type JournalEntry, type Replay } from '../journal/index.ts';
import type { BusLink, Delivery, InboxMessage } from './bus-link.ts';
import { describeVariant, guestErrorValue } from './guest-result.ts';
import type { AgentSandbox, InFlightDelivery } from './sandbox.ts';

/** The journal entry's interface and function of a delivery (there is no import of that name: nothing else uses it). */
export const DELIVERY_INTERFACE = 'agentos:runtime/delivery';
export const DELIVERY_FUNCTION = 'handle-message';

/** The WIT `message` record of `agentos:runtime/bus` as jco's glue takes it. */
export interface WitMessage {
  id: string;
  from: string;
  topic: string | undefined;
  payload: string;
  expectsReply: boolean;
  sentAt: bigint;
}

/** How one delivery ended: the guest's reply (for requests), or its refusal (`err(agent-error)`). */
export type DeliveryOutcome = { reply: string | undefined } | { refusal: AgentOsError };

export interface DeliveryJournal {
  journal: Journal;
  /** The replay serving this instance (shared with its journaled imports). */
  replay: Replay;
  now: () => number;
}

export interface DeliverOptions {
  agentId: string;
  sandbox: AgentSandbox;
  link: BusLink | undefined;
  /** Durable agents only. */
  journaling?: DeliveryJournal;
  /**
   * 'start': the idle point before `run` — a journaled delivery recorded at another fuel
   * belongs to a later idle point (fuel only grows, so each idle point has its own), and
   * the guest runs on. 'idle': after `run` returned — any difference is a divergence.
   */
  point: 'start' | 'idle';
  /** After each live delivery (audit). */
  onDelivered?: (message: InboxMessage, outcome: DeliveryOutcome) => void;
  /** After each live delivery, while no guest call is on the stack (compaction of durable resident agents). */
  quiescent?: () => Promise<void>;
}

export function witMessage(message: InboxMessage): WitMessage {
  return { id: message.id, from: message.from, topic: message.topic, payload: message.payload, expectsReply: message.expectsReply, sentAt: BigInt(Math.floor(message.sentAt)) };
}

export function isDelivery(entry: JournalEntry | undefined): boolean {
  return entry?.interface === DELIVERY_INTERFACE && entry.function === DELIVERY_FUNCTION;
}

/**
 * Delivers at an idle point of the guest: first the deliveries its journal recorded here (replay),
 * then — once replay has caught up — every message waiting in its inbox, oldest first.
 * @returns whether replay has caught up (false: the journal goes on with other calls; run the guest on).
 * @throws what the guest trapped with in `handle-message`, or the stop of a terminated agent
 *   (the agent fails); AgentOsError 'replay-divergence' when the fuel at a recorded delivery differs.
 */
export async function deliverPending(options: DeliverOptions): Promise<boolean> {
  const { sandbox, journaling } = options;
  if (journaling) {
    const { journal, replay } = journaling;
    while (replay.replaying) {
      const entry = replay.peek();
      if (!entry || !isDelivery(entry)) return false;
      if (options.point === 'start' && entry.fuelAtCall !== sandbox.store.fuel.used.toString()) return false;
      const message = (decodeValue(entry.args) as unknown[])[0] as WitMessage;
      const step = replay.next({ interface: entry.interface, function: entry.function, args: [message], fuelAtCall: sandbox.store.fuel.used });
      // Carried over an eviction: the sender still waits for this delivery's reply.
      const carried = sandbox.inFlight?.seq === entry.seq ? sandbox.inFlight : undefined;
      const outcome = await handle(options, message, carried);
      // Cut short (by an eviction or a crash): delivered again now; after a crash nobody waits for the reply.
      if (step.kind === 'retry') await record(journaling, entry.seq, outcome);
      if (carried) settle(options, carried, outcome);
    }
  }
  for (let delivery = options.link?.take(options.agentId); delivery; delivery = options.link?.take(options.agentId)) {
    await deliverLive(options, delivery);
    await options.quiescent?.();
  }
  return true;
}

async function deliverLive(options: DeliverOptions, delivery: Delivery): Promise<void> {
  const { journaling, sandbox } = options;
  const message = witMessage(delivery.message);
  let seq: number | undefined;
  if (journaling) {
    seq = journaling.journal.begin({
      interface: DELIVERY_INTERFACE, function: DELIVERY_FUNCTION, args: [message], effect: 'external',
      fuelAtCall: sandbox.store.fuel.used, startedAt: journaling.now(),
    }).seq;
    await journaling.journal.flush();
  }
  const inFlight: InFlightDelivery = { seq, delivery };
  sandbox.inFlight = inFlight;
  const outcome = await handle(options, message, inFlight);
  // This instance was evicted and the request carried away: the rebuilt instance records and answers it.
  if (sandbox.inFlight !== inFlight) return;
  if (journaling && seq !== undefined) await record(journaling, seq, outcome);
  settle(options, inFlight, outcome);
}

/**
 * Refuses the request an agent was handling — or had carried over an eviction — when the agent
 * ends before answering it (terminated while it waited without an instance), so its sender stops waiting.
 */
export function abandonInFlight(sandbox: AgentSandbox, agentId: string): void {
  const delivery = take(sandbox, sandbox.inFlight);
  delivery?.refuse(new AgentOsError('not-found', `Agent ${agentId} ended before it answered message ${delivery.message.id}.`, { details: { agentId } }));
}

/** `handle-message` for a message whose request (if any) is `inFlight`; a failure refuses the request, then propagates. */
async function handle(options: DeliverOptions, message: WitMessage, inFlight: InFlightDelivery | undefined): Promise<DeliveryOutcome> {
  try {
    return await invoke(options, message);
  } catch (error) {
    take(options.sandbox, inFlight)?.refuse(new AgentOsError('internal', `Agent ${options.agentId} failed while handling message ${message.id}.`, { cause: error, details: { agentId: options.agentId } }));
    throw error;
  }
}

/** Answers (or refuses) a request with its delivery's outcome, unless it was already settled or carried elsewhere. */
function settle(options: DeliverOptions, inFlight: InFlightDelivery, outcome: DeliveryOutcome): void {
  const delivery = take(options.sandbox, inFlight);
  if (!delivery) return;
  if ('reply' in outcome) delivery.answer(outcome.reply);
  else delivery.refuse(outcome.refusal);
  options.onDelivered?.(delivery.message, outcome);
}

/** Removes `inFlight` from the sandbox if it is still there: only its taker may settle the request. */
function take(sandbox: AgentSandbox, inFlight: InFlightDelivery | undefined): Delivery | undefined {
  if (!inFlight || sandbox.inFlight !== inFlight) return undefined;
  sandbox.inFlight = undefined;
  return inFlight.delivery;
}

/** Calls `handle-message`; a guest `err` is an outcome, anything else (trap, stop) is thrown. */
async function invoke(options: DeliverOptions, message: WitMessage): Promise<DeliveryOutcome> {
  const instance = options.sandbox.instance;
  if (!instance) throw new AgentOsError('internal', `Agent ${options.agentId} has no instance to deliver to.`, { details: { agentId: options.agentId } });
  try {
    const value = await instance.call(DELIVERY_FUNCTION, [message]);
    return { reply: typeof value === 'string' ? value : undefined };
  } catch (error) {
    const guest = guestErrorValue(error);
    if (!guest) throw error;
    const inner = guest.tag === 'capability' && typeof guest.val === 'object' && guest.val !== null ? (guest.val as { tag?: unknown }).tag : undefined;
    const code: ErrorCode = typeof inner === 'string' && (ERROR_CODES as readonly string[]).includes(inner) ? (inner as ErrorCode) : 'internal';
    return { refusal: new AgentOsError(code, `Agent ${options.agentId} refused message ${message.id}: ${describeVariant(guest)}`, { details: { agentId: options.agentId } }) };
  }
}

async function record(journaling: DeliveryJournal, seq: number, outcome: DeliveryOutcome): Promise<void> {
  const endedAt = journaling.now();
  if ('reply' in outcome) journaling.journal.complete(seq, { result: outcome.reply, endedAt });
  else journaling.journal.complete(seq, { error: { code: outcome.refusal.code, message: outcome.refusal.message }, endedAt });
  await journaling.journal.flush();
}
