/**
 * Build helpers: what turning a JavaScript tool or agent into a component
 * needs besides the compiler itself — content keys for caching, reading a
 * component's world from its WIT text, and the mapping of toolchain messages
 * to `AgentOsError` codes. Portable; the Node-only compiler driver that uses
 * these lives in `node/` (componentize-qjs is a native addon).
 */
export { contentKey, type KeyPart } from './content-key.ts';
export { parseWorldText, jsName, type WorldText, type WorldItem, type WorldFunction } from './world-text.ts';
export { sourceError, componentizeError, type BuildContext, type SourceMessage } from './diagnostics.ts';
