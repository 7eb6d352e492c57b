/**
 * The host scenarios inside workerd (Miniflare, offline), with every fixture
 * bundled as a precompiled module, the only way workerd accepts wasm. Results
 * must equal Node's, fuel counts included.
 */
import { describeHost } from './harness.ts';
import { startWorkerd } from './workerd/host.ts';

describeHost({ host: 'workerd', start: startWorkerd, compareWithNode: true });
