/**
 * The policy engine: declarative policy documents (validated with zod, JSON
 * Schema published at schemas/policy.schema.json) compiled into indexes and
 * evaluated per call. Default deny; precedence deny > default deny >
 * require-approval > allow-with-conditions > allow (see decision.ts). Every
 * decision names the rule that made it and goes to the audit sink.
 */
export { PolicyEngine, type LoadedPolicy, type PolicyEngineOptions } from './engine.ts';
export {
  type Conditions,
  DEFAULT_DENY,
  type DecisionRecord,
  type DecisionSink,
  type PolicyDecision,
  type PolicyEffect,
  type PolicyRequest,
  type Redaction,
} from './decision.ts';
export {
  DATA_DETECTORS,
  type DataDetector,
  parsePolicyDocument,
  type PolicyDocument,
  type PolicyDocumentInput,
  policyDocumentSchema,
  type PolicyIssue,
  type PolicyRule,
  RISK_LEVELS,
  type RiskLevel,
} from './document.ts';
export { compileGlob, compileGlobs, type Matcher } from './glob.ts';
export { luhn } from './detectors.ts';
export { policyJsonSchema, policyJsonSchemaText } from './schema-gen.ts';
