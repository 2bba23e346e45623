// Small parts of the client: the listener registry, JWT claim reading, channel grammar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../src/emitter.js';
import { decodeJwtPayload, tokenExpiry, channelProblem } from '../../src/index.js';
import { fakeJwt } from '../support/fakes.js';

test('Emitter: on/once/off, a throwing listener is reported and the others still run', () => {
  const errors = [];
  const e = new Emitter((error, event) => errors.push([event, /** @type {Error} */ (error).message]));
  const calls = [];
  const a = (/** @type {number} */ x) => calls.push(['a', x]);
  e.on('x', a);
  e.on('x', () => {
    throw new Error('boom');
  });
  e.once('x', (/** @type {number} */ x) => calls.push(['once', x]));
  const offC = e.on('x', (/** @type {number} */ x) => calls.push(['c', x]));
  assert.equal(e.emit('x', 1), 4);
  e.off('x', a);
  offC();
  e.emit('x', 2);
  assert.deepEqual(calls, [
    ['a', 1],
    ['once', 1],
    ['c', 1],
  ]);
  assert.deepEqual(errors, [
    ['x', 'boom'],
    ['x', 'boom'],
  ]);
  assert.equal(e.listenerCount('x'), 1);
  e.removeAll();
  assert.equal(e.emit('x', 3), 0);
  assert.throws(() => e.on('x', /** @type {any} */ ('nope')), /must be a function/);
});

test('JWT claims are read without verification; garbage gives null', () => {
  const token = fakeJwt({ sub: 'alice', exp: 1795635610, name: 'Zoë' });
  assert.deepEqual(decodeJwtPayload(token), { sub: 'alice', exp: 1795635610, name: 'Zoë' });
  assert.equal(tokenExpiry(token), 1795635610_000);
  assert.equal(tokenExpiry(fakeJwt({ sub: 'x' })), null);
  assert.equal(decodeJwtPayload('not-a-jwt'), null);
  assert.equal(decodeJwtPayload('a.!!!.c'), null);
  assert.equal(decodeJwtPayload(`a.${Buffer.from('[1]').toString('base64url')}.c`), null);
});

test('channel grammar of docs/protocol.md', () => {
  assert.equal(channelProblem('inventory.warehouse.WH-1'), null);
  assert.equal(channelProblem('user.alice@example_1'), null);
  assert.equal(channelProblem('a.b.c.d.e.f.g.h'), null);
  assert.match(String(channelProblem('a.b.c.d.e.f.g.h.i')), /at most 8/);
  assert.match(String(channelProblem('a..b')), /segment ''/);
  assert.match(String(channelProblem('a b')), /segment 'a b'/);
  assert.match(String(channelProblem('x'.repeat(65))), /1-64/);
  assert.match(
    String(channelProblem(`${'x'.repeat(64)}.${'y'.repeat(64)}.${'z'.repeat(64)}.${'w'.repeat(64)}`)),
    /1 to 200/,
  );
  assert.match(String(channelProblem('')), /1 to 200/);
  assert.match(String(channelProblem(42)), /must be a string/);
});
