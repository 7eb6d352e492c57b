/**
 * The writer half of durability.test.ts, run as a child process that the test
 * SIGKILLs: it writes numbered records (single puts and three-key batches)
 * into a SqliteStore and acknowledges each on stdout only after the write
 * resolved. Whatever it acknowledged must be found after the kill.
 *
 * Usage: node durability.child.ts <db path> <full|normal> <first number> [busy-checkpoints|put-many|put-many-busy]
 * `busy-checkpoints`: the background checkpointer runs a round every 8 commits and restarts
 * the WAL past 16 frames, so kills land in and around checkpoints and WAL restarts.
 * `put-many`: records are written as journals write them, by `putMany` (so through the journal
 * log), from one reused buffer; `put-many-busy`: also drained every 1 ms or 8 KiB, so kills land
 * in and around drains and log truncations.
 */
import { writeSync } from 'node:fs';
import { SqliteStore } from './sqlite-store.ts';

const [path, synchronous, first, mode] = process.argv.slice(2);
const store = new SqliteStore({
  path, synchronous: synchronous as 'full' | 'normal',
  checkpointTuning: mode === 'busy-checkpoints' || mode === 'put-many-busy' ? { everyCommits: 8, restartFrames: 16 } : undefined,
  journalLogTuning: mode === 'put-many-busy' ? { drainMs: 1, drainBytes: 8192 } : undefined,
});
const putMany = mode === 'put-many' || mode === 'put-many-busy';
if (putMany && !store.journalLogOwner) throw new Error('The writer does not own the journal log.');
/** Like the journal's: every putMany hands views of this buffer, overwritten once the write resolved. */
let scratch = new Uint8Array(4096);
const encoder = new TextEncoder();
// Busy mode: start the checkpoint worker before writing, so rounds and restarts happen from the first records on.
if (mode === 'busy-checkpoints') await store.checkpoint();

/** Deterministic content for record `n`, of varying size (some span several pages). */
function recordValue(n: number): Uint8Array {
  return encoder.encode(`record ${n} `.repeat(1 + ((n * 7919) % 700)));
}

for (let n = Number(first); ; n++) {
  const key = `rec/${String(n).padStart(8, '0')}`;
  if (putMany) {
    const keys = n % 3 === 0 ? ['a', 'b', 'c'].map((part) => `${key}/${part}`) : [key];
    const value = recordValue(n);
    if (scratch.byteLength < value.byteLength * keys.length) scratch = new Uint8Array(value.byteLength * keys.length);
    const values = keys.map((_, i) => {
      scratch.set(value, i * value.byteLength);
      return scratch.subarray(i * value.byteLength, (i + 1) * value.byteLength);
    });
    await store.putMany(keys, values);
    scratch.fill(0x21);
  } else if (n % 3 === 0) {
    await store.batch(['a', 'b', 'c'].map((part) => ({ type: 'put' as const, key: `${key}/${part}`, value: recordValue(n) })));
  } else {
    await store.put(key, recordValue(n));
  }
  // Synchronous write: once the parent reads this line, the record is acknowledged (with the WAL restarts so far).
  writeSync(1, `${n} ${store.walRestarts}\n`);
}
