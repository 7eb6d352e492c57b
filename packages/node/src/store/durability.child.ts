/**
 * The writer half of durability.test.ts, run as a child process that the test
 * SIGKILLs: it writes numbered records (single puts and three-key batches)
 * into a SqliteStore and acknowledges each on stdout only after the write
 * resolved. Whatever it acknowledged must be found after the kill.
 *
 * Usage: node durability.child.ts <db path> <full|normal> <first number>
 */
import { writeSync } from 'node:fs';
import { SqliteStore } from './sqlite-store.ts';

const [path, synchronous, first] = process.argv.slice(2);
const store = new SqliteStore({ path, synchronous: synchronous as 'full' | 'normal' });
const encoder = new TextEncoder();

/** Deterministic content for record `n`, of varying size (some span several pages). */
function recordValue(n: number): Uint8Array {
  return encoder.encode(`record ${n} `.repeat(1 + ((n * 7919) % 700)));
}

for (let n = Number(first); ; n++) {
  const key = `rec/${String(n).padStart(8, '0')}`;
  if (n % 3 === 0) {
    await store.batch(['a', 'b', 'c'].map((part) => ({ type: 'put' as const, key: `${key}/${part}`, value: recordValue(n) })));
  } else {
    await store.put(key, recordValue(n));
  }
  // Synchronous write: once the parent reads this line, the record is acknowledged.
  writeSync(1, `${n}\n`);
}
