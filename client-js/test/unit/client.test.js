// Unit tests of RealtimeClient with an injected WebSocket (the test plays the server) and a manual clock.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeClient, RealtimeError, State, MAX_FRAME_BYTES } from '../../src/index.js';
import { fakeWebSocketClass, FakeClock, fakeJwt, flush } from '../support/fakes.js';

const TOKEN = fakeJwt({ sub: 'alice', tenant: 'acme', exp: Date.UTC(2030, 0, 1) / 1000 });
const CH = 'inventory.warehouse.WH-1';

/** @param {object} [overrides] */
function setup(overrides = {}) {
  const WS = fakeWebSocketClass();
  const clock = new FakeClock();
  /** @type {string[]} */
  const probes = [];
  const client = new RealtimeClient({
    url: 'ws://gateway.test/local',
    token: TOKEN,
    WebSocket: WS,
    timers: clock,
    random: () => 0.5,
    fetch: async (/** @type {string} */ url) => {
      probes.push(url);
      return { status: 426 };
    },
    logger: null,
    environment: null,
    ...overrides,
  });
  /** @type {any[]} */
  const log = [];
  for (const e of [
    'state',
    'reconnecting',
    'closed',
    'subscribed',
    'unsubscribed',
    'subscriptionError',
    'error',
    'event',
    'recycled',
    'handlerError',
    'disconnected',
  ]) {
    client.on(e, (/** @type {any} */ p) => log.push([e, p]));
  }
  const states = () => log.filter(([e]) => e === 'state').map(([, p]) => p.state);
  return { client, WS, clock, probes, log, states };
}

/** connect() and open the socket; returns the socket. @param {ReturnType<typeof setup>} t */
async function connected(t) {
  const opened = t.client.connect();
  await flush();
  const ws = t.WS.instances.at(-1);
  ws.accept();
  await opened;
  return ws;
}

describe('options', () => {
  test('bad options are refused with a message naming the option', () => {
    const WS = fakeWebSocketClass();
    assert.throws(() => new RealtimeClient(/** @type {any} */ (null)), /options object is required/);
    assert.throws(
      () => new RealtimeClient({ url: 'http://x/local', token: 'a.b.c', WebSocket: WS }),
      /must use ws: or wss:/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'not a url', token: 'a.b.c', WebSocket: WS }),
      /options.url must be an absolute ws/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'ws://x/local#a', token: 'a.b.c', WebSocket: WS }),
      /fragment/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'ws://x/local', token: '', WebSocket: WS }),
      /options.token must be a non-empty JWT/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'ws://x/local', token: 'has space', WebSocket: WS }),
      /options.token/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'ws://x/local', token: /** @type {any} */ (42), WebSocket: WS }),
      /string or a function/,
    );
    assert.throws(
      () =>
        new RealtimeClient({ url: 'ws://x/local', token: 'a.b.c', WebSocket: /** @type {any} */ ('nope') }),
      /no WebSocket implementation/,
    );
    assert.throws(
      () =>
        new RealtimeClient({
          url: 'ws://x/local',
          token: 'a.b.c',
          WebSocket: WS,
          maxDelay: 10,
          minDelay: 100,
        }),
      /maxDelay must be/,
    );
    assert.throws(
      () => new RealtimeClient({ url: 'ws://x/local', token: 'a.b.c', WebSocket: WS, pingInterval: 0 }),
      /options.pingInterval/,
    );
    assert.throws(
      () =>
        new RealtimeClient({ url: 'ws://x/local', token: 'a.b.c', WebSocket: WS, maxHandshakeFailures: 0 }),
      /maxHandshakeFailures/,
    );
  });

  test('documented defaults are in force', () => {
    const { client } = setup();
    const o = client.options;
    assert.equal(o.minDelay, 500);
    assert.equal(o.maxDelay, 30_000);
    assert.equal(o.factor, 2);
    assert.equal(o.maxReconnectAttempts, Infinity);
    assert.equal(o.maxHandshakeFailures, 3);
    assert.equal(o.pingInterval, 120_000);
    assert.equal(o.pongTimeout, 15_000);
    assert.equal(o.maxConnectionAge, 110 * 60_000);
    assert.equal(/** @type {any} */ (o).token, undefined, 'options never expose the token');
  });
});

