// RealtimeClient: the browser client of the pyERP Realtime protocol erp.v1 (docs/protocol.md).
// See client-js/README.md for the API, the options and their defaults, the states and the events.
import { backoff, validateBackoff } from './backoff.js';
import { RETRYABLE_CODES } from './codes.js';
import { Link } from './connection.js';
import { Emitter } from './emitter.js';
import { RealtimeError, errorFromFrame } from './errors.js';
import { Subscription, assertChannel } from './subscription.js';
import { SUBPROTOCOL_TOKEN, tokenExpiry } from './token.js';

/** The subprotocol of the client protocol. */
export const PROTOCOL = 'erp.v1';

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

/** Errors after which a subscribe is tried again on the same socket (a few times, with backoff). */
// retried by the client: what the error-code catalogue marks retryable, and its own command timeout
const TRANSIENT = new Set([...RETRYABLE_CODES, 'COMMAND_TIMEOUT']);
/** Errors after which a subscription waits for the next socket instead of failing. */
const RESTORE_LATER = new Set(['CONNECTION_LOST', 'CLIENT_CLOSED', 'NOT_CONNECTED']);
const SUBSCRIBE_RETRIES = 3;
/** How long a gap in a channel's offsets may stay open (events of concurrent dispatchers may cross) before the client recovers it. */
const GAP_WAIT = 1000;
/** A socket open at least this long counts as stable: the next reconnect starts the backoff afresh. */
const STABLE_AFTER = 10_000;

const defaultTimers = Object.freeze({
  setTimeout: (/** @type {() => void} */ fn, /** @type {number} */ ms) => setTimeout(fn, ms),
  clearTimeout: (/** @type {any} */ handle) => clearTimeout(handle),
  now: () => Date.now(),
});

export class RealtimeClient {
  /** @param {import('./index.js').RealtimeClientOptions} options */
  constructor(options) {
    if (options === null || typeof options !== 'object')
      throw new TypeError('new RealtimeClient(options): an options object is required');
    /** @type {any} */
    const o = { ...DEFAULT_OPTIONS };
    for (const [k, v] of Object.entries(options)) if (v !== undefined) o[k] = v;

    let url;
    try {
      url = new URL(o.url);
    } catch {
      throw new TypeError(
        `options.url must be an absolute ws:// or wss:// URL, got ${JSON.stringify(o.url)}`,
      );
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

    /** @private */ this._o = o;
    /** @private */ this._url = url.href;
    /** @private */ this._token = o.token;
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
    /** @private @type {Map<string, Subscription>} */ this._subs = new Map();
    /** @private @type {Map<string, Promise<void>>} */ this._unsubscribing = new Map();
    /** @private @type {Map<string, Set<Function>>} */ this._typeHandlers = new Map();
    /** @private @type {Array<{ frame: any, timeout: number, resolve: (f: any) => void, reject: (e: unknown) => void }>} */ this._queue =
      [];
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
    /** @private */ this._seq = 0;
    /** @private @type {Map<string, true>} */ this._seen = new Map();
    /** @private @type {Array<{ resolve: () => void, reject: (e: unknown) => void }>} */ this._openWaiters =
      [];
    /** @private @type {import('./index.js').CloseInfo | null} */ this._closeInfo = null;
    /** @private @type {string | null} */ this._lastToken = null;
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
    return [...this._subs.values()].map((s) => s.toJSON());
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
    for (const sub of this._subs.values()) sub.markUnsubscribed(error);
    this._subs.clear();
    this._typeHandlers.clear();
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
    assertChannel(channel);
    if (typeof handler !== 'function')
      throw new TypeError(`subscribe('${channel}', handler): handler must be a function`);
    let sub = this._subs.get(channel);
    const isNew = !sub;
    if (!sub) {
      sub = new Subscription(channel, (error, fn, event) =>
        this._handlerError(error, { channel, listener: fn, payload: event }),
      );
      this._subs.set(channel, sub);
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
        sub.offset = from.offset;
        sub.epoch = from.epoch;
      }
    }
    const s = sub;
    const entry = s.addHandler(handler);
    if (isNew && this._state === State.OPEN && this._link && this._link.opened)
      this._sendSubscribe(s, this._link);
    this._subsChanged();
    /** @type {any} */
    const unsubscribe = () => this._removeHandler(s, entry);
    unsubscribe.channel = channel;
    unsubscribe.ready = s.ready;
    unsubscribe.subscription = s;
    return /** @type {import('./index.js').Unsubscribe} */ (unsubscribe);
  }

