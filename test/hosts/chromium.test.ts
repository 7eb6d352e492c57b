/**
 * The host scenarios in Chromium, each in a fresh module Web Worker driven by
 * Playwright. Results must equal Node's, fuel counts included. Needs Debian's
 * Chromium at /usr/bin/chromium (.ci/hosts-setup.sh installs it).
 */
import { startChromium } from './chromium/host.ts';
import { describeHost } from './harness.ts';

describeHost({ host: 'Chromium', start: startChromium, compareWithNode: true });
