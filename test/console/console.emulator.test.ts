import type { Browser, Page } from 'playwright-core';
import {
  DEV_AGENT_2_TOKEN,
  DEV_AGENT_3_TOKEN,
  DEV_AGENT_TOKEN,
} from '../../functions/agent-api/dev-agent';
import { SAMPLE_AGENT, SECOND_SAMPLE_AGENT } from '../../functions/local/sample-brand';
import { seedLocalData } from '../../functions/local/stack/seed';
import { startTestStack, type TestStack } from '../support/stack';
import {
  describeInBrowser,
  launchBrowser,
  openConsole,
  pageOverflow,
  screenshot,
  seriousViolations,
  signedInConsole,
  signIn,
  type AgentPage,
} from './support/browser';
import { Customer, type Seen } from './support/customers';
import {
  composer,
  conversations,
  eventually,
  focusedName,
  gone,
  inPage,
  blur,
  openTitle,
  rowOf,
  selectedTab,
  showQueue,
  transcript,
  visible,
} from './support/wait';

/**
 * The agent console in a real browser (Debian's Chromium) against the whole local stack: every
 * function in its own process on the Pub/Sub and Firestore emulators, customers as signed
 * webhook events, and what they saw read back from the Business Messages API stand-in.
 */
jest.setTimeout(180_000);

/** Streams end this often (the production default is 4 minutes), so a reconnection is seen. */
const SSE_MAX_MS = 20_000;

/** Waits for the feed to be live (streams end every SSE_MAX_MS): screenshots say "Live". */
const live = (page: Page) =>
  eventually(
    () => page.getByRole('status').textContent(),
    (t) => t === 'Live',
    'live',
    SSE_MAX_MS,
  );

const seqOf = (lines: Seen[], what: string | RegExp): number =>
  lines.find((l) => (typeof what === 'string' ? l.what === what : what.test(l.what)))?.seq ?? -1;