describe('connecting', () => {
  test('idle → connecting → open, the token travels in Sec-WebSocket-Protocol next to erp.v1', async () => {
    const t = setup();
    assert.equal(t.client.state, State.IDLE);
    const opened = t.client.connect();
    assert.equal(t.client.state, 'connecting');
    await flush();
    const ws = t.WS.instances[0];
    assert.equal(ws.url, 'ws://gateway.test/local');
    assert.deepEqual(ws.protocols, ['erp.v1', TOKEN]);
    ws.accept('erp.v1');
    await opened;
    assert.equal(t.client.state, 'open');
    assert.deepEqual(t.states(), ['connecting', 'open']);
    assert.equal(t.log.find(([e, p]) => e === 'state' && p.state === 'open')[1].previous, 'connecting');
    t.client.close();
  });

  test('a token function is called again on every (re)connect', async () => {
    let calls = 0;
    const t = setup({ token: async () => fakeJwt({ n: ++calls, exp: 1e10 }) });
    const ws1 = await connected(t);
    assert.equal(calls, 1);
    ws1.serverClose(1001, 'going away');
    await t.clock.advance(250); // backoff(0) with random 0.5 = 250 ms
    assert.equal(calls, 2);
    assert.equal(t.WS.instances.length, 2);
    assert.deepEqual(t.WS.instances[1].protocols, ['erp.v1', fakeJwt({ n: 2, exp: 1e10 })]);
    t.client.close();
  });

  test('commands sent while connecting are queued and sent in order once open', async () => {
    const t = setup();
    t.client.connect();
    const unsub = t.client.subscribe(CH, () => {});
    const pong = t.client.ping();
    const reply = t.client.command('whoami', { x: 1 });
    await flush();
    const ws = t.WS.instances[0];
    assert.deepEqual(ws.sent, [], 'nothing is sent before open');
    ws.accept();
    await flush();
    assert.deepEqual(
      ws.sent.map((f) => f.action),
      ['subscribe', 'ping', 'whoami'],
    );
    assert.equal(ws.sent[2].x, 1);
    ws.receive({ type: 'ack', id: ws.sent[0].id, action: 'subscribe', channel: CH });
    ws.receive({ type: 'pong', id: ws.sent[1].id, time: '2026-11-25T10:00:00Z' });
    ws.receive({ type: 'error', id: ws.sent[2].id, code: 'UNKNOWN_ACTION', message: 'no route whoami' });
    await unsub.ready;
    assert.equal((await pong).time, '2026-11-25T10:00:00Z');
    await assert.rejects(
      reply,
      (/** @type {any} */ e) =>
        e instanceof RealtimeError &&
        e.code === 'UNKNOWN_ACTION' &&
        e.number === 4402 &&
        e.message === 'no route whoami',
    );
    t.client.close();
  });

  test('a socket that never opens is retried after connectTimeout, not counted as a refusal', async () => {
    const t = setup({ connectTimeout: 1000, maxHandshakeFailures: 1 });
    t.client.connect();
    await flush();
    await t.clock.advance(1000);
    assert.deepEqual(t.WS.instances[0].closedByClient, { code: 4001, reason: 'connect-timeout' });
    assert.equal(t.client.state, 'reconnecting');
    assert.equal(t.log.find(([e]) => e === 'reconnecting')[1].reason, 'connect-timeout');
    assert.equal(t.probes.length, 0);
    await t.clock.advance(250);
    assert.equal(t.WS.instances.length, 2);
    t.client.close();
  });

  test('a server that selects another subprotocol (e.g. echoes the token) is refused', async () => {
    const t = setup();
    const opened = t.client.connect();
    await flush();
    t.WS.instances[0].accept(TOKEN);
    await assert.rejects(opened, (/** @type {any} */ e) => e.code === 'PROTOCOL_MISMATCH');
    assert.equal(t.client.state, 'closed');
    assert.equal(t.client.closeInfo?.reason, 'protocol-mismatch');
  });
});

