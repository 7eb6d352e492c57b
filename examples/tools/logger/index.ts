/**
 * logger — calls the `log` import `count` times (default 1000) and nothing
 * else: a loop whose only work is a cheap host import, to measure import-call
 * overhead and to check that fuel is still charged across host calls.
 * With `count: -1` it logs forever. World: agentos:runtime/tool.
 */
import log from 'agentos:runtime/log@0.1.0';

export function describe() {
  return {
    name: 'logger',
    version: '1.0.0',
    description: 'Writes `count` log records. A test fixture for host-import overhead.',
    inputSchema: JSON.stringify({ type: 'object', properties: { count: { type: 'integer' } } }),
    outputSchema: JSON.stringify({ type: 'object', properties: { logged: { type: 'integer' } } }),
  };
}

export function invoke(input: string): string {
  const { count = 1000 } = JSON.parse(input || '{}') as { count?: number };
  let logged = 0;
  while (count < 0 || logged < count) {
    log.log('info', 'tick', []);
    logged++;
  }
  return JSON.stringify({ logged });
}
