// RealtimeClient: the browser client of the pyERP Realtime protocol erp.v1 (docs/protocol.md).
// See client-js/README.md for the API, the options and their defaults, the states and the events.
//
// This file is the connection's state machine (idle → connecting → open ⇄ reconnecting → closed): sockets,
// reconnection with backoff, refused handshakes, keepalive and the 2-hour replacement. The rest has its own module:
//   options.js   the options, their defaults and checks      commands.js  command ids, the queue, ping/presence/publish
//   registry.js  the subscriptions: restore, retry, recover  router.js    dedupe and event handlers
//   refresh.js   the token and its refresh                   handshake.js the HTTP probe after a failed handshake
//   subscription.js one channel's subscription, which owns its state; connection.js one socket and its replies.
import { backoff } from './backoff.js';
import { Commands } from './commands.js';
import { Link } from './connection.js';
import { Emitter } from './emitter.js';
import { RealtimeError, errorFromFrame } from './errors.js';
import { serverAnswersHttp } from './handshake.js';
import { DEFAULT_OPTIONS, PROTOCOL, defaultTimers, readOptions } from './options.js';
import { TokenKeeper } from './refresh.js';
import { SubscriptionRegistry } from './registry.js';
import { EventRouter } from './router.js';

export { DEFAULT_OPTIONS, PROTOCOL };

/** The states of a RealtimeClient. */
export const State = Object.freeze({
  /** created, connect() not called yet */
  IDLE: 'idle',
  /** first attempt after connect(): token being fetched, socket opening */
  CONNECTING: 'connecting',
  /** the socket is open: commands are sent, events arrive */
  OPEN: 'open',
  /** the connection failed or was lost: waiting for the next attempt (backoff) or opening a socket */
  RECONNECTING: 'reconnecting',
  /** no connection and no attempt planned: close() was called, the handshake was refused, or attempts ran out */
  CLOSED: 'closed',
});

/** A socket open at least this long counts as stable: the next reconnect starts the backoff afresh. */
const STABLE_AFTER = 10_000;