describe('reconnecting', () => {
  test('after a server close: reconnecting with backoff, then open, subscriptions restored', async () => {
    const t = setup();
    const events = [];
    const unsub = t.client.subscribe(CH, (e) => events.push(e.eventId));
    const ws1 = await connected(t);
    ws1.replyAll();
    await unsub.ready;
    const pendingPing = t.client.ping();
    ws1.serverClose(1000, 'deleted through @connections');
    await assert.rejects(pendingPing, (/** @type {any} */ e) => e.code === 'CONNECTION_LOST');
    assert.equal(t.client.state, 'reconnecting');
    const r = t.log.find(([e]) => e === 'reconnecting')[1];
    assert.deepEqual(
      { reason: r.reason, attempt: r.attempt, delay: r.delay, code: r.code },
      { reason: 'connection-lost', attempt: 1, delay: 250, code: 1000 },
    );
    assert.equal(t.client.subscriptions[0].state, 'pending');
    await t.clock.advance(249);
    assert.equal(t.WS.instances.length, 1, 'waits for the backoff delay');
    await t.clock.advance(1);
    const ws2 = t.WS.instances[1];
    ws2.accept();
    await flush();
    assert.equal(t.client.state, 'open');
    assert.deepEqual(
      ws2.sent.map((f) => [f.action, f.channel]),
      [['subscribe', CH]],
    );
    ws2.replyAll();
    await flush();
    assert.deepEqual(
      t.log.filter(([e]) => e === 'subscribed').map(([, p]) => p),
      [
        { channel: CH, restored: false },
        { channel: CH, restored: true },
      ],
    );
    ws2.receive({ type: 'event', channel: CH, eventType: 'StockLevelChanged', eventId: 'e1', data: {} });
    assert.deepEqual(events, ['e1']);
    assert.deepEqual(t.states(), ['connecting', 'open', 'reconnecting', 'open']);
    assert.equal(
      t.log.find(([e, p]) => e === 'state' && p.state === 'open' && p.previous === 'reconnecting')[1].reason,
      'reconnected',
    );
    t.client.close();
  });

  test('delays grow with full jitter while the server is unreachable, and max attempts closes', async () => {
    const t = setup({
      maxReconnectAttempts: 4,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    t.client.connect();
    await flush();
    for (let i = 0; i < 5; i++) {
      t.WS.instances.at(-1).failHandshake();
      await flush();
      const last = t.log.filter(([e]) => e === 'reconnecting').at(-1);
      if (last) await t.clock.advance(last[1].delay); // exactly the backoff: no connect timeout in between
    }
    const delays = t.log.filter(([e]) => e === 'reconnecting').map(([, p]) => [p.reason, p.attempt, p.delay]);
    assert.deepEqual(delays, [
      ['unreachable', 1, 250],
      ['unreachable', 2, 500],
      ['unreachable', 3, 1000],
      ['unreachable', 4, 2000],
    ]);
    assert.equal(t.client.state, 'closed');
    assert.equal(t.client.closeInfo?.reason, 'max-attempts');
    assert.equal(t.WS.instances.length, 5);
    assert.equal(t.client.pendingTimers, 0);
  });

  test('a socket that stayed open 10 s starts the backoff afresh; a flapping one keeps growing it', async () => {
    const t = setup();
    const ws1 = await connected(t);
    ws1.serverClose(1006);
    await t.clock.advance(250);
    t.WS.instances[1].accept();
    await flush();
    t.WS.instances[1].serverClose(1006); // flapping: open for 0 ms
    await flush();
    assert.equal(t.log.filter(([e]) => e === 'reconnecting').at(-1)[1].delay, 500);
    await t.clock.advance(500);
    t.WS.instances[2].accept();
    await t.clock.advance(10_000);
    t.WS.instances[2].serverClose(1006);
    await flush();
    assert.equal(t.log.filter(([e]) => e === 'reconnecting').at(-1)[1].delay, 250);
    t.client.close();
  });

  test('refused handshakes while the server answers HTTP: closed handshake-refused after maxHandshakeFailures, no retry loop', async () => {
    const t = setup();
    const opened = t.client.connect();
    await flush();
    for (let i = 0; i < 3; i++) {
      t.WS.instances.at(-1).failHandshake();
      await t.clock.advance(5000);
    }
    await assert.rejects(opened, (/** @type {any} */ e) => e.code === 'UNAUTHORIZED' && e.number === 401);
    assert.equal(t.client.state, 'closed');
    assert.equal(t.client.closeInfo?.reason, 'handshake-refused');
    assert.equal(t.client.closeInfo?.code, 'UNAUTHORIZED');
    assert.equal(t.client.closeInfo?.closeCode, 1006);
    assert.deepEqual(t.probes, [
      'http://gateway.test/local',
      'http://gateway.test/local',
      'http://gateway.test/local',
    ]);
    await t.clock.advance(3_600_000);
    assert.equal(t.WS.instances.length, 3, 'no further attempt');
    assert.equal(t.client.pendingTimers, 0);
    assert.deepEqual(t.states(), ['connecting', 'reconnecting', 'closed']);
  });

  test('an error event without a close event (node 20 undici) is a failed handshake too', async () => {
    const t = setup({ maxHandshakeFailures: 2 });
    const opened = t.client.connect();
    await flush();
    t.WS.instances[0].errorOnly();
    await t.clock.advance(250);
    t.WS.instances[1].errorOnly();
    await assert.rejects(opened, (/** @type {any} */ e) => e.code === 'UNAUTHORIZED');
    assert.equal(t.client.closeInfo?.reason, 'handshake-refused');
    assert.equal(t.client.closeInfo?.closeCode, 1006);
  });

  test('an expired token refused at the handshake closes at once with token-expired', async () => {
    const expired = fakeJwt({ sub: 'alice', exp: Date.UTC(2026, 10, 25, 9, 0, 0) / 1000 });
    const t = setup({ token: expired });
    const opened = t.client.connect();
    await flush();
    t.WS.instances[0].failHandshake();
    await assert.rejects(opened, /the token expired at 2026-11-25T09:00:00.000Z/);
    assert.equal(t.client.closeInfo?.reason, 'token-expired');
    assert.equal(t.client.closeInfo?.code, 'UNAUTHORIZED');
    assert.equal(t.WS.instances.length, 1);
  });

  test('a later connect() after a refusal starts over and keeps the subscriptions', async () => {
    const t = setup({ maxHandshakeFailures: 1 });
    t.client.subscribe(CH, () => {});
    const first = t.client.connect();
    await flush();
    t.WS.instances[0].failHandshake();
    await assert.rejects(first);
    const second = t.client.connect();
    await flush();
    t.WS.instances[1].accept();
    await second;
    assert.deepEqual(
      t.WS.instances[1].sent.map((f) => f.action),
      ['subscribe'],
    );
    t.client.close();
  });

  test('a closed listener may connect() again (e.g. after fetching a new token)', async () => {
    const t = setup({ maxHandshakeFailures: 1 });
    let again = null;
    t.client.once('closed', () => {
      again = t.client.connect();
    });
    const first = t.client.connect();
    await flush();
    t.WS.instances[0].failHandshake();
    await assert.rejects(first);
    assert.ok(again, 'connect() was called from the listener');
    assert.equal(t.client.state, 'connecting');
    await flush();
    t.WS.instances[1].accept();
    await again;
    assert.equal(t.client.state, 'open');
    t.client.close();
  });

  test('a token function that throws is retried with backoff; one returning a non-JWT closes invalid-token', async () => {
    let n = 0;
    const t = setup({
      token: async () => {
        if (++n === 1) throw new Error('IdP down');
        return n === 2 ? TOKEN : 42;
      },
    });
    t.client.connect();
    await flush();
    assert.equal(t.log.find(([e]) => e === 'error')[1].code, 'TOKEN_ERROR');
    assert.equal(t.client.state, 'reconnecting');
    await t.clock.advance(250);
    t.WS.instances[0].accept();
    await flush();
    assert.equal(t.client.state, 'open');
    t.WS.instances[0].serverClose(1006);
    await t.clock.advance(1000);
    assert.equal(t.client.state, 'closed');
    assert.equal(t.client.closeInfo?.reason, 'invalid-token');
    assert.equal(t.client.closeInfo?.code, 'TOKEN_ERROR');
  });

  test('the browser coming back online retries at once instead of waiting for the backoff', async () => {
    const env = new EventTarget();
    const t = setup({
      environment: env,
      fetch: async () => {
        throw new TypeError('offline');
      },
    });
    t.client.connect();
    await flush();
    t.WS.instances[0].failHandshake();
    await flush();
    await t.clock.advance(10);
    assert.equal(t.WS.instances.length, 1);
    env.dispatchEvent(new Event('online'));
    await flush();
    assert.equal(t.WS.instances.length, 2);
    t.client.close();
    env.dispatchEvent(new Event('online'));
    await flush();
    assert.equal(t.WS.instances.length, 2, 'the listener is removed by close()');
  });

  test('NOT_CONNECTED (keepsConnection false) makes the client reconnect and restore', async () => {
    const t = setup();
    t.client.subscribe(CH, () => {});
    const ws1 = await connected(t);
    ws1.receive({ type: 'error', id: ws1.sent[0].id, code: 'NOT_CONNECTED', message: 'gone' });
    await flush();
    assert.deepEqual(ws1.closedByClient, { code: 4000, reason: 'server error NOT_CONNECTED' });
    assert.equal(t.client.state, 'reconnecting');
    assert.equal(t.client.subscriptions[0].state, 'pending', 'kept for the next socket, not failed');
    await t.clock.advance(250);
    t.WS.instances[1].accept();
    await flush();
    assert.deepEqual(
      t.WS.instances[1].sent.map((f) => f.action),
      ['subscribe'],
    );
    t.client.close();
  });
});

describe('keepalive', () => {
  test('pings every pingInterval; a missing pong closes the dead socket and reconnects', async () => {
    const t = setup({ pingInterval: 60_000, pongTimeout: 5000 });
    const pongs = [];
    t.client.on('pong', (p) => pongs.push(p));
    const ws = await connected(t);
    await t.clock.advance(59_999);
    assert.equal(ws.sent.length, 0);
    await t.clock.advance(1);
    assert.equal(ws.sent.at(-1).action, 'ping');
    await t.clock.advance(40);
    ws.replyAll();
    await flush();
    assert.equal(pongs.length, 1);
    assert.equal(pongs[0].rtt, 40);
    await t.clock.advance(60_000);
    assert.equal(ws.sent.filter((f) => f.action === 'ping').length, 2);
    await t.clock.advance(5000);
    assert.deepEqual(ws.closedByClient, { code: 4000, reason: 'pong-timeout' });
    assert.equal(t.client.state, 'reconnecting');
    assert.equal(t.log.find(([e]) => e === 'reconnecting')[1].reason, 'pong-timeout');
    t.client.close();
  });

  test('replaces the connection at maxConnectionAge (make before break), no event lost or doubled', async () => {
    const t = setup({ maxConnectionAge: 600_000, pingInterval: 1_000_000 });
    const got = [];
    t.client.subscribe(CH, (e) => got.push(e.eventId));
    const ws1 = await connected(t);
    ws1.replyAll();
    await flush();
    await t.clock.advance(600_000);
    const ws2 = t.WS.instances[1];
    assert.ok(ws2, 'a second socket is opened');
    assert.equal(ws1.closedByClient, null, 'the old one stays until the new one holds the subscriptions');
    ws2.accept();
    await flush();
    assert.deepEqual(
      ws2.sent.map((f) => [f.action, f.channel]),
      [['subscribe', CH]],
    );
    const ev = (/** @type {string} */ id) => ({
      type: 'event',
      channel: CH,
      eventType: 'StockLevelChanged',
      eventId: id,
      data: {},
    });
    ws1.receive(ev('e1'));
    ws2.replyAll();
    await flush();
    ws2.receive(ev('e1')); // delivered on both sockets during the overlap
    ws1.receive(ev('e2')); // arrives late on the old one... it is closed now: dropped there
    ws2.receive(ev('e2'));
    assert.deepEqual(ws1.closedByClient, { code: 1000, reason: 'recycled' });
    assert.deepEqual(got, ['e1', 'e2']);
    assert.equal(t.client.state, 'open');
    assert.deepEqual(t.states(), ['connecting', 'open'], 'no state change while recycling');
    assert.equal(t.log.filter(([e]) => e === 'recycled').length, 1);
    await t.clock.advance(600_000);
    assert.equal(t.WS.instances.length, 3, 'the new socket is recycled in turn');
    t.client.close();
  });
});

describe('subscriptions and events', () => {
  test('a refused subscription rejects ready with the server code and is dropped', async () => {
    const t = setup();
    const ws = await connected(t);
    const unsub = t.client.subscribe('inventory.warehouse.WH-9', () => {});
    await flush();
    ws.receive({
      type: 'error',
      id: ws.sent[0].id,
      code: 'CHANNEL_FORBIDDEN',
      message: 'warehouse WH-9 not in scope',
    });
    await assert.rejects(
      unsub.ready,
      (/** @type {any} */ e) =>
        e.code === 'CHANNEL_FORBIDDEN' &&
        e.number === 4405 &&
        e.channel === 'inventory.warehouse.WH-9' &&
        e.action === 'subscribe',
    );
    assert.deepEqual(t.client.subscriptions, []);
    const se = t.log.find(([e]) => e === 'subscriptionError')[1];
    assert.equal(se.willRetry, false);
    assert.equal(t.client.state, 'open', 'the connection is kept');
    await unsub(); // harmless
    t.client.close();
  });

  test('transient subscribe errors are retried with backoff', async () => {
    const t = setup();
    const ws = await connected(t);
    const unsub = t.client.subscribe(CH, () => {});
    await flush();
    ws.receive({ type: 'error', id: ws.sent[0].id, code: 'REGISTRY_UNAVAILABLE' });
    await flush();
    assert.equal(t.log.find(([e]) => e === 'subscriptionError')[1].willRetry, true);
    await t.clock.advance(250);
    assert.equal(ws.sent.length, 2);
    ws.replyAll();
    await unsub.ready;
    t.client.close();
  });

  test('one server subscription per channel; unsubscribe is sent when the last handler goes', async () => {
    const t = setup();
    const ws = await connected(t);
    const a = t.client.subscribe(CH, () => {});
    const b = t.client.subscribe(CH, () => {});
    await flush();
    assert.equal(ws.sent.filter((f) => f.action === 'subscribe').length, 1);
    ws.replyAll();
    await Promise.all([a.ready, b.ready]);
    await a();
    assert.equal(ws.sent.length, 1);
    assert.equal(t.client.subscriptions[0].handlers, 1);
    const done = b();
    await flush();
    assert.deepEqual(ws.sent.at(-1), { action: 'unsubscribe', channel: CH, id: ws.sent.at(-1).id });
    assert.deepEqual(t.client.subscriptions, []);
    ws.replyAll();
    await done;
    t.client.close();
  });

  test('a subscribe acked after the handler was removed is undone on the server', async () => {
    const t = setup();
    const ws = await connected(t);
    const unsub = t.client.subscribe(CH, () => {});
    await flush();
    await unsub();
    ws.replyAll();
    await flush();
    assert.deepEqual(
      ws.sent.map((f) => f.action),
      ['subscribe', 'unsubscribe'],
    );
    t.client.close();
  });

  test('events reach channel handlers, event-type handlers and the event listener; a bad handler breaks nothing', async () => {
    const t = setup();
    const seen = [];
    t.client.subscribe(CH, () => {
      throw new Error('bad handler');
    });
    t.client.subscribe(CH, (e) => seen.push(['channel', e.eventId]));
    t.client.subscribe('sales.orders', (e) => seen.push(['sales', e.eventId]));
    const offType = t.client.onEventType('StockLevelChanged', (e) => seen.push(['type', e.eventId]));
    t.client.onEventType('*', (e) => seen.push(['any', e.eventId]));
    t.client.on('event', () => {
      throw new Error('bad listener');
    });
    t.client.on('event', (e) => seen.push(['listener', e.eventId]));
    const ws = await connected(t);
    ws.replyAll();
    await flush();
    const envelope = {
      type: 'event',
      channel: CH,
      eventType: 'StockLevelChanged',
      source: 'pyerp.inventory',
      eventId: 'e1',
      time: '2026-11-25T10:15:00Z',
      correlationId: 'corr-1',
      data: { sku: 'SKU-1001', onHand: 42 },
    };
    ws.receive(envelope);
    assert.deepEqual(seen, [
      ['channel', 'e1'],
      ['type', 'e1'],
      ['any', 'e1'],
      ['listener', 'e1'],
    ]);
    const errors = t.log
      .filter(([e]) => e === 'handlerError')
      .map(([, p]) => [p.channel ?? p.event, p.error.message]);
    assert.deepEqual(errors, [
      [CH, 'bad handler'],
      ['event', 'bad listener'],
    ]);
    assert.deepEqual(t.log.find(([e]) => e === 'event')?.[1], envelope, 'the whole envelope is passed on');
    offType();
    ws.receive({ ...envelope, eventId: 'e2' });
    assert.ok(!seen.some(([k, id]) => k === 'type' && id === 'e2'));
    t.client.close();
  });

  test('duplicates (same channel and eventId) are dropped; the same event on two channels is not', async () => {
    const t = setup();
    const seen = [];
    t.client.subscribe(CH, (e) => seen.push([e.channel, e.eventId]));
    t.client.subscribe('inventory.sku.SKU-1001', (e) => seen.push([e.channel, e.eventId]));
    const ws = await connected(t);
    const ev = { type: 'event', eventType: 'StockLevelChanged', eventId: 'e1', data: {} };
    ws.receive({ ...ev, channel: CH });
    ws.receive({ ...ev, channel: CH });
    ws.receive({ ...ev, channel: 'inventory.sku.SKU-1001' });
    assert.deepEqual(seen, [
      [CH, 'e1'],
      ['inventory.sku.SKU-1001', 'e1'],
    ]);
    t.client.close();
  });

  test('bad input is refused: malformed channel, missing handler, oversized frame, server garbage', async () => {
    const t = setup();
    assert.throws(
      () => t.client.subscribe('bad channel!', () => {}),
      (/** @type {any} */ e) => e.code === 'INVALID_CHANNEL' && e.number === 4403,
    );
    assert.throws(() => t.client.subscribe('a.b.c.d.e.f.g.h.i', () => {}), /at most 8/);
    assert.throws(() => t.client.subscribe(CH, /** @type {any} */ (null)), /handler must be a function/);
    assert.throws(() => t.client.command('subscribe'), /use client.subscribe/);
    const ws = await connected(t);
    await assert.rejects(
      t.client.command('echo', { blob: 'x'.repeat(MAX_FRAME_BYTES) }),
      (/** @type {any} */ e) => e.code === 'MESSAGE_TOO_BIG',
    );
    assert.equal(ws.sent.length, 0, 'the oversized frame was not sent');
    ws.receive('not json');
    ws.receive({ type: 'error', code: 'INTERNAL_ERROR', message: 'boom' });
    const errors = t.log.filter(([e]) => e === 'error').map(([, p]) => p.code);
    assert.deepEqual(errors, ['BAD_SERVER_FRAME', 'INTERNAL_ERROR']);
    assert.equal(t.client.state, 'open');
    t.client.close();
  });

  test('a command without reply rejects with COMMAND_TIMEOUT', async () => {
    const t = setup({ commandTimeout: 3000 });
    await connected(t);
    const reply = assert.rejects(
      t.client.command('slow'),
      (/** @type {any} */ e) => e.code === 'COMMAND_TIMEOUT',
    );
    await t.clock.advance(3000);
    await reply;
    t.client.close();
  });
});

describe('close()', () => {
  test('cleans up timers and listeners, rejects what waits, and never reconnects', async () => {
    const t = setup();
    const unsubAcked = t.client.subscribe(CH, () => {});
    const ws = await connected(t);
    ws.replyAll();
    await unsubAcked.ready;
    const pendingUnacked = t.client.subscribe('sales.orders', () => {});
    const ping = t.client.ping();
    assert.ok(t.client.pendingTimers > 0);
    let closedEvents = 0;
    t.client.on('closed', (p) => {
      closedEvents++;
      assert.equal(p.reason, 'client-close');
    });
    t.client.close();
    assert.equal(t.client.state, 'closed');
    assert.equal(closedEvents, 1);
    assert.deepEqual(ws.closedByClient, { code: 1000, reason: 'client closed' });
    assert.equal(ws.onmessage, null, 'socket listeners removed');
    assert.equal(ws.onclose, null);
    assert.equal(t.client.pendingTimers, 0);
    assert.equal(t.clock.pending, 0, 'no timer left on the clock');
    await assert.rejects(ping, (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED');
    await assert.rejects(pendingUnacked.ready, (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED');
    await assert.rejects(t.client.connect(), /create a new RealtimeClient/);
    await assert.rejects(t.client.ping(), (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED');
    assert.throws(() => t.client.subscribe(CH, () => {}), /create a new RealtimeClient/);
    const before = t.log.length;
    ws.serverClose(1006);
    await t.clock.advance(3_600_000);
    assert.equal(t.WS.instances.length, 1);
    assert.equal(t.log.length, before, 'listeners were removed: nothing is emitted after close');
    t.client.close(); // idempotent
  });

  test('close() while waiting for a reconnect cancels it', async () => {
    const t = setup();
    const ws = await connected(t);
    ws.serverClose(1006);
    await flush();
    assert.equal(t.client.state, 'reconnecting');
    t.client.close();
    assert.equal(t.clock.pending, 0);
    await t.clock.advance(60_000);
    assert.equal(t.WS.instances.length, 1);
  });

  test('close() during a handshake probe stops everything', async () => {
    /** @type {(v: unknown) => void} */
    let answer = () => {};
    const t = setup({
      fetch: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    t.client.connect();
    await flush();
    t.WS.instances[0].failHandshake();
    await flush();
    t.client.close();
    answer({ status: 426 });
    await t.clock.advance(60_000);
    assert.equal(t.WS.instances.length, 1);
    assert.equal(t.clock.pending, 0);
  });
});

describe('token refresh', () => {
  test('with a token function, a fresh token is handed over refreshBefore ms before exp, without reconnecting', async () => {
    let calls = 0;
    const clock0 = new FakeClock();
    const start = clock0.now();
    const token = () =>
      fakeJwt({ sub: 'alice', n: ++calls, exp: (start + 600_000 + calls * 600_000) / 1000 });
    const t = setup({
      token: async () => token(),
      timers: clock0,
      refreshBefore: 60_000,
      pingInterval: 1e9,
    });
    /** @type {any[]} */
    const refreshed = [];
    t.client.on('tokenRefreshed', (/** @type {any} */ p) => refreshed.push(p));
    const ws = await connected(t);
    assert.equal(calls, 1);
    await clock0.advance(1_200_000 - 60_000 - 1); // just before exp - refreshBefore: nothing yet
    assert.equal(ws.lastSent('refresh'), undefined);
    await clock0.advance(2);
    await flush();
    const sent = ws.lastSent('refresh');
    assert.ok(sent, 'a refresh frame was sent');
    assert.equal(sent.token, fakeJwt({ sub: 'alice', n: 2, exp: (start + 1_800_000) / 1000 }));
    ws.receive({ type: 'refreshed', id: sent.id, expiresAt: '2030-01-01T00:00:00Z' });
    await flush();
    assert.deepEqual(refreshed, [{ expiresAt: '2030-01-01T00:00:00Z' }]);
    assert.equal(t.WS.instances.length, 1, 'no reconnect');
    t.client.close();
  });

  test('a refused refresh replaces the connection (new handshake) instead of waiting for TOKEN_EXPIRED', async () => {
    const clock0 = new FakeClock();
    const start = clock0.now();
    let calls = 0;
    const t = setup({
      token: async () => fakeJwt({ sub: 'alice', n: ++calls, exp: (start + 120_000 * calls) / 1000 }),
      timers: clock0,
      refreshBefore: 60_000,
      pingInterval: 1e9,
    });
    const ws = await connected(t);
    await clock0.advance(60_001);
    await flush();
    const sent = ws.lastSent('refresh');
    ws.receive({ type: 'error', id: sent.id, code: 'REFRESH_REFUSED', message: 'refresh refused: x' });
    await flush();
    assert.ok(t.log.some(([e, p]) => e === 'error' && p.code === 'REFRESH_REFUSED'));
    assert.equal(t.WS.instances.length, 2, 'a replacement socket is opened');
    t.client.close();
  });

  test('a fixed token string is never refreshed', async () => {
    const t = setup();
    const ws = await connected(t);
    await t.clock.advance(3_600_000);
    assert.equal(ws.lastSent('refresh'), undefined);
    t.client.close();
  });
});

describe('server-side session end', () => {
  test('SESSION_REVOKED closes the client for good (no reconnect); TOKEN_EXPIRED reconnects', async () => {
    const t = setup();
    const ws = await connected(t);
    ws.receive({ type: 'error', code: 'TOKEN_EXPIRED', message: 'the token expired; reconnect' });
    await flush();
    await t.clock.advance(250);
    assert.equal(t.WS.instances.length, 2, 'TOKEN_EXPIRED: a new socket');
    const ws2 = t.WS.instances[1];
    ws2.accept();
    await flush();
    ws2.receive({ type: 'error', code: 'SESSION_REVOKED', message: 'the session was revoked' });
    await flush();
    assert.equal(t.client.state, 'closed');
    assert.equal(t.client.closeInfo?.reason, 'session-revoked');
    await t.clock.advance(60_000);
    assert.equal(t.WS.instances.length, 2, 'no reconnect after a revocation');
  });
});
