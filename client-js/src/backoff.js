// Reconnection delays: exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff
// And Jitter"): delay = random(0, min(maxDelay, minDelay * factor^attempt)). Full jitter spreads the
// reconnects of many browsers after a gateway outage instead of sending them back in waves.

/** @typedef {{ minDelay: number, maxDelay: number, factor: number }} BackoffOptions */

/** Documented defaults, also used by RealtimeClient. */
export const DEFAULT_BACKOFF = Object.freeze({ minDelay: 500, maxDelay: 30_000, factor: 2 });

/**
 * The upper bound of the delay before retry number `attempt` (0 = first retry): min(maxDelay, minDelay * factor^attempt).
 * @param {number} attempt
 * @param {Partial<BackoffOptions>} [options]
 */
export function backoffCeiling(attempt, options = {}) {
  const { minDelay, maxDelay, factor } = { ...DEFAULT_BACKOFF, ...options };
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError(`attempt must be an integer >= 0, got ${attempt}`);
  const ceiling = minDelay * Math.pow(factor, attempt);
  return Math.min(maxDelay, Number.isFinite(ceiling) ? ceiling : maxDelay);
}

/**
 * The delay in milliseconds before retry number `attempt` (0 = first retry), with full jitter.
 * @param {number} attempt
 * @param {Partial<BackoffOptions>} [options]
 * @param {() => number} [random] a source of numbers in [0, 1) (tests inject one)
 */
export function backoff(attempt, options = {}, random = Math.random) {
  return Math.floor(random() * backoffCeiling(attempt, options));
}

/**
 * Checks backoff options, throwing a RangeError that names the bad option.
 * @param {BackoffOptions} o
 */
export function validateBackoff(o) {
  if (!(Number.isFinite(o.minDelay) && o.minDelay >= 0))
    throw new RangeError(`minDelay must be a finite number >= 0, got ${o.minDelay}`);
  if (!(Number.isFinite(o.maxDelay) && o.maxDelay >= o.minDelay))
    throw new RangeError(`maxDelay must be a finite number >= minDelay, got ${o.maxDelay}`);
  if (!(Number.isFinite(o.factor) && o.factor >= 1))
    throw new RangeError(`factor must be a finite number >= 1, got ${o.factor}`);
}