export class RealtimeClient {
  /** @param {import('./index.js').RealtimeClientOptions} options */
  constructor(options) {
    const { o, url, WebSocket: WebSocketImpl } = readOptions(options);
    /** @private */ this._o = o;
    /** @private */ this._url = url.href;
    /** @private */ this._WebSocket = WebSocketImpl;
    /** @private */ this._fetch = o.fetch !== undefined ? o.fetch : globalThis.fetch?.bind(globalThis);
    /** @private */ this._timers = o.timers ?? defaultTimers;
    /** @private */ this._random = o.random ?? Math.random;
    /** @private */ this._env =
      o.environment !== undefined ? o.environment : typeof window !== 'undefined' ? window : null;
    /** @private */ this._logger = o.logger !== undefined ? o.logger : globalThis.console;

    /** @private @type {string} */ this._state = State.IDLE;
    /** @private */ this._emitter = new Emitter((error, event, listener) =>
      this._handlerError(error, { event, listener }),
    );
    /** @private @type {Link | null} */ this._link = null;
    /** @private @type {Link | null} replacement socket while recycling */ this._nextLink = null;
    /** @private @type {Set<unknown>} */ this._clientTimers = new Set();
    /** @private */ this._reconnectTimer = null;
    /** @private */ this._attempt = 0;
    /** @private */ this._hasOpened = false;
    /** @private */ this._handshakeFailures = 0;
    /** @private */ this._recycleFailures = 0;
    /** @private */ this._generation = 0;
    /** @private */ this._disposed = false;
    /** @private @type {Array<{ resolve: () => void, reject: (e: unknown) => void }>} */ this._openWaiters =
      [];
    /** @private @type {import('./index.js').CloseInfo | null} */ this._closeInfo = null;
    /** @private @type {(() => void) | null} */ this._onOnline = null;
    /** @private */
    this._hooks = {
      timers: this._timers,
      onOpen: (/** @type {Link} */ link) => this._onLinkOpen(link),
      onFrame: (/** @type {Link} */ link, /** @type {any} */ frame, /** @type {boolean} */ wasReply) =>
        this._onFrame(link, frame, wasReply),
      onBadFrame: (
        /** @type {Link} */ link,
        /** @type {unknown} */ _raw,
        /** @type {RealtimeError} */ error,
      ) => {
        if (link === this._link || link === this._nextLink) this._error(error);
      },
      onClose: (/** @type {Link} */ link, /** @type {any} */ info) => this._onLinkClose(link, info),
    };
    const isCurrent = (/** @type {Link} */ link) => link === this._link || link === this._nextLink;
    const openLink = () =>
      this._state === State.OPEN && this._link && this._link.opened ? this._link : null;
    /** @private */
    this._commands = new Commands({
      closed: () => this._disposed || this._state === State.CLOSED,
      openLink,
    });
    /** @private */
    this._router = new EventRouter({
      dedupeWindow: o.dedupeWindow,
      subscription: (channel) => this._subs.get(channel),
      emit: (event, ...args) => this._emit(event, ...args),
      handlerError: (error, context) => this._handlerError(error, context),
    });
    /** @private */
    this._subs = new SubscriptionRegistry({
      options: o,
      random: () => this._random(),
      now: () => this._timers.now(),
      timer: (fn, ms) => this._timer(fn, ms),
      nextId: () => this._commands.nextId(),
      isCurrent,
      link: () => this._link,
      openLink,
      deliver: (frame) => this._router.deliver(frame),
      emit: (event, ...args) => this._emit(event, ...args),
      listening: (event) => this._emitter.listenerCount(event) > 0,
      handlerError: (error, context) => this._handlerError(error, context),
    });
    /** @private */
    this._tokens = new TokenKeeper(o.token, {
      options: o,
      now: () => this._timers.now(),
      isActive: (link) => link === this._link && !link.closed && this._state === State.OPEN,
      nextId: (prefix) => this._commands.nextId(prefix),
      error: (error) => this._error(error),
      emit: (event, ...args) => this._emit(event, ...args),
      replace: (link) => this._recycle(link),
    });
  }

  // ---------------------------------------------------------------- public API

  /** The current state: idle, connecting, open, reconnecting or closed. */
  get state() {
    return this._state;
  }

  /** Why the client is closed (null unless state is closed). */
  get closeInfo() {
    return this._closeInfo;
  }

  /** The WebSocket URL. */
  get url() {
    return this._url;
  }

  /** The options in force, defaults included (the token is left out). */
  get options() {
    const { token: _token, ...rest } = this._o;
    return Object.freeze({ ...rest });
  }

  /** A snapshot of the subscriptions (channel, state, handlers, subscribedAt, eventCount, error). */
  get subscriptions() {
    return this._subs.snapshot();
  }

  /**
   * Starts connecting (idle or closed → connecting). Resolves when the socket is open; rejects with a
   * RealtimeError when the client closes first (refused handshake, close(), attempts exhausted).
   * Calling it while connecting, open or reconnecting only waits.
   * @returns {Promise<void>}
   */
  connect() {
    if (this._disposed)
      return Promise.reject(
        new RealtimeError('CLIENT_CLOSED', 'close() was called on this client; create a new RealtimeClient'),
      );
    /** @type {Promise<void>} */
    const opened = new Promise((resolve, reject) => this._openWaiters.push({ resolve, reject }));
    opened.catch(() => {});
    if (this._state === State.OPEN) {
      this._settleOpenWaiters(null);
    } else if (this._state === State.IDLE || this._state === State.CLOSED) {
      this._generation++;
      this._closeInfo = null;
      this._attempt = 0;
      this._handshakeFailures = 0;
      this._installEnvListeners();
      this._setState(State.CONNECTING, { reason: 'connect' });
      this._openSocket();
    }
    return opened;
  }

