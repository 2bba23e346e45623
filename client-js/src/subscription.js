// One channel subscription of a RealtimeClient: the handlers registered for the channel and the state of
// the server-side subscription. The client keeps one Subscription per channel however many handlers it has,
// sends `subscribe` once, restores it after every reconnect, and sends `unsubscribe` when the last handler goes.
import { RealtimeError } from './errors.js';

/** Channel grammar of docs/protocol.md: dot-separated segments of [A-Za-z0-9_@-], 1-64 characters each, at most 8 segments, 200 characters. */
const SEGMENT = /^[A-Za-z0-9_@-]{1,64}$/;

/**
 * Why `channel` is not a well-formed channel name, or null when it is.
 * @param {unknown} channel
 * @returns {string | null}
 */
export function channelProblem(channel) {
  if (typeof channel !== 'string')
    return `channel must be a string, got ${channel === null ? 'null' : typeof channel}`;
  if (channel.length === 0 || channel.length > 200)
    return `channel must have 1 to 200 characters, got ${channel.length}`;
  const segments = channel.split('.');
  if (segments.length > 8)
    return `channel must have at most 8 dot-separated segments, got ${segments.length}`;
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) return `channel segment '${bad}' must be 1-64 characters of [A-Za-z0-9_@-]`;
  return null;
}

/**
 * Throws RealtimeError INVALID_CHANNEL (the code the server would answer) when the channel is malformed.
 * @param {unknown} channel
 */
export function assertChannel(channel) {
  const problem = channelProblem(channel);
  if (problem)
    throw new RealtimeError('INVALID_CHANNEL', problem, {
      channel: typeof channel === 'string' ? channel : undefined,
      action: 'subscribe',
    });
}

/** @typedef {'pending'|'subscribing'|'subscribed'|'failed'|'unsubscribed'} SubscriptionState */

export class Subscription {
  /**
   * @param {string} channel
   * @param {(error: unknown, handler: Function, event: object) => void} onHandlerError
   */
  constructor(channel, onHandlerError) {
    /** @type {string} */
    this.channel = channel;
    /**
     * pending: waits for an open socket; subscribing: `subscribe` sent; subscribed: acked on the current socket;
     * failed: the server refused it (see error); unsubscribed: the last handler was removed.
     * @type {SubscriptionState}
     */
    this.state = 'pending';
    /** The error that made the subscription fail, if any. @type {RealtimeError | null} */
    this.error = null;
    /** When the server last acked it (ms since epoch), null before. @type {number | null} */
    this.subscribedAt = null;
    /** How many events the handlers received. */
    this.eventCount = 0;
    /** @type {Set<Function>} */
    this.handlers = new Set();
    /** Sockets (internal links) on which the server holds this subscription. @type {Set<any>} */
    this.links = new Set();
    /** Sockets on which a `subscribe` for it is in flight. @type {Set<any>} */
    this.sending = new Set();
    /** Transient-error retries of the current subscribe. */
    this.retries = 0;
    this._onHandlerError = onHandlerError;
    /** @type {(v: void) => void} */
    let resolve = () => {};
    /** @type {(e: unknown) => void} */
    let reject = () => {};
    /** Resolves at the first ack, rejects with the server's RealtimeError when the subscription fails. @type {Promise<void>} */
    this.ready = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.ready.catch(() => {}); // a caller that ignores `ready` must not get an unhandled rejection
    this._resolve = resolve;
    this._reject = reject;
    this._settled = false;
    // ---- history and recovery (docs/protocol.md, "Recovery"): channels whose family keeps history number
    // their events; the subscription remembers the last position it received without a gap.
    /** The offset up to which every event of the channel was received (no gap), null before any. @type {number | null} */
    this.offset = null;
    /** The history epoch `offset` counts in. @type {string | null} */
    this.epoch = null;
    /** Offsets received beyond `offset` (out of order, or after a gap). @type {Set<number>} */
    this.ahead = new Set();
    /**
     * The outcome of the last recovery: true when every missed event was delivered, false when the state may be
     * stale (the application should reload it), null when no recovery happened yet.
     * @type {boolean | null}
     */
    this.recovered = null;
    /** A recovering subscribe is in flight: live events wait in `buffer` so the missed ones come first. */
    this.recovering = false;
    /** @type {object[]} */
    this.buffer = [];
    /** The timer that heals a gap in offsets, when one is open. @type {unknown} */
    this.gapTimer = null;
  }

