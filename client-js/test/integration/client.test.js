// Integration tests: the client library (in node, with node's own WebSocket) against the real local gateway,
// which runs the real Lambda handlers. Started here on a free port, stopped in teardown.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeClient } from '../../src/index.js';
import {
  startGateway,
  mintToken,
  putEvent,
  listConnections,
  deleteConnection,
  stockLevelChanged,
  waitFor,
  poll,
} from '../support/gateway.js';

const CH = 'inventory.warehouse.WH-1';

if (typeof globalThis.WebSocket !== 'function') {
  throw new Error(
    'no global WebSocket: run the integration tests with `npm run test:integration` (node --experimental-websocket on node 20)',
  );
}

/** @type {import('../support/gateway.js').Gateway} */
let gw;
/** @type {RealtimeClient[]} */
const clients = [];

/** @param {Partial<import('../../src/index.js').RealtimeClientOptions>} options */
function newClient(options) {
  const client = new RealtimeClient({
    url: gw.ws,
    token: 'unset',
    logger: null,
    minDelay: 100,
    maxDelay: 1000,
    ...options,
  });
  clients.push(client);
  return client;
}

let seq = 0;
/** A user id of its own per test, to find its connection among the gateway's. @param {string} what */
const uniqueSub = (what) => `it-${what}-${process.pid}-${++seq}`;

describe('client against the local gateway', { timeout: 90_000 }, () => {
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    for (const c of clients) c.close();
    if (gw) await gw.stop();
  });

  test('subscribe → publish → receive the event with its envelope', async () => {
    const sub = uniqueSub('receive');
    const client = newClient({ token: () => mintToken(gw, { sub }) });
    await client.connect();
    assert.equal(client.state, 'open');
    /** @type {any[]} */
    const received = [];
    const unsubscribe = client.subscribe(CH, (e) => received.push(e));
    await unsubscribe.ready;
    assert.equal(client.subscriptions[0].state, 'subscribed');

    const onHand = 1000 + Math.floor(Math.random() * 9000);
    const event = stockLevelChanged(onHand);
    const eventId = await putEvent(gw, event);
    await poll(async () => received.length > 0, 10_000, 'the published event');
    const e = received[0];
    assert.equal(e.type, 'event');
    assert.equal(e.channel, CH);
    assert.equal(e.eventType, 'StockLevelChanged');
    assert.equal(e.source, 'pyerp.inventory');
    assert.equal(e.eventId, eventId, 'event.eventId is the EventBridge event id');
    assert.equal(typeof e.time, 'string');
    assert.equal(e.data.onHand, onHand);
    assert.equal(e.data.sku, 'SKU-1001');

    await unsubscribe();
    assert.deepEqual(client.subscriptions, []);
    const conn = (await listConnections(gw)).find((c) => c.userId === sub);
    assert.deepEqual(conn?.channels, [], 'the unsubscribe reached the registry');
    client.close();
  });

  test('server replies map to the catalogue: pong, CHANNEL_FORBIDDEN, UNKNOWN_ACTION', async () => {
    const client = newClient({
      token: () => mintToken(gw, { sub: uniqueSub('codes'), roles: 'sales:read', warehouses: 'WH-2' }),
    });
    await client.connect();
    const pong = await client.ping();
    assert.ok(pong.rtt >= 0);
    assert.equal(typeof pong.time, 'string');
    const forbidden = client.subscribe(CH, () => {});
    await assert.rejects(
      forbidden.ready,
      (/** @type {any} */ e) => e.code === 'CHANNEL_FORBIDDEN' && e.number === 4405 && e.source === 'server',
    );
    await assert.rejects(
      client.command('whoami'),
      (/** @type {any} */ e) => e.code === 'UNKNOWN_ACTION' && e.number === 4402,
    );
    await client.subscribe('sales.orders', () => {}).ready;
    assert.equal(client.state, 'open', 'errors that keep the connection keep it');
    client.close();
  });

  test('server-side close → reconnect → resubscribed → receives again', async () => {
    const sub = uniqueSub('reconnect');
    let tokens = 0;
    const client = newClient({
      token: () => {
        tokens++;
        return mintToken(gw, { sub });
      },
    });
    /** @type {string[]} */
    const states = [];
    client.on('state', (s) => states.push(s.state));
    /** @type {any[]} */
    const received = [];
    const unsubscribe = client.subscribe(CH, (e) => received.push(e));
    await client.connect();
    await unsubscribe.ready;

    const first = (await listConnections(gw)).find((c) => c.userId === sub);
    assert.ok(first, `the gateway lists the connection of ${sub}`);
    assert.deepEqual(first.channels, [CH]);

    const resubscribed = waitFor(
      (done) =>
        client.on('subscribed', (s) => {
          if (s.restored) done(s);
        }),
      15_000,
      'the restored subscription',
    );
    await deleteConnection(gw, first.connectionId);
    await resubscribed;
    assert.equal(client.state, 'open');
    assert.deepEqual(states, ['connecting', 'open', 'reconnecting', 'open']);
    assert.equal(tokens, 2, 'a fresh token for the new connection');

    const second = await poll(
      async () =>
        (await listConnections(gw)).find((c) => c.userId === sub && c.connectionId !== first.connectionId),
      5000,
      'the new connection',
    );
    assert.deepEqual(second.channels, [CH], 'the subscription is restored on the server');

    const onHand = 20_000 + Math.floor(Math.random() * 9000);
    const eventId = await putEvent(gw, stockLevelChanged(onHand));
    await poll(
      async () => received.some((e) => e.eventId === eventId),
      10_000,
      'the event after the reconnect',
    );
    assert.equal(received.find((e) => e.eventId === eventId).data.onHand, onHand);
    client.close();
  });

  test('refused token → closed with the reason, no retry loop', async () => {
    const good = await mintToken(gw, { sub: uniqueSub('refused') });
    const [header, payload, signature] = good.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    let attempts = 0;
    const client = newClient({
      token: () => {
        attempts++;
        return forged;
      },
    });
    /** @type {string[]} */
    const states = [];
    client.on('state', (s) => states.push(s.state));
    const closed = waitFor((done) => client.on('closed', done), 20_000, 'the closed state');
    await assert.rejects(client.connect(), (/** @type {any} */ e) => e.code === 'UNAUTHORIZED');
    const info = /** @type {any} */ (await closed);
    assert.equal(client.state, 'closed');
    assert.equal(info.reason, 'handshake-refused');
    assert.equal(client.closeInfo?.reason, 'handshake-refused');
    assert.equal(client.closeInfo?.code, 'UNAUTHORIZED');
    assert.equal(attempts, client.options.maxHandshakeFailures);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(attempts, client.options.maxHandshakeFailures, 'no attempt after closed');
    assert.deepEqual(states, ['connecting', 'reconnecting', 'closed']);
    assert.equal(client.pendingTimers, 0);
  });

  test('an expired token → closed token-expired after one attempt', async () => {
    let attempts = 0;
    const expired = await mintToken(gw, { sub: uniqueSub('expired'), ttl: -600 });
    const client = newClient({
      token: () => {
        attempts++;
        return expired;
      },
    });
    await assert.rejects(client.connect(), /token expired/);
    assert.equal(client.closeInfo?.reason, 'token-expired');
    assert.equal(attempts, 1);
  });
});
