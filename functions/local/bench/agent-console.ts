import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEV_AGENT_TOKEN } from '../../agent-api/dev-agent';
import { signBody } from '../../webhook/signature';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumInstalled } from '../chromium';
import { SAMPLE_AGENT } from '../sample-brand';
import { customerEvent, type CustomerAction } from '../simulator/customer-events';
import type { BenchContext } from './context';
import { startEmbeddedChild } from './embedded';
import { PARTNER_KEY } from './fixtures';
import { percentile } from './stats';

/**
 * The agent console in a real browser (headless Chromium) on the embedded stack:
 * - `bundleGzipBytes`: the console's JS and CSS, gzipped as the agent API serves them;
 * - `firstPaintMs`: from navigation to the inbox listing all of 50 queued conversations, beside
 *   the same page's DOMContentLoaded (the page alone, before any data);
 * - `messageToScreen`: from this process's clock just before the webhook POST of a customer's
 *   message to the moment its text is in the console's transcript (the page's clock: the same
 *   machine's), beside the moment the same message reaches a bare `GET /events` reader in this
 *   process (the pipeline and the stream, without a browser).
 */
export interface ConsoleFigures {
  bundleGzipBytes: number;
  bundleJsGzipBytes: number;
  bundleCssGzipBytes: number;
  firstPaintMs: number;
  firstPaintQueued: number;
  baselineDomContentLoadedMs: number;
  messageToScreenP50Ms: number;
  messageToScreenP95Ms: number;
  baselineStreamP50Ms: number;
  baselineStreamP95Ms: number;
  samples: number;
}

const QUEUED = 50;

export function consoleBundleSizes(root: string): { js: number; css: number } {
  const gz = (file: string) =>
    gzipSync(readFileSync(path.join(root, 'dist/console', file)), { level: 9 }).length;
  return { js: gz('app.js'), css: gz('app.css') };
}

