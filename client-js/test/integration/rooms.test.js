// Presence and client publish (docs/protocol.md), the client library against the real local gateway: two users
// see each other join and leave, a message reaches the other with the sender from the token, and a user without
// the publish role is refused.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeClient } from '../../src/index.js';
import { startGateway, mintToken, waitFor } from '../support/gateway.js';

/** @type {import('../support/gateway.js').Gateway} */
let gw;
/** @type {RealtimeClient[]} */
const clients = [];

/** @param {string} sub @param {string} roles */
function newClient(sub, roles) {
  const c = new RealtimeClient({ url: gw.ws, logger: null, token: () => mintToken(gw, { sub, roles }) });
  clients.push(c);
  return c;
}

describe('rooms against the local gateway', { timeout: 90_000 }, () => {
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    for (const c of clients) c.close();
    if (gw) await gw.stop();
  });

  test('join, presence, publish, refused publish, leave', async () => {
    const room = `sales.order.SO-room-${process.pid}`;
    const alice = newClient(`alice-${process.pid}`, 'sales:read,sales:write');
    const bob = newClient(`bob-${process.pid}`, 'sales:read,sales:write');
    const carol = newClient(`carol-${process.pid}`, 'sales:read');
    await alice.connect();
    await alice.subscribe(room, () => {}).ready;

    const joined = waitFor((done) => alice.on('join', done), 10_000, "bob's join");
    await bob.connect();
    await bob.subscribe(room, () => {}).ready;
    const join = /** @type {any} */ (await joined);
    assert.equal(join.channel, room);
    assert.equal(join.member.userId, `bob-${process.pid}`);
    assert.deepEqual(
      (await bob.presence(room)).map((m) => m.userId),
      [`alice-${process.pid}`, `bob-${process.pid}`],
    );

    const got = waitFor((done) => bob.on('clientMessage', done), 10_000, "alice's message");
    await alice.publish(room, { kind: 'editing', field: 'deliveryDate' });
    const message = /** @type {any} */ (await got);
    assert.equal(message.from.userId, `alice-${process.pid}`);
    assert.deepEqual(message.data, { kind: 'editing', field: 'deliveryDate' });

    await carol.connect();
    await carol.subscribe(room, () => {}).ready;
    await assert.rejects(
      carol.publish(room, { kind: 'note', text: 'hi' }),
      (/** @type {any} */ e) => e.code === 'PUBLISH_FORBIDDEN' && e.number === 4461,
    );
    await assert.rejects(
      alice.publish(room, { kind: 'shouting' }),
      (/** @type {any} */ e) => e.code === 'INVALID_PAYLOAD',
    );

    const left = waitFor(
      (done) =>
        alice.on('leave', (l) => {
          if (l.member.userId === `bob-${process.pid}`) done(l);
        }),
      10_000,
      "bob's leave",
    );
    bob.close();
    await left;
  });
});
