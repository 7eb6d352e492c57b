/**
 * Secrets: credentials the host injects into capability calls (per
 * capability, destination host and caller) so guests use them without ever
 * reading them, plus the Redactor that scrubs every known secret — raw or
 * encoded — from what is journaled, audited, logged or stored.
 */
export { MemorySecretStore, type SecretStore } from './store.ts';
export { MIN_SECRET_LENGTH, secretVariants } from './encodings.ts';
export { Redactor } from './redactor.ts';
export {
  injectionRuleSchema, readGrantSchema, Secrets,
  type InjectionRule, type InjectionTarget, type ReadGrant, type SecretCaller, type SecretsOptions,
} from './secrets.ts';
export { redacting, redactingStore } from './sinks.ts';
