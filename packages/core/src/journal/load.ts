/**
 * Loading a journal: every retained entry of an agent, in position order, checked
 * for damage before anything is replayed from it.
 *
 * Stores that can read keys with their values in one ordered pass (`ScanStore`,
 * e.g. the Node host's SqliteStore) are read that way; any other `Store` by
 * listing keys and getting each. Entries are parsed with one `JSON.parse` per
 * page rather than one per entry.
 *
 * Where the journal starts: `agents/<id>/journal-start` holds `{"first":P}` once
 * `discardBefore(P)` ran. That key is written in the same batch as the deletes
 * and before them, so whatever part of the batch a store applied, the entries
 * found run without a gap from some position k ≤ P to the end (k = P when the
 * batch was atomic, as the Store contract requires). Without the key the journal
 * must start at 0. Anything else — a hole, entries missing before P that no
 * discard removed — is damage, and a damaged journal is never replayed.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { decodeJson, type ListOptions, type Store } from '../store/index.ts';
import { journalPrefix, journalStartKey, type JournalEntry } from './entry.ts';

/** One page of keys with their values, in key order. */
export interface ScanPage {
  entries: { key: string; value: Uint8Array; version: number }[];
  /** Present when more keys may follow; pass it back as `cursor`. */
  cursor?: string;
}

/**
 * A `Store` that can also list keys together with their values (one ordered read
 * instead of a get per key). Same options and paging as `Store.list`.
 */
export interface ScanStore extends Store {
  scan(options: ListOptions): Promise<ScanPage>;
}

function canScan(store: Store): store is ScanStore {
  return typeof (store as Partial<ScanStore>).scan === 'function';
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads an agent's retained entries and where they start.
 * @throws AgentOsError 'invalid-argument' for an entry that is not UTF-8 JSON; 'internal' for a gap.
 */
export async function loadJournal(store: Store, agentId: string): Promise<{ first: number; entries: JournalEntry[] }> {
  const start = await store.get(journalStartKey(agentId));
  const marked = start === undefined ? 0 : decodeJson<{ first: number }>(start.value, journalStartKey(agentId)).first;
  const entries: JournalEntry[] = [];
  const prefix = journalPrefix(agentId);
  let cursor: string | undefined;
  do {
    let page: { keys: string[]; values: Uint8Array[]; cursor?: string };
    if (canScan(store)) {
      const scanned = await store.scan({ prefix, cursor });
      page = { keys: scanned.entries.map((e) => e.key), values: scanned.entries.map((e) => e.value), cursor: scanned.cursor };
    } else {
      const listed = await store.list({ prefix, cursor });
      const found = await Promise.all(listed.keys.map((k) => store.get(k.key)));
      const present = listed.keys.filter((_, i) => found[i] !== undefined);
      page = { keys: present.map((k) => k.key), values: found.filter((f) => f !== undefined).map((f) => f.value), cursor: listed.cursor };
    }
    for (const entry of parsePage(page.keys, page.values)) entries.push(entry);
    cursor = page.cursor;
  } while (cursor !== undefined);
  const first = entries.length > 0 ? entries[0].seq : marked;
  if (first > marked) {
    throw new AgentOsError('internal', `The journal of ${agentId} starts at position ${first}, but only positions before ${marked} were discarded: entries are missing.`, { details: { agentId, first, discarded: marked } });
  }
  for (let i = 0; i < entries.length; i++) {
    if (entries[i].seq !== first + i) {
      throw new AgentOsError('internal', `The journal of ${agentId} has a gap: position ${first + i} holds entry ${entries[i].seq}.`, { details: { agentId, seq: first + i } });
    }
  }
  return { first, entries };
}

/** Parses a page's entries with one JSON.parse; a page that fails is parsed entry by entry to name the bad key. */
function parsePage(keys: readonly string[], values: readonly Uint8Array[]): JournalEntry[] {
  if (values.length === 0) return [];
  let text = '[';
  try {
    for (let i = 0; i < values.length; i++) text += (i === 0 ? '' : ',') + decoder.decode(values[i]);
    const parsed = JSON.parse(text + ']') as unknown[];
    // Each value must be one JSON value: `1,2` in a single row would shift the rest.
    if (parsed.length === values.length && parsed.every((entry, i) => isObject(entry) && (entry as JournalEntry).seq === positionOf(keys[i]))) return parsed as JournalEntry[];
  } catch {
    // Fall through: find the entry at fault.
  }
  return values.map((value, i) => {
    const entry = decodeJson<JournalEntry>(value, keys[i]);
    if (!isObject(entry) || entry.seq !== positionOf(keys[i])) {
      throw new AgentOsError('invalid-argument', `The value under "${keys[i]}" is not the journal entry of that position.`, { details: { key: keys[i] } });
    }
    return entry;
  });
}

/** The position a key names (its last 12 digits, see `entryKey`). */
function positionOf(key: string): number {
  return Number(key.slice(-12));
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
