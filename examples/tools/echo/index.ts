/**
 * echo — the smallest useful tool: returns its input document unchanged.
 * World: agentos:runtime/tool. Used as the baseline fixture (call overhead,
 * boundary checks); refuses input that is not JSON with `invalid-input`.
 */
import log from 'agentos:runtime/log@0.1.0';

export function describe() {
  return {
    name: 'echo',
    version: '1.0.0',
    description: 'Returns its JSON input unchanged.',
    inputSchema: '{}',
    outputSchema: '{}',
  };
}

export function invoke(input: string): string {
  try {
    JSON.parse(input);
  } catch (error) {
    // A thrown value becomes the `err` of `result<string, tool-error>`.
    throw { tag: 'invalid-input', val: `input is not JSON: ${(error as Error).message}` };
  }
  log.log('debug', 'echo', [{ key: 'length', value: String(input.length) }]);
  return input;
}
