/**
 * The shape of a wast2json script (wabt's documented JSON output), validated once
 * when a file is loaded so the runner can trust it.
 */

import { z } from 'zod';

const specValue = z.object({
  type: z.string(),
  lane_type: z.string().optional(),
  value: z.union([z.string(), z.array(z.string())]).optional(),
});

const action = z.object({
  type: z.enum(['invoke', 'get']),
  module: z.string().optional(),
  field: z.string(),
  args: z.array(specValue).default([]),
});

const base = { line: z.number() };

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('module'), name: z.string().optional(), filename: z.string() }),
  z.object({ ...base, type: z.literal('register'), name: z.string().optional(), as: z.string() }),
  z.object({ ...base, type: z.literal('action'), action, expected: z.array(specValue).default([]) }),
  z.object({
    ...base,
    type: z.literal('assert_return'),
    action,
    expected: z.array(specValue).default([]),
    either: z.array(specValue).optional(),
  }),
  z.object({ ...base, type: z.literal('assert_trap'), action, text: z.string() }),
  z.object({ ...base, type: z.literal('assert_exhaustion'), action, text: z.string() }),
  z.object({ ...base, type: z.literal('assert_exception'), action }),
  ...(['assert_invalid', 'assert_malformed', 'assert_unlinkable', 'assert_uninstantiable'] as const).map((type) =>
    z.object({ ...base, type: z.literal(type), filename: z.string(), text: z.string(), module_type: z.enum(['binary', 'text']) }),
  ),
]);

export const scriptSchema = z.object({ source_filename: z.string(), commands: z.array(commandSchema) });

export type SpecValue = z.infer<typeof specValue>;
export type Action = z.infer<typeof action>;
export type Command = z.infer<typeof commandSchema>;
export type Script = z.infer<typeof scriptSchema>;
export type ModuleAssertion = Extract<Command, { module_type: 'binary' | 'text' }>;
