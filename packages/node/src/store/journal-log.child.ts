/**
 * The other process of journal-log.test.ts. Prints one JSON line per event on stdout, each only
 * after the store call it reports resolved.
 *
 * Usage: node journal-log.child.ts <db path> <mode>
 * - `hold`: owns the log (never drains it on its own), putMany's records 0..9 (`rec/<n>`), then
 *   stays alive until killed — its records are in the log only.
 * - `big-write`: run with a file size limit (ulimit -f) between the small records and the big one:
 *   putMany's small records, then one that passes the limit (the write fails part-way), then more
 *   small ones, and closes.
 */
import { statSync } from 'node:fs';
import { SqliteStore } from './sqlite-store.ts';

const [path, mode] = process.argv.slice(2);
const encoder = new TextEncoder();
const say = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const logSize = (): number => statSync(`${path}-log`, { throwIfNoEntry: false })?.size ?? -1;

if (mode === 'hold') {
  const store = new SqliteStore({ path, synchronous: 'normal', journalLogTuning: { drainMs: 1e9 } });
  say({ owner: store.journalLogOwner });
  for (let n = 0; n < 10; n++) {
    await store.putMany([`rec/${n}`], [encoder.encode(`value ${n}`)]);
    say({ acked: n });
  }
  say({ logSize: logSize() });
  // Alive until the test kills it; never longer than 20 s (a failed test must not leave it behind).
  setTimeout(() => process.exit(1), 20_000);
} else if (mode === 'big-write') {
  const store = new SqliteStore({ path, synchronous: 'full', journalLogTuning: { drainMs: 1e9 } });
  say({ owner: store.journalLogOwner });
  for (let n = 0; n < 3; n++) {
    await store.putMany([`rec/${n}`], [encoder.encode(`value ${n}`)]);
    say({ acked: n });
  }
  const before = logSize();
  try {
    await store.putMany(['rec/big'], [new Uint8Array(200 * 1024).fill(7)]);
    say({ acked: 'big' });
  } catch (error) {
    say({ failed: (error as { code?: string }).code, logSizeBefore: before, logSizeAfter: logSize() });
  }
  for (let n = 3; n < 6; n++) {
    await store.putMany([`rec/${n}`], [encoder.encode(`value ${n}`)]);
    say({ acked: n });
  }
  store.close();
  say({ closed: true });
}
