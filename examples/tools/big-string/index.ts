/**
 * big-string — returns a JSON string of `mb` MiB (default 32): an output far
 * bigger than any sane tool result, for the host's output-size cap and the
 * guest-boundary hardening. World: agentos:runtime/tool.
 */

export function describe() {
  return {
    name: 'big-string',
    version: '1.0.0',
    description: 'Returns a huge string. A test fixture for output size caps.',
    inputSchema: JSON.stringify({ type: 'object', properties: { mb: { type: 'number', minimum: 0 } } }),
    outputSchema: JSON.stringify({ type: 'string' }),
  };
}

export function invoke(input: string): string {
  const { mb = 32 } = JSON.parse(input || '{}') as { mb?: number };
  // The output is a JSON string literal: quotes plus `mb` MiB of 'x'.
  return `"${'x'.repeat(Math.floor(mb * 1024 * 1024))}"`;
}
