// One channel subscription of a RealtimeClient: the handlers registered for the channel and the state of
// the server-side subscription. The client keeps one Subscription per channel however many handlers it has,
// sends `subscribe` once, restores it after every reconnect, and sends `unsubscribe` when the last handler goes.
//
// The Subscription owns its state (as centrifuge-js's Subscription does): the client never writes `state`, it
// asks the subscription to move (markSubscribing, markSubscribed, markPending, markDeferred, markFailed,
// markUnsubscribed). Every move goes through one private _setState that checks SUBSCRIPTION_TRANSITIONS, refuses
// an illegal move with an Error (a bug of the caller, never a server's doing) and emits `state` and the new
// state's name once per move.
import { Emitter } from './emitter.js';
import { RealtimeError } from './errors.js';

export { channelProblem, assertChannel } from './channel.js';

/** @typedef {'pending'|'subscribing'|'subscribed'|'failed'|'unsubscribed'} SubscriptionState */

/**
 * The legal moves of a subscription (README, "Subscription states"). `failed` and `unsubscribed` are terminal:
 * a channel subscribed again after them gets a new Subscription.
 * @type {Readonly<Record<SubscriptionState, ReadonlyArray<SubscriptionState>>>}
 */
export const SUBSCRIPTION_TRANSITIONS = Object.freeze({
  /** waits for an open socket */
  pending: Object.freeze(/** @type {SubscriptionState[]} */ (['subscribing', 'unsubscribed'])),
  /** `subscribe` sent, no ack yet */
  subscribing: Object.freeze(
    /** @type {SubscriptionState[]} */ (['subscribed', 'pending', 'failed', 'unsubscribed']),
  ),
  /** acked on the current socket */
  subscribed: Object.freeze(/** @type {SubscriptionState[]} */ (['pending', 'failed', 'unsubscribed'])),
  /** the server refused it (see `error`) */
  failed: Object.freeze(/** @type {SubscriptionState[]} */ ([])),
  /** the last handler was removed, or the client was closed */
  unsubscribed: Object.freeze(/** @type {SubscriptionState[]} */ ([])),
});

export class Subscription {
  /**
   * @param {string} channel
   * @param {(error: unknown, handler: Function, event: object) => void} onHandlerError
   */
  constructor(channel, onHandlerError) {
    /** @type {string} */
    this.channel = channel;
    /** @private @type {SubscriptionState} */
    this._state = 'pending';
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
    /** @private Listeners of the subscription's own events (state and one per state). */
    this._emitter = new Emitter((error, event, listener) =>
      onHandlerError(error, listener, { subscriptionEvent: event, channel }),
    );
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

  /** pending: waits for an open socket; subscribing: `subscribe` sent; subscribed: acked; failed; unsubscribed. */
  get state() {
    return this._state;
  }

  /** Whether the subscription reached a terminal state (failed or unsubscribed). */
  get terminal() {
    return SUBSCRIPTION_TRANSITIONS[this._state].length === 0;
  }

  /**
   * Listens to the subscription's own events: `state` ({ channel, state, previous, reason, error }) on every move,
   * and the new state's name (`pending`, `subscribing`, `subscribed`, `failed`, `unsubscribed`) with the same payload.
   * @param {string} event @param {(...args: any[]) => void} listener @returns {() => void}
   */
  on(event, listener) {
    return this._emitter.on(event, listener);
  }

  /** @param {string} event @param {(...args: any[]) => void} listener @returns {() => void} */
  once(event, listener) {
    return this._emitter.once(event, listener);
  }

  /** @param {string} event @param {(...args: any[]) => void} listener */
  off(event, listener) {
    this._emitter.off(event, listener);
  }

  /**
   * A `subscribe` for it was sent on a socket: pending → subscribing. A subscription already subscribing or
   * subscribed stays where it is (a retry, a gap's recovery, the replacement socket of the 2-hour recycling).
   * @returns {boolean} whether the state changed
   */
  markSubscribing() {
    if (this._state === 'subscribed') return false;
    if (this._state !== 'subscribing') this._assertMove('subscribing');
    return this._setState('subscribing', 'subscribe-sent');
  }

  /**
   * The server acked a subscribe: subscribing → subscribed (a re-ack while subscribed only updates subscribedAt).
   * Resolves `ready` at the first ack.
   * @param {number} [now]
   * @returns {boolean} whether the state changed
   */
  markSubscribed(now = Date.now()) {
    if (this._state !== 'subscribed') this._assertMove('subscribed');
    this.error = null;
    this.retries = 0;
    this.subscribedAt = now;
    const moved = this._setState('subscribed', 'acked');
    if (!this._settled) {
      this._settled = true;
      this._resolve();
    }
    return moved;
  }

  /**
   * Every socket that held or was taking the subscription is gone (a reconnect, or the client closed):
   * subscribing or subscribed → pending; it is sent again on the next socket.
   * @param {string} [reason]
   * @returns {boolean} whether the state changed
   */
  markPending(reason = 'connection-lost') {
    if (this._state !== 'pending') this._assertMove('pending');
    this.links.clear();
    this.sending.clear();
    return this._setState('pending', reason);
  }

  /**
   * A subscribe got no answer on its socket (that socket closed, or the server no longer knows the connection):
   * subscribing → pending, to be sent on the next socket. A subscription that the server holds on another
   * socket stays subscribed.
   * @param {string} [reason]
   * @returns {boolean} whether the state changed
   */
  markDeferred(reason = 'restore-later') {
    if (this.terminal) this._assertMove('pending');
    if (this._state !== 'subscribing') return false;
    return this._setState('pending', reason);
  }

  /**
   * The server refused the subscription (subscribing or subscribed → failed): its handlers are dropped and `ready`
   * rejects with the error when it was never acked.
   * @param {RealtimeError} error
   */
  markFailed(error) {
    this._assertMove('failed');
    this.error = error;
    this.handlers.clear();
    this.links.clear();
    this.sending.clear();
    this._setState('failed', error.code, error);
    if (!this._settled) {
      this._settled = true;
      this._reject(error);
    }
  }

  /**
   * The last handler was removed or the client closed: any live state → unsubscribed. Rejects `ready` (with
   * `error`, or CLIENT_CLOSED) when the subscription was never acked. Again on an unsubscribed one: nothing.
   * @param {RealtimeError} [error]
   * @returns {boolean} whether the state changed
   */
  markUnsubscribed(error) {
    if (this._state === 'unsubscribed') return false;
    this._assertMove('unsubscribed');
    this.handlers.clear();
    this.links.clear();
    this.sending.clear();
    const moved = this._setState('unsubscribed', error ? error.code : 'unsubscribed');
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
    return moved;
  }

  /**
   * Throws when `to` is not a legal move from the current state.
   * @private @param {SubscriptionState} to
   */
  _assertMove(to) {
    if (!SUBSCRIPTION_TRANSITIONS[this._state].includes(to))
      throw new Error(`Subscription ${this.channel}: illegal state change ${this._state} → ${to}`);
  }

  /**
   * The one place that writes the state: checks the move, then emits `state` and the new state's name once.
   * @private @param {SubscriptionState} to @param {string} reason @param {RealtimeError} [error]
   * @returns {boolean} whether the state changed (false when it already was `to`)
   */
  _setState(to, reason, error) {
    const previous = this._state;
    if (previous === to) return false;
    this._assertMove(to);
    this._state = to;
    const payload = { channel: this.channel, state: to, previous, reason, error: error ?? null };
    this._emitter.emit('state', payload);
    this._emitter.emit(to, payload);
    return true;
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
