import type { Locator, Page } from 'playwright-core';

/** Polls `probe` until `test` holds; throws with the last value seen otherwise. */
export async function eventually<T>(
  probe: () => Promise<T>,
  test: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!test(value)) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not so after ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

export const visible = (locator: Locator, timeout = 15_000): Promise<void> =>
  locator.waitFor({ state: 'visible', timeout });

export const gone = (locator: Locator, timeout = 15_000): Promise<void> =>
  locator.waitFor({ state: 'detached', timeout });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The inbox list. */
export const conversations = (page: Page): Locator =>
  page.getByRole('list', { name: 'Conversations' });

/** A customer's row in the inbox (its accessible name starts with their display name). */
export const rowOf = (page: Page, customerName: string): Locator =>
  conversations(page).getByRole('listitem', {
    name: new RegExp(`^${escapeRegExp(customerName)},`),
  });

export const transcript = (page: Page): Locator => page.getByRole('log', { name: 'Transcript' });

export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

// Page-side code is written as expressions: the tests' TypeScript has no DOM types.

/** The result of an expression evaluated in the page. */
export const inPage = <T>(page: Page, expression: string): Promise<T> =>
  page.evaluate<T>(expression);

/** The accessible name of the focused element (its aria-label, else its text). */
export const focusedName = (page: Page): Promise<string> =>
  inPage(
    page,
    `(() => { const el = document.activeElement;
       return (el && (el.getAttribute('aria-label') || (el.textContent || '').trim())) || ''; })()`,
  );

/** The selected tab's accessible name. */
export const selectedTab = (page: Page): Promise<string> =>
  inPage(
    page,
    `document.querySelector('[role="tab"][aria-selected="true"]')?.getAttribute('aria-label') ?? ''`,
  );

/** Takes the focus away from any field, as when the agent clicks the page's background. */
export const blur = (page: Page): Promise<void> =>
  inPage(page, 'void (document.activeElement && document.activeElement.blur())');

/** Shows the Queue tab (after a claim the console shows Mine). */
export const showQueue = (page: Page): Promise<void> =>
  page.getByRole('tab', { name: 'Queue' }).click();

/** The open conversation's customer name, '' when none is open. */
export const openTitle = async (page: Page): Promise<string> =>
  (await page.locator('.pane__title').textContent()) ?? '';
