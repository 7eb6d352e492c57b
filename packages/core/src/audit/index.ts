/**
 * The audit trail: an append-only, hash-chained log (RFC 6962-style domain
 * separation over RFC 8785 canonical JSON) with Ed25519-signed checkpoints,
 * exported as JSONL and verifiable offline (`agentos audit verify`).
 *
 * The policy engine and capability manager hand their decisions to an audit
 * sink; wire it to `log.append({ kind, data })`.
 */
export { AuditLog, type AuditEvent, type AuditLogOptions } from './audit-log.ts';
export { canonicalize } from './canonical-json.ts';
export { type AuditEntry, type Checkpoint, FORMAT as AUDIT_FORMAT, type Header as AuditHeader } from './format.ts';
export {
  type AuditSigner,
  formatPublicKey,
  generateAuditSigner,
  keyIdOf,
  parsePublicKey,
  signerFromKeyPair,
} from './signer.ts';
export { sha256, toHex } from './sha256.ts';
export { type AuditVerifyCode, type AuditVerifyOptions, type AuditVerifyResult, verifyAuditLog } from './verify.ts';
export { type AuditCliIo, auditVerifyCommand } from './cli.ts';