describeInBrowser('the agent console in Chromium', () => {
  let stack: TestStack;
  let browser: Browser;
  let api: string;
  let alex: AgentPage;
  const opened: AgentPage[] = [];

  const velo = (name: string, locale = 'en') =>
    new Customer(stack, { agent: SAMPLE_AGENT, name, locale });

  const agentPage = async (token: string, options = {}): Promise<AgentPage> => {
    const page = await signedInConsole(browser, api, token, options);
    opened.push(page);
    return page;
  };

  const sseMaxBefore = process.env.AGENT_API_SSE_MAX_MS;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startTestStack(seedLocalData, { AGENT_API_SSE_MAX_MS: String(SSE_MAX_MS) }),
      launchBrowser(),
    ]);
    api = stack.urls.agentApi ?? '';
    alex = await agentPage(DEV_AGENT_TOKEN);
  });
  afterAll(async () => {
    const pageErrors = opened.flatMap((p) => p.errors);
    await browser?.close();
    await stack?.stop();
    // startTestStack put it in this worker's environment: don't hand it to the next suite.
    if (sseMaxBefore === undefined) delete process.env.AGENT_API_SSE_MAX_MS;
    else process.env.AGENT_API_SSE_MAX_MS = sseMaxBefore;
    // No page of the suite threw.
    expect(pageErrors).toEqual([]);
  });

  it('signs in with a token, says so in words when it is wrong, and passes axe', async () => {
    const { context, page, errors } = await openConsole(browser, api);
    try {
      const token = page.getByRole('textbox', { name: 'Agent token' });
      await visible(token);
      expect(await token.getAttribute('type')).toBe('password');
      expect(await seriousViolations(page)).toEqual([]);
      await token.fill('not-a-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await visible(page.getByText('This token is not valid.', { exact: false }));
      await signIn(page, DEV_AGENT_TOKEN);
      await visible(page.getByRole('tab', { name: 'Queue' }));
      // The token is nowhere but the cookie the server set (HttpOnly).
      const stored = await inPage<string>(
        page,
        'JSON.stringify({ ...localStorage, ...sessionStorage })',
      );
      expect(stored).not.toContain(DEV_AGENT_TOKEN);
      expect(page.url()).not.toContain(DEV_AGENT_TOKEN);
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'bm_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });

      // Sign out: the cookie is gone, and the sign-in page is back.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await visible(page.getByRole('textbox', { name: 'Agent token' }));
      expect((await context.cookies()).map((c) => c.name)).not.toContain('bm_session');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a customer who asks for a person appears in Queue live; the agent claims, answers with Enter and a canned response, reads the reply, and releases to the bot', async () => {
    const { page } = alex;
    const ada = velo('Ada Lovelace');
    await ada.say('Hello');
    await ada.settled(1);
    expect(await rowOf(page, ada.name).count()).toBe(0);

    await ada.askForPerson();
    const row = rowOf(page, ada.name);
    await visible(row);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('Vélo Café');
    expect(rowText).toContain('en');
    expect(rowText).toContain('Tapped “talk to a person”');
    expect(rowText).toContain('Hello');
    expect(rowText).toMatch(/\d+:\d\d/);
    expect(await page.title()).toMatch(/^\(\d+\) Agent console$/);

    // Claim: the conversation moves to Mine, and the composer has the focus.
    await row.getByRole('button', { name: 'Claim' }).click();
    await eventually(
      () => selectedTab(page),
      (t) => t === 'Mine',
      'the Mine tab is selected',
    );
    await visible(rowOf(page, ada.name));
    const box = composer(page);
    await visible(box);
    expect(await focusedName(page)).toBe('Message');

    // Enter sends; the typing indicator starts once for the whole burst of keystrokes.
    await box.pressSequentially('Hello Ada, Alex here. How can I help?', { delay: 15 });
    await box.press('Enter');
    await eventually(
      () => box.inputValue(),
      (v) => v === '',
      'the box empties once sent',
    );
    await visible(transcript(page).getByText('Hello Ada, Alex here. How can I help?'));
    let seen = await ada.until((l) =>
      l.some((x) => x.what === 'HUMAN: Hello Ada, Alex here. How can I help?'),
    );
    const joined = seqOf(seen, 'REPRESENTATIVE_JOINED HUMAN');
    const first = seqOf(seen, 'HUMAN: Hello Ada, Alex here. How can I help?');
    expect(joined).toBeGreaterThan(0);
    expect(first).toBeGreaterThan(joined);
    const startedBefore = seen.filter(
      (l) => l.what === 'TYPING_STARTED HUMAN' && l.seq > joined && l.seq < first,
    );
    expect(startedBefore).toHaveLength(1);
    await visible(transcript(page).getByText('Alex (dev) joined'), 30_000);

    // The customer types, then answers: both show in the open transcript.
    await ada.typing(true);
    await visible(page.getByText(`${ada.name} is typing…`));
    await ada.say('Thanks Alex! My back tyre is flat.');
    await visible(transcript(page).getByText('Thanks Alex! My back tyre is flat.'));
    await gone(page.getByText(`${ada.name} is typing…`));

    // Canned responses: `/rep` + Enter, then `/thanks` + Tab, in one message.
    await box.pressSequentially('/rep');
    const canned = page.getByRole('listbox', { name: 'Canned responses' });
    await visible(canned.getByRole('option', { name: /\/repair/ }));
    await box.press('Enter');
    const repair =
      'I can book your bike in for a repair: which day suits you, and what needs fixing?';
    expect(await box.inputValue()).toBe(repair);
    await box.pressSequentially(' /than');
    await visible(canned.getByRole('option', { name: /\/thanks/ }));
    await box.press('Tab');
    const both = `${repair} Thanks for writing to us, and have a lovely day!`;
    expect(await box.inputValue()).toBe(both);
    await page.getByRole('button', { name: 'Send' }).click();
    seen = await ada.until((l) => l.some((x) => x.what === `HUMAN: ${both}`));
    expect(seqOf(seen, `HUMAN: ${both}`)).toBeGreaterThan(first);

    // Release: back to the bot, which answers the next message.
    await page.getByRole('button', { name: 'Release to bot' }).click();
    await gone(rowOf(page, ada.name));
    await visible(page.getByText(`Released to the bot: ${ada.name}.`));
    seen = await ada.until((l) => l.some((x) => x.what === 'REPRESENTATIVE_LEFT HUMAN'));
    const left = seqOf(seen, 'REPRESENTATIVE_LEFT HUMAN');
    await ada.say('What are your opening hours?');
    seen = await ada.until((l) => l.some((x) => x.seq > left && x.what.startsWith('BOT: ')));
    expect(seen.filter((x) => x.seq > left && x.what.startsWith('HUMAN: '))).toEqual([]);
  });

  it('an agent of another brand never sees the conversation, and cannot reach it', async () => {
    const robin = await agentPage(DEV_AGENT_2_TOKEN);
    const mine = velo('Vera Velo');
    const theirs = new Customer(stack, { agent: SECOND_SAMPLE_AGENT, name: 'Harriet Harbour' });
    await showQueue(alex.page);
    await Promise.all([mine.askForPerson(), theirs.askForPerson()]);
    await visible(rowOf(alex.page, mine.name));
    await visible(rowOf(robin.page, theirs.name));
    // Both have had the same live updates; each sees only their brand.
    expect(await rowOf(robin.page, mine.name).count()).toBe(0);
    expect(await rowOf(alex.page, theirs.name).count()).toBe(0);
    expect(await conversations(robin.page).getByText('Vélo Café').count()).toBe(0);
    expect(await robin.page.getByText(mine.name).count()).toBe(0);

    const base = new URL(api);
    const get = await robin.page.request.get(new URL(`conversations/${mine.id}`, base).toString());
    expect(get.status()).toBe(404);
    const claim = await robin.page.request.post(
      new URL(`conversations/${mine.id}/claim`, base).toString(),
      { headers: { 'X-BM-Console': '1' }, data: {} },
    );
    expect(claim.status()).toBe(404);
    // And the brand's own agent can.
    const own = await alex.page.request.get(new URL(`conversations/${mine.id}`, base).toString());
    expect(own.status()).toBe(200);
  });

  it('two agents click Claim at once: exactly one wins, and the other is told who', async () => {
    const sam = await agentPage(DEV_AGENT_3_TOKEN);
    const race = velo('Rita Race');
    await showQueue(alex.page);
    await race.askForPerson();
    const buttons = [alex, sam].map((a) =>
      rowOf(a.page, race.name).getByRole('button', { name: 'Claim' }),
    );
    await Promise.all(buttons.map((b) => visible(b)));
    await Promise.all(buttons.map((b) => b.click()));

    const alerts = () =>
      Promise.all(
        [alex, sam].map(async (a) =>
          ((await a.page.getByRole('alert').textContent()) ?? '').trim(),
        ),
      );
    const [alexAlert, samAlert] = await eventually(
      alerts,
      (texts) => texts.filter((t) => t.includes('Taken by')).length === 1,
      'one agent told the conversation was taken',
      120_000,
    );
    const alexWon = samAlert?.includes('Taken by') ?? false;
    const [winner, loser] = alexWon ? [alex, sam] : [sam, alex];
    expect(alexWon ? samAlert : alexAlert).toContain(
      `Taken by ${alexWon ? 'Alex (dev)' : 'Sam (dev)'}`,
    );
    // The loser's row is gone; the winner holds it.
    await gone(rowOf(loser.page, race.name));
    await eventually(
      () => selectedTab(winner.page),
      (t) => t === 'Mine',
      'winner on Mine',
    );
    await visible(rowOf(winner.page, race.name));
    const held = await stack.agentApi('GET', `/conversations/${race.id}`);
    expect(held.json).toMatchObject({
      conversation: {
        state: 'with_agent',
        assignee: { agentId: alexWon ? 'dev-alex' : 'dev-sam' },
      },
    });
    await winner.page.getByRole('button', { name: 'Release to bot' }).click();
    await gone(rowOf(winner.page, race.name));
    await loser.page.getByRole('alert').getByRole('button').click();
  });

  it('when the stream is cut it says Reconnecting…, and afterwards nothing sent meanwhile is missing', async () => {
    const { page } = alex;
    const gap = velo('Gabriel Gap');
    await showQueue(page);
    await gap.askForPerson();
    await visible(rowOf(page, gap.name));
    await rowOf(page, gap.name).getByRole('button').first().click();
    await visible(transcript(page).getByText(`${gap.name} asked for a person`));

    // The server ends every stream after SSE_MAX_MS; keep the console from getting back in.
    await page.route('**/events', (route) => route.abort());
    const status = page.getByRole('status');
    await eventually(
      () => status.textContent(),
      (t) => t === 'Reconnecting…',
      'reconnecting',
      SSE_MAX_MS + 20_000,
    );

    const newcomer = velo('Nora Newcomer');
    await gap.say('Are you still there? I sent this while you were away.');
    await newcomer.askForPerson();
    await gap.settled(2);
    await newcomer.settled(1);
    expect(await transcript(page).getByText('I sent this while you were away').count()).toBe(0);
    expect(await rowOf(page, newcomer.name).count()).toBe(0);

    await page.unroute('**/events');
    await eventually(
      () => status.textContent(),
      (t) => t === 'Live',
      'live again',
      30_000,
    );
    await visible(
      transcript(page).getByText('Are you still there? I sent this while you were away.'),
    );
    await visible(rowOf(page, newcomer.name));
    expect((await rowOf(page, gap.name).textContent()) ?? '').toContain('Are you still there?');
  });

  it('shows a customer’s HTML and script as text, and never runs it', async () => {
    // CSP off in this context: what keeps the text inert must be the rendering itself.
    const viewer = await agentPage(DEV_AGENT_TOKEN, { bypassCSP: true });
    const { page } = viewer;
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';
    const mallory = velo('Mallory <b>Bold</b>');
    await mallory.say(payload);
    await mallory.settled(1);
    await mallory.askForPerson();
    const row = rowOf(page, mallory.name);
    await visible(row);
    expect(await row.textContent()).toContain(payload);
    await row.getByRole('button').first().click();
    await visible(transcript(page).getByText(payload, { exact: true }));
    await visible(page.getByRole('heading', { name: mallory.name }));
    const state = await inPage(
      page,
      `({ xss: window.__xss, injectedImages: document.querySelectorAll('img[src="x"]').length,
          bold: document.querySelectorAll('b').length })`,
    );
    expect(state).toEqual({ xss: undefined, injectedImages: 0, bold: 0 });
  });

  it('an expired session signs in again over the page, and the draft is kept', async () => {
    const agent = await agentPage(DEV_AGENT_TOKEN);
    const { page, context } = agent;
    const eve = velo('Eve Expiry');
    await eve.askForPerson();
    await rowOf(page, eve.name).getByRole('button', { name: 'Claim' }).click();
    const box = composer(page);
    await visible(box);
    // The first keystroke starts the typing indicator. Its call must be answered before the
    // session ends: on a busy machine it would otherwise be the call that meets the 401, the
    // sign-in dialog would open first, and Enter would go to the dialog, not to the composer.
    const typingStarted = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/typing'),
    );
    await box.fill('A draft written before the session ended');
    expect((await typingStarted).status()).toBe(202);

    // The session ends (as when AGENT_SESSION_TTL_MS passes): the next call is a 401.
    await context.clearCookies();
    await box.press('Enter');
    const dialog = page.getByRole('dialog');
    await visible(dialog.getByRole('textbox', { name: 'Agent token' }));
    await visible(dialog.getByText('Your session has ended.', { exact: false }));
    expect(await box.inputValue()).toBe('A draft written before the session ended');
    expect(await seriousViolations(page)).toEqual([]);

    await dialog.getByRole('textbox', { name: 'Agent token' }).fill(DEV_AGENT_TOKEN);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await gone(dialog.getByRole('textbox', { name: 'Agent token' }));
    // The app carries on where it was: the message goes out.
    await eve.until((l) =>
      l.some((x) => x.what === 'HUMAN: A draft written before the session ended'),
    );
    await eventually(
      () => box.inputValue(),
      (v) => v === '',
      'draft sent',
    );

    // A draft survives a reload of the page too (sessionStorage, per conversation).
    await box.fill('Unsent words');
    await page.reload();
    await visible(rowOf(page, eve.name));
    await rowOf(page, eve.name).getByRole('button').first().click();
    await eventually(
      () => composer(page).inputValue(),
      (v) => v === 'Unsent words',
      'draft restored',
    );
    await composer(page).fill('');
    await page.getByRole('button', { name: 'Release to bot' }).click();
    await gone(rowOf(page, eve.name));
  });

  it('works from the keyboard alone: j to the conversation, c to claim, Enter to send, Tab to release, e to close with the survey', async () => {
    const agent = await agentPage(DEV_AGENT_TOKEN);
    const { page } = agent;
    const kim = velo('Kim Keys');
    const kai = velo('Kai Keys');
    await kim.askForPerson();
    await kai.askForPerson();
    await visible(rowOf(page, kim.name));
    await visible(rowOf(page, kai.name));
    await page.keyboard.press('Escape');
    await blur(page);
    for (let i = 0; i < 40 && (await openTitle(page)) !== kim.name; i++) {
      await page.keyboard.press('j');
    }
    expect(await openTitle(page)).toBe(kim.name);
    expect(await focusedName(page)).toContain(kim.name);
    await page.keyboard.press('c');
    await eventually(
      () => focusedName(page),
      (n) => n === 'Message',
      'composer focused after c',
    );
    await page.keyboard.type('Typed without a mouse.');
    await page.keyboard.press('Enter');
    await kim.until((l) => l.some((x) => x.what === 'HUMAN: Typed without a mouse.'));

    // Escape leaves the box, ? shows the help, Escape closes it.
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await visible(help);
    await page.keyboard.press('Escape');
    await eventually(
      () => help.isVisible(),
      (v) => !v,
      'help closed',
    );

    for (let i = 0; i < 12 && (await focusedName(page)) !== 'Release to bot'; i++) {
      await page.keyboard.press('Shift+Tab');
    }
    expect(await focusedName(page)).toBe('Release to bot');
    await page.keyboard.press('Enter');
    await kim.until((l) => l.some((x) => x.what === 'REPRESENTATIVE_LEFT HUMAN'));

    // The other one: back to the Queue tab (Shift+Tab to the tabs, then ←), j/k, c, then e
    // closes with the survey.
    for (let i = 0; i < 20 && (await focusedName(page)) !== 'Mine'; i++) {
      await page.keyboard.press('Shift+Tab');
    }
    expect(await focusedName(page)).toBe('Mine');
    await page.keyboard.press('ArrowLeft');
    expect(await selectedTab(page)).toBe('Queue');
    for (let i = 0; i < 40 && (await openTitle(page)) !== kai.name; i++) {
      await page.keyboard.press(i < 20 ? 'j' : 'k');
    }
    expect(await openTitle(page)).toBe(kai.name);
    await page.keyboard.press('c');
    await eventually(
      () => focusedName(page),
      (n) => n === 'Message',
      'composer focused',
    );
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    const close = page.getByRole('dialog', { name: /Close the conversation/ });
    await visible(close);
    await page.keyboard.press('Space'); // the survey checkbox has the focus
    for (let i = 0; i < 4 && (await focusedName(page)) !== 'Yes, close it'; i++) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await eventually(
      async () => (await kai.seen(0, 1)).surveys.length,
      (n) => n === 1,
      'survey',
      30_000,
    );
    await gone(rowOf(page, kai.name));
  });

  it('says what went wrong in words when the API fails, and carries on', async () => {
    const { page } = alex;
    const olga = velo('Olga Outage');
    await showQueue(page);
    await olga.askForPerson();
    const row = rowOf(page, olga.name);
    await visible(row);
    const alert = page.getByRole('alert');

    await page.route('**/conversations/*/claim', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        headers: { 'Retry-After': '1' },
        body: JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'try again' } }),
      }),
    );
    await row.getByRole('button', { name: 'Claim' }).click();
    await eventually(
      async () => (await alert.textContent()) ?? '',
      (t) => t.includes('The service is busy. Try again in a moment.'),
      'busy said in words',
    );
    await page.unroute('**/conversations/*/claim');

    await page.route(`**/conversations/${olga.id}?*`, (route) => route.abort('connectionrefused'));
    await row.getByRole('button').first().click();
    await eventually(
      async () => (await alert.textContent()) ?? '',
      (t) => t.includes('The server cannot be reached.'),
      'no connection said in words',
    );
    await page.unroute(`**/conversations/${olga.id}?*`);

    // Still a working page: the claim goes through now.
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await row.getByRole('button', { name: 'Claim' }).click();
    await eventually(
      () => selectedTab(page),
      (t) => t === 'Mine',
      'claimed after the outage',
    );
    await page.getByRole('button', { name: 'Release to bot' }).click();
    await gone(rowOf(page, olga.name));
  });

  it('counts unread messages in the row and the title', async () => {
    const { page } = alex;
    const una = velo('Una Unread');
    await showQueue(page);
    await una.askForPerson();
    const row = rowOf(page, una.name);
    await visible(row);
    await una.say('One more thing');
    await una.say('And another');
    await eventually(
      async () => (await row.locator('.badge').textContent()) ?? '',
      (t) => t === '2',
      'two unread',
    );
    const counted = await inPage<number>(
      page,
      `Number(document.querySelector('[role="tab"][aria-label="Queue"] .tab__count').dataset.count) +
       [...document.querySelectorAll('.badge')].reduce((n, b) => n + (Number(b.textContent) || 0), 0)`,
    );
    expect(await page.title()).toBe(`(${counted}) Agent console`);
    await row.getByRole('button').first().click();
    await eventually(
      async () => await row.locator('.badge').isVisible(),
      (v) => !v,
      'read',
    );
  });

  it('lays out at 1280×800 and 768×1024, in English and French, with rich cards, and passes axe', async () => {
    const { page } = alex;
    const rich = velo('Jeanne Martin');
    await showQueue(page);
    await rich.say('Where are you?');
    await rich.settled(1);
    await rich.say('What are your prices?');
    await rich.settled(2);
    await rich.askForPerson();
    const row = rowOf(page, rich.name);
    await visible(row);

    // Oldest first: the newest queued conversation is the last row.
    const names = await inPage<string[]>(
      page,
      `[...document.querySelectorAll('[aria-label="Conversations"] > li')].map((li) => li.getAttribute('aria-label'))`,
    );
    expect(names.at(-1)).toMatch(new RegExp(`^${rich.name},`));
    await blur(page);
    await live(page);
    await screenshot(page, 'inbox.png');
    expect(await seriousViolations(page)).toEqual([]);

    await row.getByRole('button', { name: 'Claim' }).click();
    const log = transcript(page);
    await visible(log.getByText('Bike rental'));
    await visible(log.getByText('Vélo Café, 12 quai de Valmy, Paris'));
    await visible(log.getByText('Alex (dev) joined'), 30_000);
    expect(await seriousViolations(page)).toEqual([]);
    // As the agent sees it on claiming: the end of the log, with the bot's carousel.
    await inPage(page, `void (document.querySelector('[role="log"]').scrollTop = 1e6)`);
    await live(page);
    await screenshot(page, 'transcript-rich-card.png');
    expect(await pageOverflow(page)).toMatchObject({ scrollWidth: 1280 });

    await page.setViewportSize({ width: 768, height: 1024 });
    const overflow = await pageOverflow(page);
    expect(overflow.scrollWidth).toBeLessThanOrEqual(overflow.innerWidth);
    for (const locator of [conversations(page), log, composer(page)]) {
      const box = await locator.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 768).toBe(true);
    }
    await live(page);
    await screenshot(page, 'tablet.png');

    // French words, same accessible names.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await visible(page.getByRole('tab', { name: 'Queue' }).getByText('File d’attente'));
    await visible(
      page.getByRole('button', { name: 'Release to bot' }).getByText('Rendre au robot'),
    );
    await visible(page.getByRole('log', { name: 'Transcript' }));
    await visible(page.getByRole('textbox', { name: 'Message' }));
    expect(await page.getByRole('status').textContent()).toMatch(/^(En direct|Reconnexion…)$/);
    expect(await inPage(page, 'document.documentElement.lang')).toBe('fr');
    expect(await seriousViolations(page, { stableEnglishNames: true })).toEqual([]);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('en');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
