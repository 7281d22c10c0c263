// Debian's Chromium for the browser tests, launched the same way everywhere: headless, no
// sandbox (root), and none of the background networking that this machine's closed network refuses.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why a browser test must skip (said loudly by the caller), or undefined when Chromium is there. */
export function chromiumSkipReason(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is not installed: browser tests SKIPPED (apt-get install -y chromium; .ci/run does this)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