  /**
   * Removes every handler of the channel and sends `unsubscribe`. Resolves on the server's ack (at once
   * when there is no open socket: a new socket starts with no subscription).
   * @param {string} channel
   * @returns {Promise<void>}
   */
  unsubscribe(channel) {
    const sub = this._subs.get(channel);
    return sub ? this._dropSubscription(sub) : Promise.resolve();
  }

  /**
   * Adds a handler for every event of one type (e.g. 'StockLevelChanged'), whatever its channel, or of
   * every type with '*'. Returns a function that removes it. It does not subscribe to anything.
   * @param {string} eventType
   * @param {(event: import('./index.js').RealtimeEvent) => void} handler
   * @returns {() => void}
   */
  onEventType(eventType, handler) {
    if (typeof eventType !== 'string' || !eventType)
      throw new TypeError('onEventType(eventType, handler): eventType must be a non-empty string');
    if (typeof handler !== 'function')
      throw new TypeError('onEventType(eventType, handler): handler must be a function');
    let set = this._typeHandlers.get(eventType);
    if (!set) this._typeHandlers.set(eventType, (set = new Set()));
    const entry = (/** @type {any} */ e) => handler(e);
    entry.handler = handler;
    set.add(entry);
    return () => {
      const current = this._typeHandlers.get(eventType);
      if (current && current.delete(entry) && current.size === 0) this._typeHandlers.delete(eventType);
    };
  }

  /**
   * Sends `ping` and resolves with the round trip when the `pong` arrives (queued while connecting).
   * @returns {Promise<{ rtt: number, time: string | undefined }>}
   */
  ping() {
    const started = this._timers.now();
    return this._enqueue({ action: 'ping', id: this._nextId() }, this._o.pongTimeout).then((pong) => ({
      rtt: this._timers.now() - started,
      time: pong.time,
    }));
  }

