/**
 * The capability manager: what capabilities exist (with input schema and
 * risk level), which agent types of which tenants are entitled to them, and
 * the per-call gate (`check`) that enforces entitlements, input schemas,
 * token budgets and rate limits before a call has any effect.
 */
export {
  type CapabilityCheck,
  type CapabilityCheckRecord,
  type CapabilityGrant,
  CapabilityManager,
  type CapabilityManagerOptions,
} from './capability-manager.ts';
export { compileSchema, type SchemaError, type Validator } from './json-schema.ts';
export { type Capability, type CapabilityInput, capabilitySchema, type Entitlement, entitlementSchema } from './model.ts';
export { TokenBucket, type TokenBucketOptions } from './token-bucket.ts';