  /**
   * Closes the client for good: closes the socket (1000), clears every timer, rejects pending commands
   * with CLIENT_CLOSED, drops subscriptions and handlers and, after the `closed` event, every listener.
   * A closed client cannot connect again: create a new one.
   */
  close() {
    if (this._disposed) return;
    this._disposed = true; // first, so that a 'closed' listener cannot connect() again
    this._finalClose('client-close', null, null);
    const error = new RealtimeError(
      'CLIENT_CLOSED',
      'close() was called before the server acked the subscription',
    );
    this._subs.dispose(error);
    this._router.clear();
    this._emitter.removeAll();
  }

  /**
   * Subscribes `handler` to a channel. Returns a function that removes this handler (and sends
   * `unsubscribe` when it was the channel's last one); the function carries `ready`, a promise that
   * resolves when the server acks the subscription and rejects with its RealtimeError (e.g.
   * CHANNEL_FORBIDDEN). Subscriptions are restored after every reconnect; on channels with history they recover
   * the events missed meanwhile (see the 'recovery' event and `subscription.recovered`).
   * @param {string} channel
   * @param {(event: import('./index.js').RealtimeEvent) => void} handler
   * @param {import('./index.js').SubscribeOptions} [options] `recover`: a position to recover from (new subscriptions only)
   * @returns {import('./index.js').Unsubscribe}
   */
  subscribe(channel, handler, options = {}) {
    if (this._disposed)
      throw new RealtimeError(
        'CLIENT_CLOSED',
        'close() was called on this client; create a new RealtimeClient',
      );
    return this._subs.subscribe(channel, handler, options);
  }

  /**
   * Removes every handler of the channel and sends `unsubscribe`. Resolves on the server's ack (at once
   * when there is no open socket: a new socket starts with no subscription).
   * @param {string} channel
   * @returns {Promise<void>}
   */
  unsubscribe(channel) {
    return this._subs.unsubscribe(channel);
  }

  /**
   * Adds a handler for every event of one type (e.g. 'StockLevelChanged'), whatever its channel, or of
   * every type with '*'. Returns a function that removes it. It does not subscribe to anything.
   * @param {string} eventType
   * @param {(event: import('./index.js').RealtimeEvent) => void} handler
   * @returns {() => void}
   */
  onEventType(eventType, handler) {
    return this._router.onEventType(eventType, handler);
  }

  /**
   * Sends `ping` and resolves with the round trip when the `pong` arrives (queued while connecting).
   * @returns {Promise<{ rtt: number, time: string | undefined }>}
   */
  ping() {
    return this._commands.ping(this._o.pongTimeout, () => this._timers.now());
  }

  /**
   * Who is on a channel whose family has presence: one member per user, with its number of connections
   * (docs/protocol.md, "Presence"). Rejects with PRESENCE_NOT_ENABLED, CHANNEL_FORBIDDEN... Changes arrive as
   * 'join' and 'leave' events of the client (for the channels it is subscribed to).
   * @param {string} channel
   * @returns {Promise<Array<{ userId: string, connections: number }>>}
   */
  presence(channel) {
    return this._commands.presence(channel, this._o.commandTimeout);
  }

  /**
   * Publishes a message to the other subscribers of a room (a channel whose family allows client publish); they
   * receive it as a 'clientMessage' event with `from.userId` taken from this client's token. Resolves on the ack;
   * rejects with PUBLISH_FORBIDDEN, PUBLISH_TOO_BIG, PUBLISH_RATE_LIMITED or INVALID_PAYLOAD (nothing was relayed).
   * @param {string} channel
   * @param {Record<string, unknown>} data
   * @returns {Promise<void>}
   */
  publish(channel, data) {
    return this._commands.publish(channel, data, this._o.commandTimeout);
  }

  /**
   * Sends any other command frame (e.g. to try an action the server does not know) and resolves with the
   * reply frame, or rejects with the server's RealtimeError. Queued while connecting.
   * subscribe/unsubscribe must go through subscribe()/unsubscribe(), which keep the restore list.
   * @param {string} action
   * @param {Record<string, unknown>} [fields]
   * @returns {Promise<any>}
   */
  command(action, fields = {}) {
    return this._commands.command(action, fields, this._o.commandTimeout);
  }

