/**
 * The host scenarios on Node, in-process. With components loaded by
 * `Engine.load` (transpiled and compiled at run time) this is the reference
 * the other suites are compared with, so it is held to the absolute
 * expectations alone. Then the same from `engine.precompile` output, which
 * must not change a single fuel unit.
 */
import { describeHost, startNode, startNodePrecompiled } from './harness.ts';

describeHost({ host: 'Node', start: startNode, compareWithNode: false });
describeHost({ host: 'Node, precompiled', start: startNodePrecompiled, compareWithNode: true });
