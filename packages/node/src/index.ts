/**
 * @agentos/node: what the Node host adds to the portable core — durable
 * embedded storage (store/), a folder-backed store for registries
 * (folder-store/), DNS-checked HTTP egress (http/), a disk compile cache
 * (compile-cache/), and the host of durable agents behind `agentos agent`
 * (host/, cli/). Each concept is a folder.
 */
export * from './store/index.ts';
export * from './folder-store/index.ts';
export * from './http/index.ts';
export * from './compile-cache/index.ts';
export * from './host/index.ts';
export * from './cli/index.ts';