  /** The position to recover from, or null when the channel has none (no history, nothing received yet). */
  position() {
    return this.offset !== null && this.epoch !== null ? { offset: this.offset, epoch: this.epoch } : null;
  }

  /**
   * Records the position of an event that carries one. Returns 'duplicate' for an offset already received,
   * 'gap' when offsets are missing before it, 'ok' otherwise.
   * @param {{ offset?: unknown, epoch?: unknown }} frame
   * @returns {'ok' | 'gap' | 'duplicate'}
   */
  track(frame) {
    const o = frame.offset;
    const e = frame.epoch;
    if (typeof o !== 'number' || typeof e !== 'string') return 'ok';
    if (e !== this.epoch) {
      // a new epoch: the history was reset; count from this event (a known position from now on)
      this.epoch = e;
      this.offset = o;
      this.ahead.clear();
      return 'ok';
    }
    if (this.offset === null) {
      this.offset = o;
      return 'ok';
    }
    if (o <= this.offset || this.ahead.has(o)) return 'duplicate';
    if (o === this.offset + 1) {
      this.offset = o;
      while (this.ahead.delete(this.offset + 1)) this.offset++;
      return 'ok';
    }
    this.ahead.add(o);
    return 'gap';
  }

  /**
   * The position from a subscribe ack: the channel's current offset, unless events beyond it already arrived.
   * @param {{ offset?: unknown, epoch?: unknown }} ack
   */
  adoptPosition(ack) {
    if (typeof ack.offset !== 'number' || typeof ack.epoch !== 'string') return;
    if (ack.epoch !== this.epoch || this.offset === null || ack.offset > this.offset) {
      if (ack.epoch !== this.epoch) this.ahead.clear();
      this.epoch = ack.epoch;
      this.offset = ack.offset;
      for (const o of [...this.ahead]) if (o <= this.offset) this.ahead.delete(o);
      while (this.ahead.delete(this.offset + 1)) this.offset++;
    }
  }

  /** @param {Function} handler */
  addHandler(handler) {
    // wrap so one function can be registered twice and removed once
    const entry = (/** @type {object} */ event) => handler(event);
    entry.handler = handler;
    this.handlers.add(entry);
    return entry;
  }

  /** @param {Function} entry @returns {boolean} whether it was registered */
  removeHandler(entry) {
    return this.handlers.delete(entry);
  }

  markSubscribed(now = Date.now()) {
    this.state = 'subscribed';
    this.error = null;
    this.retries = 0;
    this.subscribedAt = now;
    if (!this._settled) {
      this._settled = true;
      this._resolve();
    }
  }

  /** @param {RealtimeError} error */
  markFailed(error) {
    this.state = 'failed';
    this.error = error;
    this.handlers.clear();
    this.links.clear();
    this.sending.clear();
    if (!this._settled) {
      this._settled = true;
      this._reject(error);
    }
  }

  /** @param {RealtimeError} [error] rejects `ready` when the subscription was never acked */
  markUnsubscribed(error) {
    this.state = 'unsubscribed';
    this.handlers.clear();
    if (!this._settled) {
      this._settled = true;
      this._reject(
        error ??
          new RealtimeError(
            'CLIENT_CLOSED',
            `unsubscribed from ${this.channel} before the server acked the subscription`,
            { channel: this.channel, action: 'subscribe' },
          ),
      );
    }
  }

  /**
   * Calls every handler with the event; a handler that throws is reported and the others still run.
   * @param {object} event
   */
  dispatch(event) {
    this.eventCount++;
    for (const entry of [...this.handlers]) {
      try {
        entry(event);
      } catch (error) {
        this._onHandlerError(error, /** @type {any} */ (entry).handler, event);
      }
    }
  }

  /** A plain snapshot, e.g. for a UI. */
  toJSON() {
    return {
      channel: this.channel,
      state: this.state,
      handlers: this.handlers.size,
      subscribedAt: this.subscribedAt,
      eventCount: this.eventCount,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
      offset: this.offset,
      epoch: this.epoch,
      recovered: this.recovered,
    };
  }
}
