// The options of a RealtimeClient: their documented defaults and the checks that refuse bad ones with a
// TypeError or RangeError naming the option (README, "Options and defaults").
import { validateBackoff } from './backoff.js';
import { SUBPROTOCOL_TOKEN } from './token.js';

/** The subprotocol of the client protocol. */
export const PROTOCOL = 'erp.v1';

/** Documented defaults of every option (milliseconds for times). */
export const DEFAULT_OPTIONS = Object.freeze({
  protocol: PROTOCOL,
  minDelay: 500,
  maxDelay: 30_000,
  factor: 2,
  maxReconnectAttempts: Infinity,
  maxHandshakeFailures: 3,
  connectTimeout: 10_000,
  commandTimeout: 10_000,
  pingInterval: 120_000,
  pongTimeout: 15_000,
  maxConnectionAge: 110 * 60_000,
  dedupeWindow: 1000,
  probe: true,
  probeTimeout: 5000,
  refreshBefore: 60_000,
});

/** Real timers and clock: the default of options.timers. */
export const defaultTimers = Object.freeze({
  setTimeout: (/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms),
  clearTimeout: (/** @type {any} */ handle) => clearTimeout(handle),
  now: () => Date.now(),
});

/**
 * The options in force (defaults filled in) and the parsed URL; throws on a bad option.
 * @param {import('./index.js').RealtimeClientOptions} options
 * @returns {{ o: any, url: URL, WebSocket: any }}
 */
export function readOptions(options) {
  if (options === null || typeof options !== 'object')
    throw new TypeError('new RealtimeClient(options): an options object is required');
  /** @type {any} */
  const o = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;

  let url;
  try {
    url = new URL(o.url);
  } catch {
    throw new TypeError(`options.url must be an absolute ws:// or wss:// URL, got ${JSON.stringify(o.url)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new TypeError(`options.url must use ws: or wss:, got ${url.protocol}`);
  if (url.hash) throw new TypeError('options.url must not have a #fragment (WebSocket URLs cannot)');
  if (typeof o.token === 'string') {
    if (!SUBPROTOCOL_TOKEN.test(o.token))
      throw new TypeError('options.token must be a non-empty JWT (it travels in Sec-WebSocket-Protocol)');
  } else if (typeof o.token !== 'function') {
    throw new TypeError(
      'options.token must be a string or a function returning a string or a promise of one',
    );
  }
  const WebSocketImpl = o.WebSocket ?? globalThis.WebSocket;
  if (typeof WebSocketImpl !== 'function')
    throw new TypeError(
      'no WebSocket implementation: pass options.WebSocket (on node 20 run with --experimental-websocket)',
    );
  if (typeof o.protocol !== 'string' || !SUBPROTOCOL_TOKEN.test(o.protocol))
    throw new TypeError(`options.protocol must be a subprotocol name, got ${o.protocol}`);
  validateBackoff(o);
  for (const name of [
    'connectTimeout',
    'commandTimeout',
    'pingInterval',
    'pongTimeout',
    'maxConnectionAge',
    'probeTimeout',
    'refreshBefore',
  ]) {
    if (!(Number.isFinite(o[name]) && o[name] > 0))
      throw new RangeError(`options.${name} must be a finite number > 0, got ${o[name]}`);
  }
  if (!(
    o.maxReconnectAttempts === Infinity ||
    (Number.isInteger(o.maxReconnectAttempts) && o.maxReconnectAttempts >= 0)
  )) {
    throw new RangeError(
      `options.maxReconnectAttempts must be an integer >= 0 or Infinity, got ${o.maxReconnectAttempts}`,
    );
  }
  if (!(Number.isInteger(o.maxHandshakeFailures) && o.maxHandshakeFailures >= 1))
    throw new RangeError(
      `options.maxHandshakeFailures must be an integer >= 1, got ${o.maxHandshakeFailures}`,
    );
  if (!(Number.isInteger(o.dedupeWindow) && o.dedupeWindow >= 0))
    throw new RangeError(`options.dedupeWindow must be an integer >= 0, got ${o.dedupeWindow}`);
  return { o, url, WebSocket: WebSocketImpl };
}
