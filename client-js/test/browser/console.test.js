// Browser test: Debian chromium, driven by playwright-core, opens the debug console served by the real
// local gateway, subscribes, publishes a sample ERP event and checks that the event is rendered; then
// closes the connection server-side and checks the console reconnects and resubscribes.
// Screenshots go to client-js/test-artifacts/ (git-ignored).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/browser.js';
import { startGateway, listConnections, poll, assertServesCurrentSources } from '../support/gateway.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CH = 'inventory.warehouse.WH-1';

/** @type {import('../support/gateway.js').Gateway} */
let gw;
/** @type {import('playwright-core').BrowserContext | undefined} */
let context;
/** @type {{ close: () => Promise<void> } | undefined} */
let browser;
/** @type {string[]} */
const pageErrors = [];

describe('debug console in chromium', { timeout: 100_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rmSync(join(ARTIFACTS, 'console-failure.png'), { force: true });
    gw = await startGateway();
    await assertServesCurrentSources(gw);
    browser = await launchChromium('console');
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    if (gw) await gw.stop();
  });

  test('subscribe, publish a sample event, see it rendered; survive a server-side close', async () => {
    const page = await /** @type {import('playwright-core').BrowserContext} */ (context).newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console.error: ${m.text()}`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`);
    });
    try {
      await page.goto(gw.console);
      await page.waitForSelector('#state[data-state="open"]', { timeout: 15_000 });

      // subscribe
      await page.fill('#subscribe-channel', CH);
      await page.click('#subscribe-btn');
      await page.waitForSelector(`#subscriptions li[data-channel="${CH}"][data-state="subscribed"]`, {
        timeout: 10_000,
      });

      // publish the StockLevelChanged sample with a marker value
      const option = await page.$$eval('#publish-event option', (opts) =>
        opts.find((o) => o.textContent?.startsWith('StockLevelChanged'))?.getAttribute('value'),
      );
      assert.ok(option, 'the picker offers StockLevelChanged (from /local/info)');
      await page.selectOption('#publish-event', option);
      const example = JSON.parse(await page.inputValue('#publish-detail'));
      assert.equal(example.warehouseId, 'WH-1', 'the catalog example targets WH-1');
      const marker = 30_000 + Math.floor(Math.random() * 9000);
      await page.fill(
        '#publish-detail',
        JSON.stringify({ ...example, tenantId: 'acme', warehouseId: 'WH-1', onHand: marker }, null, 2),
      );
      await page.click('#publish-btn');
      const published = await page.waitForSelector('#publish-result.ok', { timeout: 10_000 });
      const eventId = await published.getAttribute('data-event-id');
      assert.ok(eventId, 'PutEvents returned an EventId');

      // the event is rendered with its envelope
      const item = await page.waitForSelector(`#events li.event[data-event-id="${eventId}"]`, {
        timeout: 10_000,
      });
      const envelope = JSON.parse((await item.$eval('pre', (pre) => pre.textContent)) ?? '{}');
      assert.equal(envelope.type, 'event');
      assert.equal(envelope.channel, CH);
      assert.equal(envelope.eventType, 'StockLevelChanged');
      assert.equal(envelope.source, 'pyerp.inventory');
      assert.equal(envelope.eventId, eventId);
      assert.equal(envelope.data.onHand, marker);
      assert.match((await page.textContent(`#subscriptions li[data-channel="${CH}"]`)) ?? '', /1 ev/);
      await page.screenshot({ path: join(ARTIFACTS, 'console-event.png'), fullPage: true });

      // close the browser's connection server-side: the console reconnects and resubscribes
      const before = (await listConnections(gw)).filter((c) => c.userId === 'alice');
      assert.equal(before.length, 1, 'one browser connection for alice');
      await page.click('#connections-refresh');
      await page.click('#connections li button');
      await page.waitForSelector('#events li.lifecycle >> text=resubscribed', { timeout: 15_000 });
      await page.waitForSelector('#state[data-state="open"]');
      const after = await poll(
        async () => {
          const list = (await listConnections(gw)).filter((c) => c.userId === 'alice');
          return list.length === 1 && list[0].connectionId !== before[0].connectionId ? list : null;
        },
        5000,
        'the new browser connection',
      );
      assert.deepEqual(after[0].channels, [CH]);
      await page.screenshot({ path: join(ARTIFACTS, 'console-reconnected.png'), fullPage: true });

      // the page itself must not have thrown or logged errors
      assert.deepEqual(
        pageErrors.filter((e) => !/WebSocket connection to .* failed/.test(e)),
        [],
      );
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, 'console-failure.png'), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await page.close();
    }
  });

  test('in the browser a refused handshake (only close 1006 is visible) ends in closed/handshake-refused', async () => {
    const page = await /** @type {import('playwright-core').BrowserContext} */ (context).newPage();
    try {
      await page.goto(gw.console);
      await page.waitForSelector('#state[data-state="open"]', { timeout: 15_000 });
      const result = await page.evaluate(async () => {
        const { RealtimeClient } = await import('/client/index.js');
        const info = await (await fetch('/local/info')).json();
        const { token } = await (await fetch('/local/token?sub=mallory&tenant=acme')).json();
        const [h, p, s] = token.split('.');
        const forged = `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
        let attempts = 0;
        /** @type {string[]} */
        const closes = [];
        const client = new RealtimeClient({
          url: `ws://${location.host}/${info.stage}`,
          token: () => {
            attempts++;
            return forged;
          },
          minDelay: 50,
          maxDelay: 200,
          logger: null,
        });
        client.on('disconnected', (/** @type {any} */ d) => closes.push(`${d.code}/${d.opened}`));
        const error = await client.connect().then(
          () => null,
          (/** @type {any} */ e) => e.code,
        );
        await new Promise((r) => setTimeout(r, 1000));
        return {
          error,
          attempts,
          closes,
          state: client.state,
          closeInfo: { ...client.closeInfo, error: undefined },
        };
      });
      assert.equal(result.error, 'UNAUTHORIZED');
      assert.equal(result.state, 'closed');
      assert.equal(result.closeInfo.reason, 'handshake-refused');
      assert.equal(result.closeInfo.closeCode, 1006, 'the browser only sees 1006');
      assert.equal(result.attempts, 3, 'maxHandshakeFailures attempts, then no retry loop');
      assert.deepEqual(result.closes, ['1006/false', '1006/false', '1006/false']);
    } finally {
      await page.close();
    }
  });
});
