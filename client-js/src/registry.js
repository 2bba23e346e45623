// The subscriptions of a RealtimeClient, one per channel: subscribing and unsubscribing, restoring every
// subscription on each new socket (reconnects, the 2-hour replacement), retrying transient refusals, and
// recovering the events a channel with history published meanwhile (docs/protocol.md, "Recovery").
// Subscriptions are desired state: the registry asks each Subscription to move (subscription.js owns the state)
// and sends `subscribe` on every new socket; an unsubscribe without an open socket is purely local.
import { backoff } from './backoff.js';
import { assertChannel } from './channel.js';
import { RETRYABLE_CODES } from './codes.js';
import { Subscription } from './subscription.js';

/** Errors after which a subscribe is tried again on the same socket (a few times, with backoff): what the
 * error-code catalogue marks retryable, and the client's own command timeout. */
const TRANSIENT = new Set([...RETRYABLE_CODES, 'COMMAND_TIMEOUT']);
/** Errors after which a subscription waits for the next socket instead of failing. */
const RESTORE_LATER = new Set(['CONNECTION_LOST', 'CLIENT_CLOSED', 'NOT_CONNECTED']);
const SUBSCRIBE_RETRIES = 3;
/** How long a gap in a channel's offsets may stay open (events of concurrent dispatchers may cross) before the client recovers it. */
const GAP_WAIT = 1000;

/** @typedef {import('./connection.js').Link} Link */
/** @typedef {import('./errors.js').RealtimeError} RealtimeError */

/**
 * What the registry needs from its client.
 * @typedef {object} RegistryHost
 * @property {any} options                                     commandTimeout and the backoff options
 * @property {() => number} random                             the jitter source
 * @property {() => number} now
 * @property {(fn: () => void, ms: number) => unknown} timer   a client timer (cleared when the client closes)
 * @property {() => string} nextId                             a new command id
 * @property {(link: Link) => boolean} isCurrent               whether the link is the client's socket or its replacement
 * @property {() => (Link | null)} link                        the client's socket, when there is one
 * @property {() => (Link | null)} openLink                    the client's socket when the client is open, else null
 * @property {(frame: any) => void} deliver                    hands an accepted event to the router
 * @property {(event: string, ...args: unknown[]) => void} emit
 * @property {(event: string) => boolean} listening            whether anyone listens to a client event
 * @property {(error: unknown, context: { channel: string, listener?: Function, payload?: unknown }) => void} handlerError
 */

export class SubscriptionRegistry {
  /** @param {RegistryHost} host */
  constructor(host) {
    /** @private */ this._host = host;
    /** @private @type {Map<string, Subscription>} */ this._subs = new Map();
    /** @private @type {Map<string, Promise<void>>} */ this._unsubscribing = new Map();
  }

  /** How many channels are subscribed. */
  get size() {
    return this._subs.size;
  }

  /** The subscription of a channel, if any. @param {string} channel */
  get(channel) {
    return this._subs.get(channel);
  }

  /** A snapshot (channel, state, handlers, subscribedAt, eventCount, error, position). */
  snapshot() {
    return [...this._subs.values()].map((s) => s.toJSON());
  }

  /** Emits 'subscriptions' (a snapshot) when someone listens. */
  changed() {
    if (this._host.listening('subscriptions')) this._host.emit('subscriptions', this.snapshot());
  }

  /**
   * Adds a handler to a channel's subscription, creating it (and sending `subscribe` when the client is open).
   * @param {string} channel
   * @param {Function} handler
   * @param {import('./index.js').SubscribeOptions} [options]
   * @returns {import('./index.js').Unsubscribe}
   */
  subscribe(channel, handler, options = {}) {
    assertChannel(channel);
    if (typeof handler !== 'function')
      throw new TypeError(`subscribe('${channel}', handler): handler must be a function`);
    let sub = this._subs.get(channel);
    const isNew = !sub;
    if (!sub) {
      const from = options?.recover;
      if (from !== undefined && from !== null) {
        if (!(
          Number.isInteger(from.offset) &&
          from.offset >= 0 &&
          typeof from.epoch === 'string' &&
          from.epoch
        ))
          throw new TypeError(
            `subscribe('${channel}', handler, { recover }): recover must be { offset: integer >= 0, epoch: string }`,
          );
      }
      sub = new Subscription(channel, (error, fn, event) =>
        this._host.handlerError(error, { channel, listener: fn, payload: event }),
      );
      if (from) {
        sub.offset = from.offset;
        sub.epoch = from.epoch;
      }
      this._subs.set(channel, sub);
    }
    const s = sub;
    const entry = s.addHandler(handler);
    const link = isNew ? this._host.openLink() : null;
    if (link) this._send(s, link);
    this.changed();
    /** @type {any} */
    const unsubscribe = () => this._removeHandler(s, entry);
    unsubscribe.channel = channel;
    unsubscribe.ready = s.ready;
    unsubscribe.subscription = s;
    return /** @type {import('./index.js').Unsubscribe} */ (unsubscribe);
  }

