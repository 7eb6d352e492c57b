/**
 * spin — never returns: `invoke` loops forever without calling the host.
 * Only the fuel budget (or a deadline) can stop it; tests use it to prove that.
 * World: agentos:runtime/tool.
 */

export function describe() {
  return {
    name: 'spin',
    version: '1.0.0',
    description: 'Loops forever. A test fixture for fuel limits.',
    inputSchema: '{}',
    outputSchema: '{}',
  };
}

export function invoke(_input: string): string {
  let n = 0;
  for (;;) n = (n + 1) | 0;
}