export async function benchConsole(context: BenchContext): Promise<ConsoleFigures> {
  const sizes = consoleBundleSizes(context.root);
  context.say(`  bundle: ${sizes.js} B of JS + ${sizes.css} B of CSS, gzipped`);
  if (!chromiumInstalled()) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  }
  const { chromium } = await import('playwright-core');
  const stack = await startEmbeddedChild(context, 'console-stack');
  let browser: Browser | undefined;
  try {
    const webhookUrl = stack.urls.webhook ?? '';
    const apiUrl = stack.urls.agentApi ?? '';
    const customer = (conversationId: string, action: CustomerAction, displayName: string) =>
      postCustomer(webhookUrl, conversationId, action, displayName);

    // 50 customers ask for a person; the queue holds them all before the page opens.
    const ids = Array.from({ length: QUEUED }, () => randomUUID());
    for (const [i, id] of ids.entries())
      await customer(id, { type: 'live-agent' }, `Queued customer ${i + 1}`);
    await until(
      async () => (await queued(apiUrl)) >= QUEUED,
      30_000,
      'the 50 queued conversations',
    );

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
    const consoleUrl = new URL('console/', apiUrl).toString();

    // First paint with 50 queued: a fresh page each run, the median of five.
    const paints: number[] = [];
    const loaded: number[] = [];
    for (let run = 0; run < (context.quick ? 2 : 5); run++) {
      const page = await signedInPage(browser, apiUrl);
      await page.context().addInitScript(watchListScript(QUEUED));
      await page.goto(consoleUrl);
      // A string: it runs in the page, whose DOM types this Node program does not compile with.
      const timing = await page.evaluate<{ full: number; dcl: number }>(
        `window.__listFull.then((full) => ({
          full,
          dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN,
        }))`,
      );
      paints.push(timing.full);
      loaded.push(timing.dcl);
      await page.context().close();
    }
    const firstPaintMs = percentile(paints, 50) ?? Number.NaN;
    const dclMs = percentile(loaded, 50) ?? Number.NaN;
    context.say(
      `  first paint, ${QUEUED} queued: ${firstPaintMs.toFixed(0)} ms (DOMContentLoaded ${dclMs.toFixed(0)} ms)`,
    );

    // One conversation claimed and open; then the customer writes, again and again.
    const measured = randomUUID();
    await customer(measured, { type: 'live-agent' }, 'Bench Customer');
    await until(
      async () => (await queued(apiUrl)) >= QUEUED + 1,
      30_000,
      'the measured conversation',
    );
    const claim = await fetch(new URL(`conversations/${measured}/claim`, apiUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_AGENT_TOKEN}` },
    });
    if (claim.status !== 200) throw new Error(`claim answered ${claim.status}`);
    const page = await signedInPage(browser, apiUrl);
    await page.goto(consoleUrl);
    await page.getByRole('tab', { name: /Mine/ }).click();
    await page.getByRole('listitem').filter({ hasText: 'Bench Customer' }).first().click();
    await page.getByRole('log', { name: 'Transcript' }).waitFor();
    const stream = await openStream(apiUrl);
    const toScreen: number[] = [];
    const toStream: number[] = [];
    const samples = context.quick ? 10 : 40;
    try {
      for (let i = 0; i < samples; i++) {
        const text = `bench message ${i} ${randomUUID().slice(0, 8)}`;
        const seen = page.evaluate<number>(watchTranscriptScript(text));
        const streamed = stream.next(text);
        const t0 = Date.now();
        await customer(measured, { type: 'text', text }, 'Bench Customer');
        const [onScreen, onStream] = await Promise.all([seen, streamed]);
        toScreen.push(onScreen - t0);
        toStream.push(onStream - t0);
      }
    } finally {
      stream.close();
    }
    const figures: ConsoleFigures = {
      bundleGzipBytes: sizes.js + sizes.css,
      bundleJsGzipBytes: sizes.js,
      bundleCssGzipBytes: sizes.css,
      firstPaintMs,
      firstPaintQueued: QUEUED,
      baselineDomContentLoadedMs: dclMs,
      messageToScreenP50Ms: percentile(toScreen, 50) ?? Number.NaN,
      messageToScreenP95Ms: percentile(toScreen, 95) ?? Number.NaN,
      baselineStreamP50Ms: percentile(toStream, 50) ?? Number.NaN,
      baselineStreamP95Ms: percentile(toStream, 95) ?? Number.NaN,
      samples,
    };
    context.say(
      `  message to screen: p50 ${figures.messageToScreenP50Ms} ms, p95 ${figures.messageToScreenP95Ms} ms (bare stream reader: p50 ${figures.baselineStreamP50Ms}, p95 ${figures.baselineStreamP95Ms} ms) over ${samples} messages`,
    );
    return figures;
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

async function signedInPage(browser: Browser, apiUrl: string): Promise<Page> {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: 1280, height: 800 },
  });
  const res = await context.request.post(new URL('session', apiUrl).toString(), {
    headers: { 'x-bm-console': '1' },
    data: { token: DEV_AGENT_TOKEN },
  });
  if (res.status() !== 200) throw new Error(`console sign-in answered ${res.status()}`);
  return context.newPage();
}

/**
 * Runs in the page before its own script: resolves `window.__listFull` with `performance.now()`
 * once the Conversations list holds `count` items.
 */
function watchListScript(count: number): string {
  return `(() => {
    let resolve;
    window.__listFull = new Promise((r) => { resolve = r; });
    const check = () => {
      const list = document.querySelector('[aria-label="Conversations"]');
      if (list && list.querySelectorAll('[role="listitem"], li').length >= ${count}) {
        resolve(performance.now());
        observer.disconnect();
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
  })();`;
}

/** In the page: resolves with `Date.now()` when `text` is in the transcript. */
function watchTranscriptScript(text: string): string {
  return `new Promise((resolve) => {
    const log = document.querySelector('[role="log"]');
    const has = () => (log?.textContent ?? '').includes(${JSON.stringify(text)});
    if (has()) return resolve(Date.now());
    const observer = new MutationObserver(() => {
      if (has()) {
        observer.disconnect();
        resolve(Date.now());
      }
    });
    observer.observe(log ?? document, { childList: true, subtree: true, characterData: true });
  })`;
}

/** A bare `GET /events` reader: when each customer message's text arrives. */
async function openStream(apiUrl: string): Promise<{
  next(text: string): Promise<number>;
  close(): void;
}> {
  const abort = new AbortController();
  const res = await fetch(new URL('events', apiUrl), {
    headers: { authorization: `Bearer ${DEV_AGENT_TOKEN}` },
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`GET /events answered ${res.status}`);
  const waiting = new Map<string, (at: number) => void>();
  const arrived = new Map<string, number>();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.includes('event: customer.message')) continue;
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          const text = data ? (JSON.parse(data) as { text?: string }).text : undefined;
          if (text === undefined) continue;
          const at = Date.now();
          const resolve = waiting.get(text);
          if (resolve) resolve(at);
          else arrived.set(text, at);
        }
      }
    } catch {
      // Closed by `close()`.
    }
  })();
  return {
    next: (text) => {
      const early = arrived.get(text);
      if (early !== undefined) return Promise.resolve(early);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event for "${text}" in 10 s`)), 10_000);
        waiting.set(text, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    },
    close: () => abort.abort(),
  };
}

async function postCustomer(
  webhookUrl: string,
  conversationId: string,
  action: CustomerAction,
  displayName: string,
): Promise<void> {
  const body = JSON.stringify(
    customerEvent(
      { conversationId, agent: SAMPLE_AGENT, locale: 'en', entryPoint: 'PLACESHEET', displayName },
      action,
      { requestId: randomUUID(), messageId: randomUUID() },
      new Date(),
    ),
  );
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-goog-signature': signBody(body, PARTNER_KEY),
    },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

async function queued(apiUrl: string): Promise<number> {
  const res = await fetch(new URL('conversations?state=queued&limit=200', apiUrl), {
    headers: { authorization: `Bearer ${DEV_AGENT_TOKEN}` },
  });
  const body = (await res.json()) as { conversations?: unknown[] };
  return body.conversations?.length ?? 0;
}

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
