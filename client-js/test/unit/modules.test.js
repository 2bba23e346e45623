// The modules client.js delegates to, each on its own: the command queue, the event router, the token keeper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Commands } from '../../src/commands.js';
import { EventRouter } from '../../src/router.js';
import { TokenKeeper } from '../../src/refresh.js';
import { fakeJwt } from '../support/fakes.js';

/** A link double that records commands and answers them from a script. */
function fakeLink() {
  /** @type {any[]} */
  const sent = [];
  return {
    sent,
    command(/** @type {any} */ frame, /** @type {number} */ timeout) {
      sent.push({ frame, timeout });
      return Promise.resolve({ type: frame.action === 'ping' ? 'pong' : 'ack', id: frame.id, members: [] });
    },
  };
}

test('Commands: queued while no socket is open, sent in order on flush; refused once closed', async () => {
  let closed = false;
  /** @type {any} */
  let open = null;
  const commands = new Commands({ closed: () => closed, openLink: () => open });
  const a = commands.command('hello', { n: 1 }, 100);
  const b = commands.presence('sales.order.SO-1', 200);
  assert.equal(commands.queued, 2);
  const link = fakeLink();
  commands.flush(/** @type {any} */ (link));
  assert.equal(commands.queued, 0);
  assert.deepEqual(
    link.sent.map((s) => [s.frame.action, s.frame.id, s.timeout]),
    [
      ['hello', 'c1', 100],
      ['presence', 'c2', 200],
    ],
  );
  assert.equal((await a).type, 'ack');
  assert.deepEqual(await b, []);
  open = link;
  await commands.publish('sales.order.SO-1', { x: 1 }, 300);
  assert.equal(link.sent.at(-1)?.frame.action, 'publish');
  open = null;
  const queued = commands.command('later', {}, 100);
  commands.rejectQueued('client-close');
  await assert.rejects(queued, (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED' && e.action === 'later');
  closed = true;
  await assert.rejects(commands.command('x', {}, 1), (/** @type {any} */ e) => e.code === 'CLIENT_CLOSED');
  assert.throws(() => commands.command('subscribe', {}, 1), /use client.subscribe/);
  assert.throws(
    () => commands.presence('bad channel', 1),
    (/** @type {any} */ e) => e.code === 'INVALID_CHANNEL',
  );
  assert.throws(() => commands.publish('sales.order.SO-1', /** @type {any} */ ([]), 1), /plain object/);
  assert.equal(commands.nextId('r'), 'r6', 'one sequence for every command id');
});

test('EventRouter: a (channel, eventId) seen within the window is a duplicate; the oldest one falls out', () => {
  /** @type {any[]} */
  const log = [];
  const router = new EventRouter({
    dedupeWindow: 2,
    subscription: (channel) =>
      channel === 'a' ? { dispatch: (e) => log.push(['sub', e.eventId]) } : undefined,
    emit: (event, p) => log.push([event, /** @type {any} */ (p).eventId]),
    handlerError: () => log.push(['handlerError']),
  });
  const off = router.onEventType('T', (e) => log.push(['type', e.eventId]));
  router.onEventType('*', () => {
    throw new Error('boom');
  });
  const ev = (/** @type {string} */ id, channel = 'a') => ({ channel, eventId: id, eventType: 'T' });
  router.deliver(ev('1'));
  router.deliver(ev('1'));
  router.deliver(ev('1', 'b'));
  router.deliver(ev('2'));
  router.deliver(ev('1')); // ('a','1') fell out of a window of 2
  off();
  router.deliver(ev('3'));
  assert.deepEqual(log, [
    ['sub', '1'],
    ['type', '1'],
    ['handlerError'],
    ['event', '1'],
    ['duplicate', '1'],
    ['type', '1'],
    ['handlerError'],
    ['event', '1'],
    ['sub', '2'],
    ['type', '2'],
    ['handlerError'],
    ['event', '2'],
    ['sub', '1'],
    ['type', '1'],
    ['handlerError'],
    ['event', '1'],
    ['sub', '3'],
    ['handlerError'],
    ['event', '3'],
  ]);
  assert.throws(() => router.onEventType('', () => {}), /non-empty string/);
});

test('TokenKeeper: a failing function is a retryable TOKEN_ERROR, a non-JWT a fatal one', async () => {
  const host = /** @type {any} */ ({});
  const jwt = fakeJwt({ sub: 'a', exp: 2_000_000_000 });
  const keeper = new TokenKeeper(async () => jwt, host);
  assert.equal(await keeper.resolve(), jwt);
  assert.equal(keeper.expiry(), null, 'nothing remembered until a connection uses it');
  keeper.last = jwt;
  assert.equal(keeper.expiry(), 2_000_000_000_000);
  const failing = new TokenKeeper(() => {
    throw new Error('offline');
  }, host);
  await assert.rejects(
    failing.resolve(),
    (/** @type {any} */ e) => e.code === 'TOKEN_ERROR' && !e.fatal && /offline/.test(e.message),
  );
  const junk = new TokenKeeper(() => 'not a jwt', host);
  await assert.rejects(
    junk.resolve(),
    (/** @type {any} */ e) => e.code === 'TOKEN_ERROR' && e.fatal === true,
  );
});
