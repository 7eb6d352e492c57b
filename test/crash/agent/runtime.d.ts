/**
 * Types of the `agentos:runtime` imports the crash agent uses, for the
 * type checker only (the component build resolves them from the WIT world).
 */
declare module 'agentos:runtime/clock@0.1.0' {
  const clock: { now(): bigint | number; monotonicNow(): bigint | number };
  export default clock;
}
declare module 'agentos:runtime/random@0.1.0' {
  const random: { getRandomU64(): bigint | number };
  export default random;
}
declare module 'agentos:runtime/kv@0.1.0' {
  const kv: { get(key: string): Uint8Array | undefined; set(key: string, value: Uint8Array): void };
  export default kv;
}
declare module 'agentos:runtime/log@0.1.0' {
  const log: { log(level: string, message: string, fields: { key: string; value: string }[]): void };
  export default log;
}
declare module 'agentos:runtime/tools@0.1.0' {
  const tools: { call(name: string, input: string): string };
  export default tools;
}
declare module 'agentos:runtime/http@0.1.0' {
  interface Request { method: string; url: string; headers: [string, string][]; body: Uint8Array | null; timeoutMs: number | null }
  const http: { fetch(request: Request): { status: number; headers: [string, string][]; body: Uint8Array } };
  export default http;
}
