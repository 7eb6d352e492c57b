/** SHA-256 and hex, shared by the journal and durable agents (the audit log's synchronous implementation). */
import { sha256 } from '../audit/index.ts';

export { sha256 };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export function toHexString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHexString(sha256(bytes));
}