  /**
   * Listens to a client event; returns a function that removes the listener. Events: state, idle,
   * connecting, open, reconnecting, closed, disconnected, event, message, error, subscribed, unsubscribed,
   * subscriptionError, subscriptions, pong, recycling, recycled, duplicate, handlerError, recovery, join, leave,
   * clientMessage.
   * @param {string} event
   * @param {(...args: any[]) => void} listener
   * @returns {() => void}
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

  /** Live timers (client and sockets): 0 after close(). For tests and leak hunting. */
  get pendingTimers() {
    return this._clientTimers.size + (this._link?.timerCount ?? 0) + (this._nextLink?.timerCount ?? 0);
  }

  // ---------------------------------------------------------------- connection

  /** @private */
  async _openSocket() {
    const gen = this._generation;
    let token;
    try {
      token = await this._tokens.resolve();
    } catch (error) {
      if (gen !== this._generation || this._state === State.CLOSED) return;
      const err = /** @type {RealtimeError} */ (error);
      if (/** @type {any} */ (err).fatal) {
        this._finalClose('invalid-token', err, null);
        return;
      }
      this._error(err);
      this._scheduleReconnect('token-error', null);
      return;
    }
    if (gen !== this._generation || this._state === State.CLOSED || this._link) return;
    let ws;
    try {
      ws = new this._WebSocket(this._url, [this._o.protocol, token]);
    } catch (cause) {
      this._finalClose(
        'invalid-token',
        new RealtimeError(
          'TOKEN_ERROR',
          `the WebSocket refused the subprotocols: ${cause instanceof Error ? cause.message : cause}`,
          { cause },
        ),
        null,
      );
      return;
    }
    this._tokens.last = token;
    const link = new Link(ws, this._hooks);
    this._link = link;
    this._armConnectTimeout(link);
  }

  /** @private @param {Link} link */
  _armConnectTimeout(link) {
    /** @type {any} */ (link).connectTimer = link.timer(() => {
      if (!link.opened) link.close(4001, 'connect-timeout');
    }, this._o.connectTimeout);
  }

  /** @private @param {Link} link */
  _onLinkOpen(link) {
    if (link.protocol && link.protocol !== this._o.protocol) {
      const err = new RealtimeError(
        'PROTOCOL_MISMATCH',
        `the server selected subprotocol '${link.protocol.slice(0, 20)}', expected '${this._o.protocol}'`,
      );
      if (link === this._link) {
        this._finalClose('protocol-mismatch', err, null);
        return;
      }
      link.close(1002, 'protocol-mismatch');
      this._error(err);
      return;
    }
    link.clearTimer(/** @type {any} */ (link).connectTimer);
    if (link === this._link) this._activate(link, false);
    else if (link === this._nextLink) this._completeRecycle(link);
    else link.close(1000, 'stale');
  }

  /** @private @param {Link} link @param {boolean} recycled */
  _activate(link, recycled) {
    this._handshakeFailures = 0;
    this._scheduleKeepalive(link);
    this._tokens.schedule(link);
    link.timer(() => this._recycle(link), this._o.maxConnectionAge);
    if (!recycled) {
      const reason = this._hasOpened ? 'reconnected' : 'connected';
      this._hasOpened = true;
      this._settleOpenWaiters(null);
      this._setState(State.OPEN, { reason });
      if (link.closed || link !== this._link) return; // an 'open' listener closed the client
    }
    this._subs.restore(link);
    if (link.closed || link !== this._link) return;
    this._commands.flush(link);
    this._subs.changed();
  }

