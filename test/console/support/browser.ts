import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../functions/local/chromium';
import { emulatorsRunning } from '../../support/emulators';

/**
 * The agent console's browser tests: Debian's Chromium driven by playwright-core (no browser
 * download), against the real local stack.
 */

/** The same browser and flags as the bench (`CHROMIUM_PATH` overrides the path). */
export const CHROMIUM = CHROMIUM_PATH;
const ci = /^(1|true)$/i.test(process.env.CI ?? '');

export const SCREENSHOTS = path.resolve(__dirname, '../screenshots');

/**
 * `describe` when the emulators run and Chromium is installed. Without Chromium: under CI=true
 * the suite fails, saying why; elsewhere it is skipped with a loud line. Without the emulators it
 * is skipped like every emulator suite (test/run-tests.mjs says so in its banner).
 */
export function describeInBrowser(name: string, suite: () => void): void {
  if (!emulatorsRunning) {
    describe.skip(name, suite);
    return;
  }
  if (!existsSync(CHROMIUM)) {
    const why = `Chromium is not installed at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`;
    if (ci) {
      describe(name, () => {
        it('needs Chromium', () => {
          throw new Error(`${why}: the agent console's browser tests cannot run, and CI=true`);
        });
      });
      return;
    }
    const bar = '!'.repeat(78);
    console.warn(`\n${bar}\n!! BROWSER TESTS SKIPPED: ${why}.\n${bar}\n`);
    describe.skip(name, suite);
    return;
  }
  describe(name, suite);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}

/** A flat grey stand-in for the sample brands' pictures (their image hosts do not exist). */
function pictureSvg(url: string): string {
  const name = path.basename(new URL(url).pathname).replace(/\.\w+$/, '');
  const hues: Record<string, string> = {
    coffee: '#8d6e63',
    workshop: '#546e7a',
    rental: '#43a047',
    'shop-front': '#3949ab',
  };
  const fill = hues[name] ?? '#78909c';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="256" viewBox="0 0 480 256"><rect width="480" height="256" fill="${fill}"/><circle cx="380" cy="70" r="34" fill="#fff" fill-opacity=".35"/><path d="M0 256 150 110 260 210 330 150 480 256Z" fill="#fff" fill-opacity=".28"/></svg>`;
}

export interface AgentPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page: a test ends by checking there were none. */
  errors: string[];
}

/** A fresh browser context (its own cookies) on the console, not yet signed in. */
export async function openConsole(
  browser: Browser,
  agentApiUrl: string,
  options: BrowserContextOptions = {},
): Promise<AgentPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    timezoneId: 'Europe/Paris',
    ...options,
  });
  await context.route(/^https:\/\/[a-z-]+\.example\//, (route) =>
    route.fulfill({ contentType: 'image/svg+xml', body: pictureSvg(route.request().url()) }),
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // With BM_TEST_STACK_LOG_DIR set, the page's API calls are kept beside the stack's logs.
  const logDir = process.env.BM_TEST_STACK_LOG_DIR;
  if (logDir) {
    const file = path.resolve(logDir, 'browser.log');
    page.on('requestfinished', (request) => {
      void request
        .response()
        .then((response) =>
          appendFileSync(
            file,
            `${new Date().toISOString()} ${request.method()} ${request.url()} ${response?.status() ?? '-'}\n`,
          ),
        );
    });
    page.on('requestfailed', (request) =>
      appendFileSync(
        file,
        `${new Date().toISOString()} ${request.method()} ${request.url()} failed: ${request.failure()?.errorText ?? ''}\n`,
      ),
    );
  }
  await page.goto(new URL('console/', agentApiUrl).toString());
  return { context, page, errors };
}

/** Signs in with a token on the sign-in page, and waits for the live feed. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Agent token' }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
}

export async function signedInConsole(
  browser: Browser,
  agentApiUrl: string,
  token: string,
  options: BrowserContextOptions = {},
): Promise<AgentPage> {
  const opened = await openConsole(browser, agentApiUrl, options);
  await signIn(opened.page, token);
  return opened;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

const axeSource = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical violations on the page as it is. The script is evaluated
 * through the DevTools protocol, so the page's Content-Security-Policy stays on.
 */
export async function seriousViolations(
  page: Page,
  options: { stableEnglishNames?: boolean } = {},
): Promise<string[]> {
  await page.evaluate(axeSource());
  // In French, the names tests and assistive tools rely on stay English (the issue asks for
  // it), so the visible French words cannot be part of them: that one rule cannot hold there.
  const rules = options.stableEnglishNames
    ? "{ 'label-content-name-mismatch': { enabled: false } }"
    : '{}';
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run({ resultTypes: ['violations'], rules: ${rules} }).then((result) => result.violations)`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name) });
}

/** No horizontal scrolling of the page itself. */
export function pageOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  );
}
