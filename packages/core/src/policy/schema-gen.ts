/**
 * Generates the published JSON Schema of policy documents from the zod schema
 * in document.ts. Run it to refresh the file (a test fails while it is stale):
 *
 *   npx node packages/core/src/policy/schema-gen.ts > schemas/policy.schema.json
 *
 * It prints rather than writes so that it stays free of host APIs like the
 * rest of packages/core.
 */
import { z } from 'zod';
import { policyDocumentSchema } from './document.ts';

export const POLICY_SCHEMA_ID = 'https://agentos.dev/schemas/policy.schema.json';

/** The JSON Schema (draft 2020-12) of the input form of a policy document. */
export function policyJsonSchema(): Record<string, unknown> {
  // io: 'input' — fields with defaults are optional to the author.
  const schema = z.toJSONSchema(policyDocumentSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return { $id: POLICY_SCHEMA_ID, ...schema };
}

/** The exact text of schemas/policy.schema.json. */
export function policyJsonSchemaText(): string {
  return JSON.stringify(policyJsonSchema(), null, 2) + '\n';
}

if (import.meta.main) {
  // console.log adds the final newline; strip ours to keep the file byte-identical.
  console.log(policyJsonSchemaText().slice(0, -1));
}
