// The Subscription owns its state: every legal move, every illegal one refused (state unchanged, no event), and
// each move announced exactly once. The client only asks it to move (src/registry.js).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Subscription, SUBSCRIPTION_TRANSITIONS } from '../../src/subscription.js';
import { RealtimeError } from '../../src/errors.js';

const STATES = /** @type {const} */ (['pending', 'subscribing', 'subscribed', 'failed', 'unsubscribed']);
const refused = () => new RealtimeError('CHANNEL_FORBIDDEN', 'no', { frame: { type: 'error' } });

/** A subscription and a log of every event it emits. */
function recorded() {
  /** @type {any[]} */
  const handlerErrors = [];
  const sub = new Subscription('inventory.warehouse.WH-1', (error, listener, payload) =>
    handlerErrors.push({ error, listener, payload }),
  );
  /** @type {Array<[string, any]>} */
  const events = [];
  for (const name of ['state', ...STATES]) sub.on(name, (/** @type {any} */ p) => events.push([name, p]));
  return { sub, events, handlerErrors };
}

/** Asks the subscription to enter `to` with the method the client uses for it. @param {Subscription} sub @param {string} to */
function ask(sub, to) {
  switch (to) {
    case 'pending':
      return sub.markPending();
    case 'subscribing':
      return sub.markSubscribing();
    case 'subscribed':
      return sub.markSubscribed(1000);
    case 'failed':
      return sub.markFailed(refused());
    case 'unsubscribed':
      return sub.markUnsubscribed();
    default:
      throw new Error(to);
  }
}

/** The shortest legal way into `state` from a new subscription. */
const PATHS = {
  pending: [],
  subscribing: ['subscribing'],
  subscribed: ['subscribing', 'subscribed'],
  failed: ['subscribing', 'failed'],
  unsubscribed: ['unsubscribed'],
};

/** A subscription in `state`, with the events of getting there forgotten. @param {string} state */
function inState(state) {
  const r = recorded();
  for (const step of PATHS[/** @type {keyof typeof PATHS} */ (state)]) ask(r.sub, step);
  assert.equal(r.sub.state, state);
  r.events.length = 0;
  return r;
}

