import { existsSync } from 'node:fs';

/**
 * Headless Chromium for the console's browser tests and benchmark: Debian's `chromium` package
 * (`apt-get install -y chromium`), driven by playwright-core; nothing downloads a browser.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, and quiet on a machine without a network: without the background-networking flags
 * Chromium keeps trying to reach Google's services at every start.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumInstalled = (): boolean => existsSync(CHROMIUM_PATH);