  /**
   * Removes every handler of the channel and sends `unsubscribe`; resolves on the ack (at once without a socket).
   * @param {string} channel @returns {Promise<void>}
   */
  unsubscribe(channel) {
    const sub = this._subs.get(channel);
    return sub ? this._drop(sub) : Promise.resolve();
  }

  /**
   * Sends `subscribe` on a socket that just opened for every subscription it does not hold yet.
   * @param {Link} link
   */
  restore(link) {
    for (const sub of [...this._subs.values()]) {
      if (link.closed || link !== this._host.link()) return;
      if (!sub.links.has(link) && !sub.sending.has(link)) this._send(sub, link);
    }
  }

  /**
   * Subscribes every channel on the replacement socket of the 2-hour recycling; resolves when all are answered.
   * @param {Link} next @returns {Promise<void>}
   */
  restoreOn(next) {
    return Promise.all([...this._subs.values()].map((sub) => this._send(sub, next))).then(() => {});
  }

  /** A socket closed: no subscription is held or being taken on it any more. @param {Link} link */
  forget(link) {
    for (const sub of this._subs.values()) {
      sub.links.delete(link);
      sub.sending.delete(link);
    }
  }

  /** Every socket is gone: each subscription waits for the next one. @param {string} reason */
  allPending(reason) {
    for (const sub of this._subs.values()) sub.markPending(reason);
  }

  /** close(): every subscription ends (unacked ones reject `ready` with `error`). @param {RealtimeError} error */
  dispose(error) {
    for (const sub of this._subs.values()) sub.markUnsubscribed(error);
    this._subs.clear();
  }

  /**
   * An event frame of the current socket: events of a channel with history go through its position (recovery
   * holds live events back; duplicates are dropped; gaps are healed), the others straight to the router.
   * @param {any} frame
   */
  onEvent(frame) {
    const sub = this._subs.get(frame.channel);
    if (sub && typeof frame.offset === 'number') {
      if (sub.recovering) sub.buffer.push(frame);
      else this._deliverTracked(sub, frame);
      return;
    }
    this._host.deliver(frame);
  }

  // ---------------------------------------------------------------- subscribe and its answer

  /**
   * Sends `subscribe` for `sub` on `link` and handles the answer. Never rejects.
   * @private @param {Subscription} sub @param {Link} link @returns {Promise<void>}
   */
  _send(sub, link) {
    const host = this._host;
    const channel = sub.channel;
    const current = () => this._subs.get(channel) === sub && !link.closed && host.isCurrent(link);
    const pendingUnsub = this._unsubscribing.get(channel);
    sub.sending.add(link);
    sub.markSubscribing();
    if (pendingUnsub) {
      // an unsubscribe of the same channel is in flight: let the server apply it first
      const go = () => {
        sub.sending.delete(link);
        return current() && !sub.links.has(link) ? this._send(sub, link) : undefined;
      };
      return pendingUnsub.then(go, go);
    }
    /** @type {any} */
    const frame = { action: 'subscribe', channel, id: host.nextId() };
    const from = sub.position();
    if (from) {
      frame.recover = from;
      sub.recovering = true;
    }
    return link.command(frame, host.options.commandTimeout).then(
      (/** @type {any} */ ack) => {
        sub.sending.delete(link);
        if (this._subs.get(channel) === sub) this._onAck(sub, ack, from);
        if (this._subs.get(channel) !== sub) {
          // unsubscribed while the subscribe was in flight: undo it on the server
          if (!link.closed)
            link
              .command({ action: 'unsubscribe', channel, id: host.nextId() }, host.options.commandTimeout)
              .catch(() => {});
          return;
        }
        sub.links.add(link);
        const restored = sub.subscribedAt !== null;
        sub.markSubscribed(host.now());
        host.emit('subscribed', { channel, restored });
        this.changed();
      },
      (/** @type {RealtimeError} */ err) => {
        sub.sending.delete(link);
        if (from) this._flushRecovery(sub);
        if (this._subs.get(channel) !== sub) return;
        if (RESTORE_LATER.has(err.code)) {
          sub.markDeferred(err.code);
          this.changed();
          return;
        }
        if (TRANSIENT.has(err.code) && sub.retries < SUBSCRIBE_RETRIES && current()) {
          const delay = backoff(sub.retries++, host.options, host.random);
          host.emit('subscriptionError', { channel, error: err, willRetry: true });
          host.timer(() => {
            if (current() && !sub.links.has(link) && !sub.sending.has(link)) this._send(sub, link);
          }, delay);
          return;
        }
        this._subs.delete(channel);
        sub.markFailed(err);
        host.emit('subscriptionError', { channel, error: err, willRetry: false });
        this.changed();
      },
    );
  }

