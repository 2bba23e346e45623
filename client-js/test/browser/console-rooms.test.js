// Browser test: the debug console (headless Debian chromium, playwright-core, the real local gateway) shows
// presence (a user joining the room, "Who is here") and recovery (after a server-side close, the subscription of a
// channel with history is restored with recovered: true).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.js';
import { RealtimeClient } from '../../src/index.js';
import {
  startGateway,
  listConnections,
  deleteConnection,
  mintToken,
  poll,
  assertServesCurrentSources,
} from '../support/gateway.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const ROOM = 'sales.order.SO-CONSOLE';

/** @type {import('../support/gateway.js').Gateway} */
let gw;
/** @type {import('playwright-core').BrowserContext | undefined} */
let context;
/** @type {{ close: () => Promise<void> } | undefined} */
let browser;
/** @type {string[]} */
const pageErrors = [];

describe('debug console in chromium: presence and recovery', { timeout: 100_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(join(ARTIFACTS, 'console-rooms-failure.png'), { force: true });
    gw = await startGateway();
    await assertServesCurrentSources(gw);
    browser = await launchChromium('console-rooms');
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    if (gw) await gw.stop();
  });

  test('presence and recovery are shown', async () => {
    const page = await /** @type {import('playwright-core').BrowserContext} */ (context).newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    const bob = new RealtimeClient({
      url: gw.ws,
      logger: null,
      token: () => mintToken(gw, { sub: 'console-bob', roles: 'sales:read' }),
    });
    try {
      await page.goto(gw.console);
      await page.waitForSelector('#state[data-state="open"]', { timeout: 15_000 });
      await page.fill('#subscribe-channel', ROOM);
      await page.click('#subscribe-btn');
      const row = `#subscriptions li[data-channel="${ROOM}"]`;
      await page.waitForSelector(`${row}[data-state="subscribed"]`, { timeout: 10_000 });
      await page.waitForSelector(`${row} .offset`, { timeout: 10_000 });

      // presence: bob joins the room; the console logs it, and "Who is here" lists both
      await bob.connect();
      await bob.subscribe(ROOM, () => {}).ready;
      await page.waitForSelector('#events li[data-presence="join"] >> text=console-bob joined', {
        timeout: 10_000,
      });
      await page.click(`${row} button.presence`);
      const members = await page.waitForSelector('#events li[data-presence="members"]', { timeout: 10_000 });
      const text = (await members.textContent()) ?? '';
      assert.match(text, /console-bob \(1 connection\)/);
      assert.match(text, /alice \(1 connection\)/);

      // recovery: close the browser's connection server-side; the console resubscribes and shows "recovered"
      const mine = await poll(
        async () =>
          (await listConnections(gw)).find((c) => c.userId === 'alice' && c.channels.includes(ROOM)),
        5000,
        "the console's connection",
      );
      await deleteConnection(gw, mine.connectionId);
      await page.waitForSelector(`${row}[data-recovered="true"]`, { timeout: 15_000 });
      assert.match((await page.textContent(row)) ?? '', /recovered/);
      await page.screenshot({ path: join(ARTIFACTS, 'console-rooms.png'), fullPage: true });
      assert.deepEqual(
        pageErrors.filter((e) => !/WebSocket connection to .* failed/.test(e)),
        [],
      );
    } catch (e) {
      await page
        .screenshot({ path: join(ARTIFACTS, 'console-rooms-failure.png'), fullPage: true })
        .catch(() => {});
      throw e;
    } finally {
      bob.close();
      await page.close();
    }
  });
});