  /** @private @param {Link} link @param {any} info */
  _onLinkClose(link, info) {
    this._subs.forget(link);
    if (link === this._nextLink) {
      this._nextLink = null;
      this._error(
        new RealtimeError(
          'CONNECTION_LOST',
          `the replacement connection failed (${info.code} ${info.reason}); the current one is kept`,
        ),
      );
      if (this._link && !this._link.closed) this._retryRecycle(this._link);
      return;
    }
    if (link !== this._link) return;
    this._link = null;
    const next = this._nextLink;
    if (next) {
      this._nextLink = null;
      next.close(1000, 'abandoned');
    }
    this._subs.allPending('connection-lost');
    this._emit('disconnected', {
      code: info.code,
      reason: info.reason,
      wasClean: info.wasClean,
      opened: info.opened,
      local: info.local,
    });
    this._subs.changed();
    if (this._state === State.CLOSED) return;
    if (!info.opened) {
      this._onHandshakeFailure(info);
      return;
    }
    if (this._timers.now() - info.openedAt >= STABLE_AFTER) this._attempt = 0;
    this._scheduleReconnect(info.local ? info.reason : 'connection-lost', info);
  }

  /**
   * A socket closed before `open`. Browsers hide the HTTP status of a refused handshake (401/403 and a
   * network failure all look like close 1006), so the client decides like this (README, "Refused handshakes"):
   * an expired token → closed `token-expired` at once; otherwise, when the server answers a plain HTTP
   * request (probe), the failure counts as a refusal, and maxHandshakeFailures refusals in a row → closed
   * `handshake-refused`; an unreachable server (or navigator.onLine false) is a network failure: retried.
   * @private @param {any} info
   */
  async _onHandshakeFailure(info) {
    const gen = this._generation;
    if (info.local && info.reason === 'connect-timeout') {
      this._scheduleReconnect('connect-timeout', info);
      return;
    }
    const expiry = this._tokens.expiry();
    if (expiry !== null && expiry <= this._timers.now()) {
      this._finalClose(
        'token-expired',
        new RealtimeError(
          'UNAUTHORIZED',
          `handshake refused: the token expired at ${new Date(expiry).toISOString()}`,
        ),
        info,
      );
      return;
    }
    const reachable = await serverAnswersHttp(this._url, this._o, this._fetch, {
      timer: (fn, ms) => this._timer(fn, ms),
      clearTimer: (handle) => this._clearTimer(handle),
    });
    if (gen !== this._generation || this._state === State.CLOSED || this._link) return;
    if (reachable) {
      this._handshakeFailures++;
      if (this._handshakeFailures >= this._o.maxHandshakeFailures) {
        this._finalClose(
          'handshake-refused',
          new RealtimeError(
            'UNAUTHORIZED',
            `handshake refused ${this._handshakeFailures} times in a row while the server answered HTTP: token rejected (401) or origin/authorizer denied (403)`,
          ),
          info,
        );
        return;
      }
    }
    this._scheduleReconnect(reachable ? 'handshake-failed' : 'unreachable', info);
  }

  /** @private @param {string} reason @param {any} info */
  _scheduleReconnect(reason, info) {
    if (this._attempt >= this._o.maxReconnectAttempts) {
      this._finalClose(
        'max-attempts',
        new RealtimeError('CLIENT_CLOSED', `gave up after ${this._attempt} reconnect attempts`),
        info,
      );
      return;
    }
    const delay = backoff(this._attempt, this._o, this._random);
    this._attempt++;
    const detail = { reason, attempt: this._attempt, delay, code: info?.code ?? null };
    if (!this._setState(State.RECONNECTING, detail))
      this._emit(State.RECONNECTING, { ...detail, previous: State.RECONNECTING });
    this._reconnectTimer = this._timer(() => {
      this._reconnectTimer = null;
      this._openSocket();
    }, delay);
  }

  /** @private @param {import('./index.js').CloseReason} reason @param {RealtimeError | null} error @param {any} info */
  _finalClose(reason, error, info) {
    if (this._state === State.CLOSED) return;
    this._generation++;
    const link = this._link;
    const next = this._nextLink;
    this._link = null;
    this._nextLink = null;
    for (const handle of this._clientTimers) this._timers.clearTimeout(handle);
    this._clientTimers.clear();
    this._reconnectTimer = null;
    next?.close(1000, 'client closed', 'CLIENT_CLOSED');
    link?.close(1000, reason === 'client-close' ? 'client closed' : reason, 'CLIENT_CLOSED');
    this._commands.rejectQueued(reason);
    this._subs.allPending('client-closed');
    this._removeEnvListeners();
    /** @type {import('./index.js').CloseInfo} */
    const closeInfo = Object.freeze({
      reason,
      code: error ? error.code : null,
      error,
      closeCode: info?.code ?? null,
      closeReason: info?.reason ?? '',
    });
    this._closeInfo = closeInfo;
    // settle the waiters of this attempt before listeners run: a 'closed' listener may call connect() again
    const waiters = this._openWaiters.splice(0);
    const failure = error ?? new RealtimeError('CLIENT_CLOSED', `client closed: ${reason}`);
    for (const w of waiters) w.reject(failure);
    this._subs.changed();
    this._setState(State.CLOSED, closeInfo);
  }

