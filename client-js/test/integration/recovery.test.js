// Recovery on reconnect (docs/protocol.md, "Recovery"), the client library against the real local gateway: the
// client remembers the last offset per channel and, when it reconnects, gets exactly the events it missed, in
// offset order, before any newer one, with the `recovered` flag.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeClient } from '../../src/index.js';
import {
  startGateway,
  mintToken,
  putEvent,
  listConnections,
  deleteConnection,
  waitFor,
  poll,
} from '../support/gateway.js';

/** @type {import('../support/gateway.js').Gateway} */
let gw;
/** @type {RealtimeClient[]} */
const clients = [];

/** @param {string} order @param {string} marker */
const orderEvent = (order, marker) => ({
  source: 'pyerp.sales',
  detailType: 'OrderStatusChanged',
  detail: {
    tenantId: 'acme',
    orderId: order,
    customerId: marker,
    status: 'picking',
    changedAt: '2026-11-25T10:00:00Z',
  },
});

describe('recovery against the local gateway', { timeout: 90_000 }, () => {
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    for (const c of clients) c.close();
    if (gw) await gw.stop();
  });

  test('reconnect → the missed events, in order, before newer ones, recovered: true', async () => {
    const order = `SO-js-${process.pid}`;
    const channel = `sales.order.${order}`;
    const sub = `rec-js-${process.pid}`;
    /** @type {(v?: unknown) => void} */
    let openGate = () => {};
    const gate = new Promise((resolve) => (openGate = resolve));
    let tokens = 0;
    const client = new RealtimeClient({
      url: gw.ws,
      logger: null,
      minDelay: 50,
      maxDelay: 100,
      // the second token (the reconnect) waits until the test has published while the client is away
      token: async () => {
        if (++tokens > 1) await gate;
        return mintToken(gw, { sub, roles: 'sales:read' });
      },
    });
    clients.push(client);
    const witness = new RealtimeClient({
      url: gw.ws,
      logger: null,
      token: () => mintToken(gw, { sub: `${sub}-witness`, roles: 'sales:read' }),
    });
    clients.push(witness);
    /** @type {any[]} */
    const seen = [];
    await witness.connect();
    await witness.subscribe(channel, (e) => seen.push(e)).ready;

    /** @type {any[]} */
    const received = [];
    const off = client.subscribe(channel, (e) => received.push(e));
    await client.connect();
    await off.ready;
    await putEvent(gw, orderEvent(order, 'a'));
    await putEvent(gw, orderEvent(order, 'b'));
    await poll(async () => received.length === 2, 10_000, 'two live events');
    assert.deepEqual(received.map((e) => e.offset).sort(), [1, 2]);
    assert.equal(off.subscription.offset, 2);

    const conn = (await listConnections(gw)).find((c) => c.userId === sub);
    assert.ok(conn);
    const reconnecting = waitFor((done) => client.on('reconnecting', done), 10_000, 'reconnecting');
    await deleteConnection(gw, conn.connectionId);
    await reconnecting;
    for (const m of ['c', 'd', 'e']) await putEvent(gw, orderEvent(order, m));
    await poll(async () => seen.length === 5, 10_000, 'the witness saw all five (all numbered)');

    const recovery = waitFor((done) => client.on('recovery', done), 15_000, 'the recovery');
    openGate();
    const info = /** @type {any} */ (await recovery);
    assert.equal(info.channel, channel);
    assert.equal(info.recovered, true);
    assert.equal(info.missed, 3);
    assert.deepEqual(
      received.slice(2).map((e) => e.offset),
      [3, 4, 5],
      'the missed events exactly once, in offset order',
    );
    assert.deepEqual(
      received
        .slice(2)
        .map((e) => e.data.customerId)
        .sort(),
      ['c', 'd', 'e'],
    );
    assert.equal(off.subscription.recovered, true);
    assert.equal(client.subscriptions[0].recovered, true);

    await putEvent(gw, orderEvent(order, 'f'));
    await poll(async () => received.length === 6, 10_000, 'the next live event');
    assert.equal(received[5].offset, 6);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, 6, 'nothing twice');
  });

  test('a position the history no longer has → recovered: false (the app reloads)', async () => {
    const order = `SO-js-old-${process.pid}`;
    const channel = `sales.order.${order}`;
    const client = new RealtimeClient({
      url: gw.ws,
      logger: null,
      token: () => mintToken(gw, { sub: `rec-js-old-${process.pid}`, roles: 'sales:read' }),
    });
    clients.push(client);
    const recovery = waitFor((done) => client.on('recovery', done), 15_000, 'the recovery');
    const off = client.subscribe(channel, () => {}, { recover: { offset: 7, epoch: 'an-epoch-long-gone' } });
    await client.connect();
    await off.ready;
    const info = /** @type {any} */ (await recovery);
    assert.equal(info.recovered, false);
    assert.equal(off.subscription.recovered, false);
    assert.equal(off.subscription.offset, 0, 'counts from the channel position now');
    assert.notEqual(off.subscription.epoch, 'an-epoch-long-gone');
  });
});
