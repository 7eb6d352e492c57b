/**
 * Runs the crash campaign from the command line and prints its JSON summary.
 *
 * Usage: npx node test/crash/run.ts [--points 1000] [--seed 1] [--steps 4] [--synchronous normal|full]
 * Exit code 1 when any check failed.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runCrashCampaign } from './driver.ts';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: process.env.CRASH_POINTS ?? '1000' }, seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '4' }, synchronous: { type: 'string', default: 'normal' },
  },
});
const summary = await runCrashCampaign({
  points: Number(values.points), seed: Number(values.seed), steps: Number(values.steps), synchronous: values.synchronous as 'normal' | 'full',
  log: (line) => process.stderr.write(`${line}\n`),
});
const conditions = { node: process.version, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))) };
console.log(JSON.stringify({ ...summary, conditions }, null, 2));
process.exitCode = summary.failures.length === 0 ? 0 : 1;