describe('Subscription state machine', () => {
  test('a new subscription is pending, and its state cannot be written from outside', () => {
    const { sub } = recorded();
    assert.equal(sub.state, 'pending');
    assert.throws(() => {
      /** @type {any} */ (sub).state = 'subscribed';
    }, TypeError);
    assert.equal(sub.state, 'pending');
  });

  test('the table: failed and unsubscribed are terminal, every other state can be left', () => {
    assert.deepEqual(Object.keys(SUBSCRIPTION_TRANSITIONS), [...STATES]);
    assert.deepEqual(SUBSCRIPTION_TRANSITIONS.failed, []);
    assert.deepEqual(SUBSCRIPTION_TRANSITIONS.unsubscribed, []);
    for (const from of STATES)
      for (const to of SUBSCRIPTION_TRANSITIONS[from]) assert.ok(STATES.includes(to), `${from} → ${to}`);
    assert.throws(() => {
      /** @type {any} */ (SUBSCRIPTION_TRANSITIONS).pending = [];
    }, TypeError);
  });

  for (const from of STATES) {
    for (const to of SUBSCRIPTION_TRANSITIONS[from]) {
      test(`legal: ${from} → ${to} moves and emits 'state' and '${to}' once each`, () => {
        const { sub, events } = inState(from);
        assert.equal(ask(sub, to) ?? true, true);
        assert.equal(sub.state, to);
        assert.deepEqual(
          events.map(([name]) => name),
          ['state', to],
        );
        for (const [, payload] of events) {
          assert.equal(payload.channel, 'inventory.warehouse.WH-1');
          assert.equal(payload.previous, from);
          assert.equal(payload.state, to);
          assert.equal(typeof payload.reason, 'string');
        }
        assert.strictEqual(events[0][1], events[1][1], 'one payload for both events');
      });
    }
  }

  for (const from of STATES) {
    for (const to of STATES) {
      if (to === from || SUBSCRIPTION_TRANSITIONS[from].includes(to)) continue;
      if (from === 'subscribed' && to === 'subscribing') continue; // a documented stay, tested below
      test(`illegal: ${from} → ${to} is refused, the state is kept and nothing is emitted`, () => {
        const { sub, events } = inState(from);
        assert.throws(() => ask(sub, to), /illegal state change/);
        assert.equal(sub.state, from);
        assert.deepEqual(events, []);
      });
    }
  }

  test('terminal states refuse every request, including markDeferred', () => {
    for (const from of ['failed', 'unsubscribed']) {
      const { sub, events } = inState(from);
      assert.throws(() => sub.markDeferred(), /illegal state change/, from);
      assert.throws(() => sub.markSubscribing(), /illegal state change/, from);
      assert.throws(() => sub.markPending(), /illegal state change/, from);
      assert.equal(sub.state, from);
      assert.deepEqual(events, []);
    }
  });

  test('staying is not a move: no event, and the answer says so', () => {
    const sub1 = inState('subscribed');
    assert.equal(
      sub1.sub.markSubscribing(),
      false,
      'a resubscribe of a held subscription keeps it subscribed',
    );
    assert.equal(sub1.sub.markSubscribed(2000), false, 'a re-ack only updates subscribedAt');
    assert.equal(sub1.sub.subscribedAt, 2000);
    assert.equal(sub1.sub.markDeferred(), false, 'held on another socket: stays subscribed');
    assert.equal(sub1.sub.state, 'subscribed');
    assert.deepEqual(sub1.events, []);

    const sub2 = inState('subscribing');
    assert.equal(sub2.sub.markSubscribing(), false);
    assert.deepEqual(sub2.events, []);
    assert.equal(sub2.sub.markDeferred('CONNECTION_LOST'), true);
    assert.equal(sub2.sub.state, 'pending');
    assert.deepEqual(
      sub2.events.map(([n, p]) => [n, p.previous, p.reason]),
      [
        ['state', 'subscribing', 'CONNECTION_LOST'],
        ['pending', 'subscribing', 'CONNECTION_LOST'],
      ],
    );

    const sub3 = inState('pending');
    assert.equal(sub3.sub.markPending(), false);
    assert.equal(sub3.sub.markDeferred(), false);
    const sub4 = inState('unsubscribed');
    assert.equal(sub4.sub.markUnsubscribed(), false);
    assert.deepEqual([...sub3.events, ...sub4.events], []);
  });

  test('a full life: events in order, each once', () => {
    const { sub, events } = recorded();
    sub.markSubscribing();
    sub.markSubscribed(1);
    sub.markSubscribed(2);
    sub.markPending('connection-lost');
    sub.markSubscribing();
    sub.markSubscribed(3);
    sub.markUnsubscribed();
    sub.markUnsubscribed();
    assert.deepEqual(
      events.filter(([n]) => n === 'state').map(([, p]) => `${p.previous}→${p.state}`),
      [
        'pending→subscribing',
        'subscribing→subscribed',
        'subscribed→pending',
        'pending→subscribing',
        'subscribing→subscribed',
        'subscribed→unsubscribed',
      ],
    );
    assert.deepEqual(
      events.filter(([n]) => n !== 'state').map(([n]) => n),
      ['subscribing', 'subscribed', 'pending', 'subscribing', 'subscribed', 'unsubscribed'],
    );
  });

  test('ready resolves at the first ack; a later failure keeps it resolved and records the error', async () => {
    const { sub, events } = inState('subscribing');
    sub.markSubscribed(5);
    await sub.ready;
    const err = refused();
    sub.markFailed(err);
    assert.equal(sub.error, err);
    assert.equal(events.at(-1)?.[1].error, err);
    assert.equal(events.at(-1)?.[1].reason, 'CHANNEL_FORBIDDEN');
    await sub.ready;
  });

  test('ready rejects with the server error when refused before any ack, and handlers are dropped', async () => {
    const { sub } = inState('subscribing');
    sub.addHandler(() => {});
    sub.links.add('link');
    const err = refused();
    sub.markFailed(err);
    await assert.rejects(sub.ready, (e) => e === err);
    assert.equal(sub.handlers.size, 0);
    assert.equal(sub.links.size, 0);
    assert.deepEqual(sub.toJSON().error, { code: 'CHANNEL_FORBIDDEN', message: 'no' });
  });

  test('unsubscribed before any ack rejects ready with CLIENT_CLOSED, or with the given error', async () => {
    const a = inState('pending').sub;
    a.markUnsubscribed();
    await assert.rejects(a.ready, (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED');
    const b = inState('subscribing').sub;
    const closed = new RealtimeError('CLIENT_CLOSED', 'close() was called');
    b.markUnsubscribed(closed);
    await assert.rejects(b.ready, (e) => e === closed);
  });

  test('markPending forgets the sockets that held or were taking the subscription', () => {
    const { sub } = inState('subscribed');
    sub.links.add('a');
    sub.sending.add('b');
    sub.markPending();
    assert.equal(sub.links.size + sub.sending.size, 0);
  });

  test('a listener that throws is reported; the move happens and the other listeners run', () => {
    const { sub, events, handlerErrors } = inState('pending');
    const boom = () => {
      throw new Error('boom');
    };
    sub.on('subscribing', boom);
    sub.markSubscribing();
    assert.equal(sub.state, 'subscribing');
    assert.deepEqual(
      events.map(([n]) => n),
      ['state', 'subscribing'],
    );
    assert.equal(handlerErrors.length, 1);
    assert.equal(handlerErrors[0].listener, boom);
    assert.equal(/** @type {Error} */ (handlerErrors[0].error).message, 'boom');
  });

  test('once and off', () => {
    const { sub } = inState('pending');
    let once = 0;
    let off = 0;
    sub.once('state', () => once++);
    const listener = () => off++;
    sub.on('state', listener);
    sub.off('state', listener);
    sub.markSubscribing();
    sub.markPending();
    assert.equal(once, 1);
    assert.equal(off, 0);
  });
});

describe('the client asks its subscriptions to move', () => {
  test('subscribe, reconnect, refusal and unsubscribe: the state events of each subscription', async () => {
    const { RealtimeClient } = await import('../../src/index.js');
    const { fakeWebSocketClass, FakeClock, fakeJwt, flush } = await import('../support/fakes.js');
    const WS = fakeWebSocketClass();
    const clock = new FakeClock();
    const client = new RealtimeClient({
      url: 'ws://gateway.test/local',
      token: fakeJwt({ sub: 'alice', exp: Date.UTC(2030, 0, 1) / 1000 }),
      WebSocket: WS,
      timers: clock,
      random: () => 0.5,
      fetch: null,
      logger: null,
      environment: null,
    });
    const kept = client.subscribe('inventory.warehouse.WH-1', () => {});
    const refusedSub = client.subscribe('inventory.warehouse.WH-9', () => {});
    /** @type {Record<string, string[]>} */
    const moves = { kept: [], refused: [] };
    kept.subscription.on('state', (/** @type {any} */ p) =>
      moves.kept.push(`${p.previous}→${p.state}:${p.reason}`),
    );
    refusedSub.subscription.on('state', (/** @type {any} */ p) =>
      moves.refused.push(`${p.previous}→${p.state}:${p.reason}`),
    );
    const opened = client.connect();
    await flush();
    const ws1 = WS.instances[0];
    ws1.accept();
    await opened;
    const [s1, s9] = ws1.sent;
    ws1.receive({ type: 'ack', id: s1.id });
    ws1.receive({ type: 'error', id: s9.id, code: 'CHANNEL_FORBIDDEN', message: 'no WH-9' });
    await flush();
    await assert.rejects(refusedSub.ready, (/** @type {any} */ e) => e.code === 'CHANNEL_FORBIDDEN');
    ws1.serverClose(1001, 'going away');
    await clock.advance(250);
    const ws2 = WS.instances[1];
    ws2.accept();
    await flush();
    ws2.replyAll();
    await flush();
    const unsubscribed = kept();
    ws2.replyAll();
    await unsubscribed;
    assert.deepEqual(moves.kept, [
      'pending→subscribing:subscribe-sent',
      'subscribing→subscribed:acked',
      'subscribed→pending:connection-lost',
      'pending→subscribing:subscribe-sent',
      'subscribing→subscribed:acked',
      'subscribed→unsubscribed:unsubscribed',
    ]);
    assert.deepEqual(moves.refused, [
      'pending→subscribing:subscribe-sent',
      'subscribing→failed:CHANNEL_FORBIDDEN',
    ]);
    assert.deepEqual(
      ws2.sent.map((f) => [f.action, f.channel]),
      [
        ['subscribe', 'inventory.warehouse.WH-1'],
        ['unsubscribe', 'inventory.warehouse.WH-1'],
      ],
    );
    client.close();
  });
});
