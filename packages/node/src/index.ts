/**
 * @agentos/node: what the Node host adds to the portable core — durable
 * embedded storage, network access checked against resolved addresses, and the
 * long-running agent host behind `agentos agent`. Each concept is a folder.
 */
export * from './folder-store/index.ts';
export * from './http/index.ts';
