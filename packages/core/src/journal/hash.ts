/** SHA-256 and hex, shared by the journal and durable agents (the audit log's synchronous implementation). */
import { sha256, toHex } from '../audit/index.ts';

export { sha256 };

/** Lower-case hex of `bytes` (the audit log's encoder). */
export { toHex as toHexString };

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}
