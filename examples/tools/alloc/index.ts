/**
 * alloc — allocates 1 MiB buffers and keeps them alive. Without `mb` it never
 * stops, so only the memory cap can end it; with `mb: N` it allocates N MiB and
 * reports how many it holds. World: agentos:runtime/tool.
 */

export function describe() {
  return {
    name: 'alloc',
    version: '1.0.0',
    description: 'Allocates memory until told to stop (or forever). A test fixture for memory caps.',
    inputSchema: JSON.stringify({ type: 'object', properties: { mb: { type: 'integer', minimum: 0 } } }),
    outputSchema: JSON.stringify({ type: 'object', properties: { mb: { type: 'integer' } } }),
  };
}

export function invoke(input: string): string {
  const { mb } = JSON.parse(input || '{}') as { mb?: number };
  const limit = typeof mb === 'number' ? mb : Infinity;
  const kept: Uint8Array[] = [];
  while (kept.length < limit) {
    const block = new Uint8Array(1 << 20);
    block.fill(kept.length & 0xff); // touch the pages so they are really used
    kept.push(block);
  }
  return JSON.stringify({ mb: kept.length });
}
