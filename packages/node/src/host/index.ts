/**
 * The Node agent host: a Runtime of durable agents bound to an embedded
 * SQLite database and a disk compile cache, with a per-database lease so one
 * process at a time drives the agents and operator commands from others are
 * queued for it. `agentos agent` is a thin CLI over this.
 */
export { NodeHost, type CommandOutcome, type NodeHostOptions, type StartRequest } from './node-host.ts';
export { Lease, holderAlive, type ControlCommand, type LeaseHolder } from './lease.ts';
export { StoreKv } from './store-kv.ts';
export { fetchHttp } from './http.ts';
export { DEFAULT_POLICY, LOCAL_TENANT } from './world.ts';