  /**
   * The position in a subscribe ack: on a recovering subscribe, the missed events (in offset order) are delivered
   * before the live events that arrived meanwhile, and `recovered` tells the application whether its state is
   * complete (docs/protocol.md, "Recovery").
   * @private @param {Subscription} sub @param {any} ack @param {{ offset: number, epoch: string } | null} from
   */
  _onAck(sub, ack, from) {
    if (from && typeof ack?.recovered === 'boolean') {
      sub.recovered = ack.recovered;
      const publications = ack.recovered && Array.isArray(ack.publications) ? ack.publications : [];
      if (!ack.recovered) {
        // the missed events are gone: count from the channel's current position; the app reloads its state
        sub.epoch = null;
        sub.offset = null;
        sub.ahead.clear();
      }
      sub.adoptPosition(ack.recovered ? { offset: from.offset, epoch: from.epoch } : ack);
      for (const p of publications)
        if (p && p.type === 'event' && p.channel === sub.channel) this._deliverTracked(sub, p);
      sub.adoptPosition(ack);
      this._host.emit('recovery', {
        channel: sub.channel,
        recovered: ack.recovered,
        missed: publications.length,
        offset: ack.offset,
        epoch: ack.epoch,
      });
    } else {
      sub.adoptPosition(ack ?? {});
    }
    this._flushRecovery(sub);
  }

  /** Delivers the live events held back while a recovering subscribe was in flight. @private @param {Subscription} sub */
  _flushRecovery(sub) {
    sub.recovering = false;
    const held = sub.buffer.splice(0);
    for (const f of held) this._deliverTracked(sub, f);
  }

  /**
   * Delivers an event of a channel with history once per offset; a gap (offsets missing before it) is healed by
   * subscribing again with the last gap-free position, after a short wait for stragglers of concurrent dispatchers.
   * @private @param {Subscription} sub @param {any} frame
   */
  _deliverTracked(sub, frame) {
    const t = sub.track(frame);
    if (t === 'duplicate') {
      this._host.emit('duplicate', frame);
      return;
    }
    this._host.deliver(frame);
    if (t === 'gap' && !sub.gapTimer) {
      sub.gapTimer = this._host.timer(() => {
        sub.gapTimer = null;
        const link = this._host.link();
        if (this._subs.get(sub.channel) !== sub || sub.ahead.size === 0 || !link || link.closed) return;
        if (!sub.sending.has(link)) this._send(sub, link);
      }, GAP_WAIT);
    }
  }

  // ---------------------------------------------------------------- unsubscribe

  /** @private @param {Subscription} sub @param {Function} entry @returns {Promise<void>} */
  _removeHandler(sub, entry) {
    if (!sub.removeHandler(entry)) return Promise.resolve();
    if (sub.handlers.size > 0 || this._subs.get(sub.channel) !== sub) {
      this.changed();
      return Promise.resolve();
    }
    return this._drop(sub);
  }

  /** @private @param {Subscription} sub @returns {Promise<void>} */
  _drop(sub) {
    const host = this._host;
    const channel = sub.channel;
    this._subs.delete(channel);
    const links = [...sub.links].filter((l) => !l.closed && l.opened);
    sub.markUnsubscribed();
    host.emit('unsubscribed', { channel });
    this.changed();
    if (links.length === 0) return Promise.resolve();
    const done = Promise.all(
      links.map((l) =>
        l
          .command({ action: 'unsubscribe', channel, id: host.nextId() }, host.options.commandTimeout)
          .catch((/** @type {RealtimeError} */ err) => {
            if (RESTORE_LATER.has(err.code)) return; // that socket is gone, and with it the server-side subscription
            throw err;
          }),
      ),
    ).then(() => {});
    done.catch(() => {});
    this._unsubscribing.set(channel, done);
    const forget = () => {
      if (this._unsubscribing.get(channel) === done) this._unsubscribing.delete(channel);
    };
    done.then(forget, forget);
    return done;
  }
}