  // ---------------------------------------------------------------- keepalive and recycling

  /**
   * Application-level ping every pingInterval: keeps API Gateway's 10-minute idle timeout away and
   * detects a dead socket (no pong within pongTimeout → closed with 4000 and reconnected).
   * @private @param {Link} link
   */
  _scheduleKeepalive(link) {
    /** @type {any} */ (link).keepalive = link.timer(() => this._keepalive(link), this._o.pingInterval);
  }

  /** @private @param {Link} link */
  _keepalive(link) {
    if (link.closed || link !== this._link) return;
    link.clearTimer(/** @type {any} */ (link).keepalive);
    const started = this._timers.now();
    link.command({ action: 'ping', id: this._commands.nextId() }, this._o.pongTimeout).then(
      (pong) => {
        this._emit('pong', { rtt: this._timers.now() - started, time: pong.time });
      },
      (err) => {
        if (err.code === 'COMMAND_TIMEOUT' && link === this._link && !link.closed) {
          this._error(
            new RealtimeError(
              'COMMAND_TIMEOUT',
              `no pong within ${this._o.pongTimeout} ms: the socket is dead, reconnecting`,
            ),
          );
          link.close(4000, 'pong-timeout');
        }
      },
    );
    if (!link.closed) this._scheduleKeepalive(link);
  }

  /**
   * API Gateway closes every connection after 2 hours. At maxConnectionAge the client opens a second
   * socket, restores every subscription on it, then switches and closes the old one (make before
   * break); events delivered on both during the overlap are deduplicated by eventId.
   * @private @param {Link} old
   */
  async _recycle(old) {
    if (old !== this._link || old.closed || this._nextLink || this._state !== State.OPEN) return;
    this._emit('recycling', { age: this._timers.now() - (old.openedAt ?? this._timers.now()) });
    const gen = this._generation;
    let token;
    try {
      token = await this._tokens.resolve();
    } catch (error) {
      if (gen !== this._generation || old !== this._link) return;
      this._error(/** @type {RealtimeError} */ (error));
      this._retryRecycle(old);
      return;
    }
    if (gen !== this._generation || old !== this._link || old.closed || this._nextLink) return;
    let ws;
    try {
      ws = new this._WebSocket(this._url, [this._o.protocol, token]);
    } catch (cause) {
      this._error(
        new RealtimeError(
          'TOKEN_ERROR',
          `the WebSocket refused the subprotocols: ${cause instanceof Error ? cause.message : cause}`,
          { cause },
        ),
      );
      this._retryRecycle(old);
      return;
    }
    this._tokens.last = token;
    const next = new Link(ws, this._hooks);
    this._nextLink = next;
    this._armConnectTimeout(next);
  }

  /** @private @param {Link} old */
  _retryRecycle(old) {
    const delay = Math.max(1000, backoff(this._recycleFailures++, this._o, this._random));
    old.timer(() => this._recycle(old), delay);
  }

  /** @private @param {Link} next */
  async _completeRecycle(next) {
    await this._subs.restoreOn(next);
    if (this._nextLink !== next || next.closed) return;
    const old = this._link;
    this._nextLink = null;
    this._link = next;
    this._recycleFailures = 0;
    old?.close(1000, 'recycled');
    this._activate(next, true);
    this._emit('recycled', { subscriptions: this._subs.size });
  }

