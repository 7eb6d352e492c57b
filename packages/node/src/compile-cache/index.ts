/**
 * Compile cache: components precompiled once and kept on disk, so short-lived
 * Node host processes (each `agentos agent` command, each restart after a
 * crash) start in milliseconds instead of re-transpiling and re-metering.
 */
export { CachingEngine, type CachingEngineOptions } from './caching-engine.ts';
