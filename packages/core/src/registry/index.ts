/**
 * The tool registry: publish signed tools, list them, resolve a name and an
 * npm-style version range to the highest matching version, fetch an exact
 * version (verified again on the way out), and yank. Storage is any backend of
 * the core `Store` contract (memory, a folder or SQLite on Node, the edge and
 * browser stores); every publish and resolution is audited.
 */
export { type FetchedTool, Registry, type RegistryOptions, type ToolRecord, type VersionInfo, type VersionRecord } from './registry.ts';