  // ---------------------------------------------------------------- frames

  /** @private @param {Link} link @param {any} frame @param {boolean} wasReply */
  _onFrame(link, frame, wasReply) {
    if (link !== this._link && link !== this._nextLink) return;
    this._emit('message', frame);
    if (frame.type === 'event') {
      this._onEvent(frame);
    } else if (!wasReply && (frame.type === 'join' || frame.type === 'leave')) {
      this._emit(frame.type, { channel: frame.channel, member: frame.member });
    } else if (!wasReply && frame.type === 'message') {
      this._emit('clientMessage', { channel: frame.channel, from: frame.from, data: frame.data });
    } else if (frame.type === 'error') {
      const err = errorFromFrame(frame);
      if (!wasReply) this._error(err);
      if (err.code === 'SESSION_REVOKED') {
        // the ERP ended the user's sessions: reconnecting with the same sign-in would defeat it
        this._finalClose('session-revoked', err, null);
        return;
      }
      if (!err.keepsConnection && err.number !== null && !link.closed)
        link.close(4000, `server error ${err.code}`.slice(0, 100));
    }
  }

  /** @private @param {any} frame */
  _onEvent(frame) {
    if (typeof frame.channel !== 'string') {
      this._error(new RealtimeError('BAD_SERVER_FRAME', 'event frame without a string channel'));
      return;
    }
    this._subs.onEvent(frame);
  }

  // ---------------------------------------------------------------- helpers

  /** @private @param {string} to @param {object} detail @returns {boolean} whether the state changed */
  _setState(to, detail) {
    const previous = this._state;
    if (previous === to) return false;
    this._state = to;
    const payload = { ...detail, state: to, previous };
    this._emit('state', payload);
    this._emit(to, payload);
    return true;
  }

  /** @private @param {RealtimeError | null} error */
  _settleOpenWaiters(error) {
    const waiters = this._openWaiters.splice(0);
    for (const w of waiters)
      if (error) w.reject(error);
      else w.resolve();
  }

  /** @private @param {string} event @param {...unknown} args */
  _emit(event, ...args) {
    return this._emitter.emit(event, ...args);
  }

  /** @private @param {RealtimeError} error */
  _error(error) {
    if (this._emit('error', error) === 0)
      this._logger?.warn?.(`[RealtimeClient] ${error.code}: ${error.message}`);
  }

  /** @private @param {unknown} error @param {{ event?: string, channel?: string, eventType?: string, listener?: Function, payload?: unknown }} context */
  _handlerError(error, context) {
    if (context.event !== 'handlerError' && this._emitter.listenerCount('handlerError') > 0) {
      this._emit('handlerError', { error, ...context });
    } else {
      this._logger?.error?.(
        '[RealtimeClient] a handler threw',
        context.channel ?? context.eventType ?? context.event,
        error,
      );
    }
  }

  /** @private @param {() => void} fn @param {number} ms */
  _timer(fn, ms) {
    const handle = this._timers.setTimeout(() => {
      this._clientTimers.delete(handle);
      fn();
    }, ms);
    this._clientTimers.add(handle);
    return handle;
  }

  /** @private @param {unknown} handle */
  _clearTimer(handle) {
    if (this._clientTimers.delete(handle)) this._timers.clearTimeout(handle);
  }

  /** @private */
  _installEnvListeners() {
    const env = this._env;
    if (!env || typeof env.addEventListener !== 'function' || this._onOnline) return;
    // back online: retry now instead of waiting for the backoff; when open, check the socket with a ping
    this._onOnline = () => {
      if (this._state === State.RECONNECTING && this._reconnectTimer !== null) {
        this._clearTimer(this._reconnectTimer);
        this._reconnectTimer = null;
        this._openSocket();
      } else if (this._state === State.OPEN && this._link) {
        this._keepalive(this._link);
      }
    };
    env.addEventListener('online', this._onOnline);
  }

  /** @private */
  _removeEnvListeners() {
    if (this._onOnline && this._env) this._env.removeEventListener('online', this._onOnline);
    this._onOnline = null;
  }
}