  /**
   * Who is on a channel whose family has presence: one member per user, with its number of connections
   * (docs/protocol.md, "Presence"). Rejects with PRESENCE_NOT_ENABLED, CHANNEL_FORBIDDEN... Changes arrive as
   * 'join' and 'leave' events of the client (for the channels it is subscribed to).
   * @param {string} channel
   * @returns {Promise<Array<{ userId: string, connections: number }>>}
   */
  presence(channel) {
    assertChannel(channel);
    return this._enqueue({ action: 'presence', channel, id: this._nextId() }, this._o.commandTimeout).then(
      (/** @type {any} */ reply) => (Array.isArray(reply.members) ? reply.members : []),
    );
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
    assertChannel(channel);
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new TypeError(`publish('${channel}', data): data must be a plain object`);
    return this._enqueue(
      { action: 'publish', channel, data, id: this._nextId() },
      this._o.commandTimeout,
    ).then(() => undefined);
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
    if (typeof action !== 'string') throw new TypeError('command(action, fields): action must be a string');
    if (action === 'subscribe' || action === 'unsubscribe')
      throw new TypeError(
        `use client.${action}(channel, ...) for '${action}': it keeps the subscriptions restored after reconnects`,
      );
    return this._enqueue({ ...fields, action, id: this._nextId() }, this._o.commandTimeout);
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
      token = await this._resolveToken();
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
    this._lastToken = token;
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

  /** @private @returns {Promise<string>} */
  async _resolveToken() {
    let token;
    if (typeof this._token === 'function') {
      try {
        token = await this._token();
      } catch (cause) {
        throw new RealtimeError(
          'TOKEN_ERROR',
          `the token function failed: ${cause instanceof Error ? cause.message : cause}`,
          { cause },
        );
      }
    } else {
      token = this._token;
    }
    if (typeof token !== 'string' || !SUBPROTOCOL_TOKEN.test(token)) {
      const err = new RealtimeError(
        'TOKEN_ERROR',
        `the token function returned ${typeof token === 'string' ? 'a string that is not a JWT' : typeof token}, not a JWT`,
      );
      /** @type {any} */ (err).fatal = true;
      throw err;
    }
    return token;
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
    this._scheduleRefresh(link);
    link.timer(() => this._recycle(link), this._o.maxConnectionAge);
    if (!recycled) {
      const reason = this._hasOpened ? 'reconnected' : 'connected';
      this._hasOpened = true;
      this._settleOpenWaiters(null);
      this._setState(State.OPEN, { reason });
      if (link.closed || link !== this._link) return; // an 'open' listener closed the client
    }
    for (const sub of [...this._subs.values()]) {
      if (link.closed || link !== this._link) return;
      if (!sub.links.has(link) && !sub.sending.has(link)) this._sendSubscribe(sub, link);
    }
    const queued = this._queue.splice(0);
    for (const q of queued) link.command(q.frame, q.timeout).then(q.resolve, q.reject);
    this._subsChanged();
  }

  /** @private @param {Link} link @param {any} info */
  _onLinkClose(link, info) {
    for (const sub of this._subs.values()) {
      sub.links.delete(link);
      sub.sending.delete(link);
    }
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
    for (const sub of this._subs.values()) sub.markPending('connection-lost');
    this._emit('disconnected', {
      code: info.code,
      reason: info.reason,
      wasClean: info.wasClean,
      opened: info.opened,
      local: info.local,
    });
    this._subsChanged();
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
    const expiry = this._lastToken ? tokenExpiry(this._lastToken) : null;
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
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    const reachable = offline ? false : await this._probe();
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

  /**
   * Whether the server answers a plain HTTP request at the WebSocket URL (any status counts).
   * @private @returns {Promise<boolean>}
   */
  async _probe() {
    if (!this._o.probe || typeof this._fetch !== 'function') return true;
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    const timer = this._timer(() => controller?.abort(), this._o.probeTimeout);
    try {
      await this._fetch(this._url.replace(/^ws/, 'http'), {
        method: 'GET',
        mode: 'no-cors',
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'manual',
        signal: controller?.signal,
      });
      return true;
    } catch {
      return false;
    } finally {
      this._clearTimer(timer);
    }
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
    const queued = this._queue.splice(0);
    for (const q of queued)
      q.reject(
        new RealtimeError('CLIENT_CLOSED', `client closed (${reason}) before '${q.frame.action}' was sent`, {
          id: q.frame.id,
          action: q.frame.action,
        }),
      );
    for (const sub of this._subs.values()) sub.markPending('client-closed');
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
    this._subsChanged();
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
    link.command({ action: 'ping', id: this._nextId() }, this._o.pongTimeout).then(
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
   * The server closes a connection when its token expires (TOKEN_EXPIRED). With a token function, the client
   * hands over a fresh token `refreshBefore` ms before the current one's `exp` (the `refresh` command), without
   * reconnecting; if the server refuses it, the client replaces the connection instead (a new handshake with a
   * fresh token). A fixed token string cannot be refreshed: the connection then ends with the token.
   * @private @param {Link} link
   */
  _scheduleRefresh(link) {
    if (typeof this._token !== 'function' || !this._lastToken) return;
    const expiry = tokenExpiry(this._lastToken);
    if (expiry === null) return;
    const delay = Math.max(1000, expiry - this._o.refreshBefore - this._timers.now());
    link.timer(() => this._refreshToken(link), delay);
  }

  /** @private @param {Link} link */
  async _refreshToken(link) {
    if (link !== this._link || link.closed || this._state !== State.OPEN) return;
    let token;
    try {
      token = await this._resolveToken();
    } catch (err) {
      this._error(err instanceof RealtimeError ? err : new RealtimeError('TOKEN_ERROR', String(err)));
      if (link === this._link && !link.closed) this._recycle(link);
      return;
    }
    if (link !== this._link || link.closed) return;
    try {
      const reply = await link.command(
        { action: 'refresh', token, id: `r${++this._seq}` },
        this._o.commandTimeout,
      );
      this._lastToken = token;
      this._emit('tokenRefreshed', { expiresAt: reply.expiresAt });
      if (link === this._link && !link.closed) this._scheduleRefresh(link);
    } catch (err) {
      this._error(err instanceof RealtimeError ? err : new RealtimeError('REFRESH_REFUSED', String(err)));
      // the server kept the old token: replace the connection before it expires
      if (link === this._link && !link.closed) this._recycle(link);
    }
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
      token = await this._resolveToken();
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
    this._lastToken = token;
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
    const subs = [...this._subs.values()];
    await Promise.all(subs.map((sub) => this._sendSubscribe(sub, next)));
    if (this._nextLink !== next || next.closed) return;
    const old = this._link;
    this._nextLink = null;
    this._link = next;
    this._recycleFailures = 0;
    old?.close(1000, 'recycled');
    this._activate(next, true);
    this._emit('recycled', { subscriptions: this._subs.size });
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * Sends `subscribe` for `sub` on `link` and handles the answer. Never rejects.
   * @private @param {Subscription} sub @param {Link} link @returns {Promise<void>}
   */
  _sendSubscribe(sub, link) {
    const channel = sub.channel;
    const current = () =>
      this._subs.get(channel) === sub && !link.closed && (link === this._link || link === this._nextLink);
    const pendingUnsub = this._unsubscribing.get(channel);
    sub.sending.add(link);
    sub.markSubscribing();
    if (pendingUnsub) {
      // an unsubscribe of the same channel is in flight: let the server apply it first
      const go = () => {
        sub.sending.delete(link);
        return current() && !sub.links.has(link) ? this._sendSubscribe(sub, link) : undefined;
      };
      return pendingUnsub.then(go, go);
    }
    /** @type {any} */
    const frame = { action: 'subscribe', channel, id: this._nextId() };
    const from = sub.position();
    if (from) {
      frame.recover = from;
      sub.recovering = true;
    }
    return link.command(frame, this._o.commandTimeout).then(
      (/** @type {any} */ ack) => {
        sub.sending.delete(link);
        if (this._subs.get(channel) === sub) this._onSubscribeAck(sub, ack, from);
        if (this._subs.get(channel) !== sub) {
          // unsubscribed while the subscribe was in flight: undo it on the server
          if (!link.closed)
            link
              .command({ action: 'unsubscribe', channel, id: this._nextId() }, this._o.commandTimeout)
              .catch(() => {});
          return;
        }
        sub.links.add(link);
        const restored = sub.subscribedAt !== null;
        sub.markSubscribed(this._timers.now());
        this._emit('subscribed', { channel, restored });
        this._subsChanged();
      },
      (/** @type {RealtimeError} */ err) => {
        sub.sending.delete(link);
        if (from) this._flushRecovery(sub);
        if (this._subs.get(channel) !== sub) return;
        if (RESTORE_LATER.has(err.code)) {
          sub.markDeferred(err.code);
          this._subsChanged();
          return;
        }
        if (TRANSIENT.has(err.code) && sub.retries < SUBSCRIBE_RETRIES && current()) {
          const delay = backoff(sub.retries++, this._o, this._random);
          this._emit('subscriptionError', { channel, error: err, willRetry: true });
          this._timer(() => {
            if (current() && !sub.links.has(link) && !sub.sending.has(link)) this._sendSubscribe(sub, link);
          }, delay);
          return;
        }
        this._subs.delete(channel);
        sub.markFailed(err);
        this._emit('subscriptionError', { channel, error: err, willRetry: false });
        this._subsChanged();
      },
    );
  }

  /**
   * The position in a subscribe ack: on a recovering subscribe, the missed events (in offset order) are delivered
   * before the live events that arrived meanwhile, and `recovered` tells the application whether its state is
   * complete (docs/protocol.md, "Recovery").
   * @private @param {Subscription} sub @param {any} ack @param {{ offset: number, epoch: string } | null} from
   */
  _onSubscribeAck(sub, ack, from) {
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
      this._emit('recovery', {
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
      this._emit('duplicate', frame);
      return;
    }
    this._deliverEvent(frame);
    if (t === 'gap' && !sub.gapTimer) {
      sub.gapTimer = this._timer(() => {
        sub.gapTimer = null;
        const link = this._link;
        if (this._subs.get(sub.channel) !== sub || sub.ahead.size === 0 || !link || link.closed) return;
        if (!sub.sending.has(link)) this._sendSubscribe(sub, link);
      }, GAP_WAIT);
    }
  }

  /** @private @param {Subscription} sub @param {Function} entry @returns {Promise<void>} */
  _removeHandler(sub, entry) {
    if (!sub.removeHandler(entry)) return Promise.resolve();
    if (sub.handlers.size > 0 || this._subs.get(sub.channel) !== sub) {
      this._subsChanged();
      return Promise.resolve();
    }
    return this._dropSubscription(sub);
  }

  /** @private @param {Subscription} sub @returns {Promise<void>} */
  _dropSubscription(sub) {
    const channel = sub.channel;
    this._subs.delete(channel);
    const links = [...sub.links].filter((l) => !l.closed && l.opened);
    sub.markUnsubscribed();
    this._emit('unsubscribed', { channel });
    this._subsChanged();
    if (links.length === 0) return Promise.resolve();
    const done = Promise.all(
      links.map((l) =>
        l
          .command({ action: 'unsubscribe', channel, id: this._nextId() }, this._o.commandTimeout)
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

  /** @private */
  _subsChanged() {
    if (this._emitter.listenerCount('subscriptions') > 0) this._emit('subscriptions', this.subscriptions);
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
    const sub = this._subs.get(frame.channel);
    if (sub && typeof frame.offset === 'number') {
      if (sub.recovering) sub.buffer.push(frame);
      else this._deliverTracked(sub, frame);
      return;
    }
    this._deliverEvent(frame);
  }

  /** Dedupes on eventId and calls the handlers. @private @param {any} frame */
  _deliverEvent(frame) {
    if (typeof frame.eventId === 'string' && this._o.dedupeWindow > 0) {
      const key = `${frame.channel}\n${frame.eventId}`;
      if (this._seen.has(key)) {
        this._emit('duplicate', frame);
        return;
      }
      this._seen.set(key, true);
      const oldest = this._seen.size > this._o.dedupeWindow ? this._seen.keys().next().value : undefined;
      if (oldest !== undefined) this._seen.delete(oldest);
    }
    this._subs.get(frame.channel)?.dispatch(frame);
    for (const key of [frame.eventType, '*']) {
      const set = typeof key === 'string' ? this._typeHandlers.get(key) : undefined;
      if (!set) continue;
      for (const entry of [...set]) {
        try {
          entry(frame);
        } catch (error) {
          this._handlerError(error, {
            eventType: key,
            listener: /** @type {any} */ (entry).handler,
            payload: frame,
          });
        }
      }
    }
    this._emit('event', frame);
  }

  // ---------------------------------------------------------------- helpers

  /** @private @param {any} frame @param {number} timeout @returns {Promise<any>} */
  _enqueue(frame, timeout) {
    if (this._disposed || this._state === State.CLOSED) {
      return Promise.reject(
        new RealtimeError('CLIENT_CLOSED', `client is closed; '${frame.action}' not sent`, {
          id: frame.id,
          action: frame.action,
        }),
      );
    }
    if (this._state === State.OPEN && this._link && this._link.opened)
      return this._link.command(frame, timeout);
    return new Promise((resolve, reject) => this._queue.push({ frame, timeout, resolve, reject }));
  }

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

  /** @private */
  _nextId() {
    return `c${++this._seq}`;
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
