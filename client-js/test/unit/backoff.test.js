import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, backoffCeiling, DEFAULT_BACKOFF, DEFAULT_OPTIONS } from '../../src/index.js';

test('the ceiling grows by factor from minDelay and stops at maxDelay', () => {
  const o = { minDelay: 500, maxDelay: 30_000, factor: 2 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 100].map((a) => backoffCeiling(a, o)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  assert.equal(backoffCeiling(5000, o), 30000, 'no Infinity/NaN for huge attempts');
  assert.equal(backoffCeiling(2, { minDelay: 100, maxDelay: 10_000, factor: 3 }), 900);
});

test('full jitter: the delay is uniform in [0, ceiling)', () => {
  assert.equal(
    backoff(3, {}, () => 0),
    0,
  );
  assert.equal(
    backoff(3, {}, () => 0.5),
    2000,
  );
  assert.equal(
    backoff(3, {}, () => 0.999999),
    3999,
  );
  for (let i = 0; i < 200; i++) {
    const d = backoff(4, DEFAULT_BACKOFF);
    assert.ok(d >= 0 && d < 8000, `delay ${d}`);
  }
});

test('the documented defaults are 500 ms, 30 s, x2 and are the client defaults', () => {
  assert.deepEqual({ ...DEFAULT_BACKOFF }, { minDelay: 500, maxDelay: 30_000, factor: 2 });
  assert.equal(DEFAULT_OPTIONS.minDelay, DEFAULT_BACKOFF.minDelay);
  assert.equal(DEFAULT_OPTIONS.maxDelay, DEFAULT_BACKOFF.maxDelay);
  assert.equal(DEFAULT_OPTIONS.factor, DEFAULT_BACKOFF.factor);
});

test('a bad attempt number is refused', () => {
  assert.throws(() => backoffCeiling(-1), /attempt must be an integer >= 0/);
  assert.throws(() => backoffCeiling(1.5), /attempt must be an integer >= 0/);
});
