// Commands and their replies, on the client's side of the socket: command ids, the queue of commands sent
// before the socket is open (sent in order on `open`), and the request commands of the public API (ping,
// presence, publish and any other action). A sent command waits for its reply on the socket that carried it
// (Link, connection.js): a reply always comes back on that socket, so its pending commands fail with it.
import { assertChannel } from './channel.js';
import { RealtimeError } from './errors.js';

/**
 * @typedef {object} CommandHost
 * @property {() => boolean} closed          whether the client is closed (commands are refused)
 * @property {() => (import('./connection.js').Link | null)} openLink  the socket to send on now, or null to queue
 */

export class Commands {
  /** @param {CommandHost} host */
  constructor(host) {
    /** @private */ this._host = host;
    /** @private */ this._seq = 0;
    /** @private @type {Array<{ frame: any, timeout: number, resolve: (f: any) => void, reject: (e: unknown) => void }>} */
    this._queue = [];
  }

  /** A new command id, unique within the client ('c1', 'c2'...; 'r7' for a refresh). */
  nextId(prefix = 'c') {
    return `${prefix}${++this._seq}`;
  }

  /** How many commands wait for the socket to open. */
  get queued() {
    return this._queue.length;
  }

  /**
   * Sends a command on the open socket, or queues it until one opens; resolves with the reply frame.
   * @param {any} frame @param {number} timeout @returns {Promise<any>}
   */
  send(frame, timeout) {
    if (this._host.closed()) {
      return Promise.reject(
        new RealtimeError('CLIENT_CLOSED', `client is closed; '${frame.action}' not sent`, {
          id: frame.id,
          action: frame.action,
        }),
      );
    }
    const link = this._host.openLink();
    if (link) return link.command(frame, timeout);
    return new Promise((resolve, reject) => this._queue.push({ frame, timeout, resolve, reject }));
  }

  /** Sends the queued commands, in order, on a socket that just opened. @param {import('./connection.js').Link} link */
  flush(link) {
    const queued = this._queue.splice(0);
    for (const q of queued) link.command(q.frame, q.timeout).then(q.resolve, q.reject);
  }

  /** Rejects every queued command with CLIENT_CLOSED: the client closed before they were sent. @param {string} reason */
  rejectQueued(reason) {
    const queued = this._queue.splice(0);
    for (const q of queued)
      q.reject(
        new RealtimeError('CLIENT_CLOSED', `client closed (${reason}) before '${q.frame.action}' was sent`, {
          id: q.frame.id,
          action: q.frame.action,
        }),
      );
  }

  // ---------------------------------------------------------------- the request commands of the public API

  /**
   * `ping`; resolves with the round trip when the `pong` arrives.
   * @param {number} timeout @param {() => number} now
   * @returns {Promise<{ rtt: number, time: string | undefined }>}
   */
  ping(timeout, now) {
    const started = now();
    return this.send({ action: 'ping', id: this.nextId() }, timeout).then((pong) => ({
      rtt: now() - started,
      time: pong.time,
    }));
  }

  /**
   * `presence`: the members of a channel with presence.
   * @param {string} channel @param {number} timeout
   * @returns {Promise<Array<{ userId: string, connections: number }>>}
   */
  presence(channel, timeout) {
    assertChannel(channel);
    return this.send({ action: 'presence', channel, id: this.nextId() }, timeout).then(
      (/** @type {any} */ reply) => (Array.isArray(reply.members) ? reply.members : []),
    );
  }

  /**
   * `publish`: a message to the other subscribers of a room; resolves on the ack.
   * @param {string} channel @param {Record<string, unknown>} data @param {number} timeout
   * @returns {Promise<void>}
   */
  publish(channel, data, timeout) {
    assertChannel(channel);
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new TypeError(`publish('${channel}', data): data must be a plain object`);
    return this.send({ action: 'publish', channel, data, id: this.nextId() }, timeout).then(() => undefined);
  }

  /**
   * Any other action; resolves with the reply frame. subscribe/unsubscribe are refused: they go through the
   * subscription registry, which restores them after reconnects.
   * @param {string} action @param {Record<string, unknown>} fields @param {number} timeout
   * @returns {Promise<any>}
   */
  command(action, fields, timeout) {
    if (typeof action !== 'string') throw new TypeError('command(action, fields): action must be a string');
    if (action === 'subscribe' || action === 'unsubscribe')
      throw new TypeError(
        `use client.${action}(channel, ...) for '${action}': it keeps the subscriptions restored after reconnects`,
      );
    return this.send({ ...fields, action, id: this.nextId() }, timeout);
  }
}
