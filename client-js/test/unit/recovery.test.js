// The position a subscription keeps on a channel with history (docs/protocol.md, "Recovery").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscription } from '../../src/subscription.js';

const sub = () => new Subscription('sales.order.SO-1', () => {});
const ev = (/** @type {number} */ offset, epoch = 'E1') => ({ offset, epoch });

test('track: in order advances, a repeat is a duplicate, a hole is a gap that closes when the event comes', () => {
  const s = sub();
  assert.equal(s.position(), null);
  assert.equal(s.track(ev(1)), 'ok');
  assert.equal(s.track(ev(2)), 'ok');
  assert.equal(s.track(ev(2)), 'duplicate');
  assert.equal(s.track(ev(4)), 'gap');
  assert.deepEqual(s.position(), { offset: 2, epoch: 'E1' }, 'recovery starts before the hole');
  assert.equal(s.track(ev(4)), 'duplicate');
  assert.equal(s.track(ev(3)), 'ok');
  assert.deepEqual(s.position(), { offset: 4, epoch: 'E1' });
  assert.equal(s.ahead.size, 0);
});

test('track: a new epoch restarts the count; frames without offsets are left alone', () => {
  const s = sub();
  s.track(ev(9));
  assert.equal(s.track(ev(1, 'E2')), 'ok');
  assert.deepEqual(s.position(), { offset: 1, epoch: 'E2' });
  assert.equal(s.track({}), 'ok');
  assert.deepEqual(s.position(), { offset: 1, epoch: 'E2' });
});

test('adoptPosition: the ack moves the position forward, never back, and absorbs events already ahead', () => {
  const s = sub();
  s.adoptPosition({ offset: 3, epoch: 'E1' });
  assert.deepEqual(s.position(), { offset: 3, epoch: 'E1' });
  s.track(ev(5));
  s.adoptPosition({ offset: 4, epoch: 'E1' });
  assert.deepEqual(s.position(), { offset: 5, epoch: 'E1' });
  s.adoptPosition({ offset: 2, epoch: 'E1' });
  assert.deepEqual(s.position(), { offset: 5, epoch: 'E1' });
  assert.equal(s.toJSON().offset, 5);
  assert.equal(s.toJSON().recovered, null);
});
