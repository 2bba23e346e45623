// Link: one WebSocket of a RealtimeClient, with the commands waiting for their reply on it.
// Internal: the client has one active link, and a second one while it replaces a link that nears
// API Gateway's 2-hour limit. Replies always come back on the socket that carried the command, so
// pending commands belong to the link and fail with CONNECTION_LOST when it closes.
import { RealtimeError, errorFromFrame } from './errors.js';

// API Gateway closes the socket (1009) on a frame over MAX_FRAME_BYTES (32 KB, limits.json): refuse to send one.
import { MAX_FRAME_BYTES } from './limits.js';

export { MAX_FRAME_BYTES };

const encoder = new TextEncoder();

/**
 * @typedef {object} LinkHooks
 * @property {{ setTimeout: (fn: () => void, ms: number) => unknown, clearTimeout: (handle: unknown) => void, now: () => number }} timers
 * @property {(link: Link) => void} onOpen
 * @property {(link: Link, frame: any, wasReply: boolean) => void} onFrame  every parsed server frame (wasReply: it answered a pending command)
 * @property {(link: Link, raw: unknown, error: RealtimeError) => void} onBadFrame
 * @property {(link: Link, info: LinkCloseInfo) => void} onClose
 */

/**
 * @typedef {object} LinkCloseInfo
 * @property {number} code       WebSocket close code (1006 when the browser gives no other)
 * @property {string} reason     close reason, or the client's own reason for closing
 * @property {boolean} wasClean
 * @property {boolean} opened    whether the socket ever reached `open`
 * @property {boolean} local     whether the client closed it itself
 * @property {number|null} openedAt
 */

let linkSeq = 0;

export class Link {
  /**
   * @param {any} ws a WebSocket (browser, undici, ws, or a test double)
   * @param {LinkHooks} hooks
   */
  constructor(ws, hooks) {
    this.id = ++linkSeq;
    this.ws = ws;
    this.hooks = hooks;
    this.opened = false;
    /** @type {number|null} */
    this.openedAt = null;
    this.closed = false;
    /** @type {Map<string, { resolve: (frame: any) => void, reject: (e: RealtimeError) => void, timer: unknown, command: any }>} */
    this.pending = new Map();
    /** @type {Set<unknown>} */
    this._timers = new Set();

    ws.onopen = () => {
      if (this.closed) return;
      this.opened = true;
      this.openedAt = hooks.timers.now();
      hooks.onOpen(this);
    };
    ws.onmessage = (/** @type {{ data: unknown }} */ e) => this._onMessage(e.data);
    // Browsers follow an error with a close event (1006); node's undici WebSocket (node 20) fires only the
    // error when the handshake is refused. An error always means a failed connection, i.e. close 1006.
    ws.onerror = () =>
      this._finish(
        {
          code: 1006,
          reason: this.opened ? 'connection error' : 'handshake failed',
          wasClean: false,
          local: false,
        },
        'CONNECTION_LOST',
      );
    ws.onclose = (/** @type {{ code?: number, reason?: string, wasClean?: boolean }} */ e) =>
      this._finish(
        { code: e?.code ?? 1006, reason: e?.reason ?? '', wasClean: !!e?.wasClean, local: false },
        'CONNECTION_LOST',
      );
  }

  /** The subprotocol the server selected ('' when the implementation does not say). */
  get protocol() {
    return typeof this.ws.protocol === 'string' ? this.ws.protocol : '';
  }

  /**
   * A timer that dies with the link.
   * @param {() => void} fn
   * @param {number} ms
   */
  timer(fn, ms) {
    const handle = this.hooks.timers.setTimeout(() => {
      this._timers.delete(handle);
      fn();
    }, ms);
    this._timers.add(handle);
    return handle;
  }

  /** @param {unknown} handle */
  clearTimer(handle) {
    if (this._timers.delete(handle)) this.hooks.timers.clearTimeout(handle);
  }

  /** Number of live timers (for tests of the cleanup). */
  get timerCount() {
    return this._timers.size;
  }

  /**
   * Sends a command and waits for its reply (`ack`/`pong`/`refreshed`/`presence` resolves, `error` rejects with the server's code).
   * @param {{ action: string, id: string, channel?: string, token?: string }} frame
   * @param {number} timeoutMs
   * @returns {Promise<any>} the reply frame
   */
  command(frame, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.closed || !this.opened) {
        reject(
          new RealtimeError('CONNECTION_LOST', `socket closed before '${frame.action}' was sent`, {
            id: frame.id,
            action: frame.action,
            channel: frame.channel,
          }),
        );
        return;
      }
      const text = JSON.stringify(frame);
      const bytes = encoder.encode(text).length;
      if (bytes > MAX_FRAME_BYTES) {
        reject(
          new RealtimeError(
            'MESSAGE_TOO_BIG',
            `frame of ${bytes} bytes is over the ${MAX_FRAME_BYTES}-byte limit; not sent`,
            { id: frame.id, action: frame.action, channel: frame.channel },
          ),
        );
        return;
      }
      const timer = this.timer(() => {
        this.pending.delete(frame.id);
        reject(
          new RealtimeError(
            'COMMAND_TIMEOUT',
            `no reply to '${frame.action}' (id ${frame.id}) within ${timeoutMs} ms`,
            { id: frame.id, action: frame.action, channel: frame.channel },
          ),
        );
      }, timeoutMs);
      this.pending.set(frame.id, { resolve, reject, timer, command: frame });
      try {
        this.ws.send(text);
      } catch (cause) {
        this.pending.delete(frame.id);
        this.clearTimer(timer);
        reject(
          new RealtimeError(
            'CONNECTION_LOST',
            `could not send '${frame.action}': ${cause instanceof Error ? cause.message : cause}`,
            { id: frame.id, action: frame.action, channel: frame.channel, cause },
          ),
        );
      }
    });
  }

  /**
   * Closes the socket from the client side. Pending commands fail with `rejectCode`. The onClose hook is
   * called at once (a dead socket may never deliver its close event).
   * @param {number} code 1000 or 3000-4999 (what browsers accept)
   * @param {string} reason
   * @param {string} [rejectCode]
   */
  close(code, reason, rejectCode = 'CONNECTION_LOST') {
    if (this.closed) return;
    try {
      this.ws.close(code, reason);
    } catch {
      // already closing, or an implementation that refuses the code: the socket is abandoned either way
    }
    this._finish({ code, reason, wasClean: false, local: true }, rejectCode);
  }

  /**
   * @param {{ code: number, reason: string, wasClean: boolean, local: boolean }} info
   * @param {string} rejectCode
   */
  _finish(info, rejectCode) {
    if (this.closed) return;
    this.closed = true;
    this.ws.onopen = this.ws.onmessage = this.ws.onclose = null;
    this.ws.onerror = null;
    for (const handle of this._timers) this.hooks.timers.clearTimeout(handle);
    this._timers.clear();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      p.reject(
        new RealtimeError(
          rejectCode,
          `socket closed before the reply to '${p.command.action}' (id ${p.command.id})`,
          { id: p.command.id, action: p.command.action, channel: p.command.channel },
        ),
      );
    }
    this.hooks.onClose(this, { ...info, opened: this.opened, openedAt: this.openedAt });
  }

  /** @param {unknown} data */
  _onMessage(data) {
    if (this.closed) return;
    let frame;
    try {
      if (typeof data !== 'string') throw new Error(`binary frame (${Object.prototype.toString.call(data)})`);
      frame = JSON.parse(data);
      if (
        frame === null ||
        typeof frame !== 'object' ||
        Array.isArray(frame) ||
        typeof frame.type !== 'string'
      )
        throw new Error('not a JSON object with a string "type"');
    } catch (cause) {
      this.hooks.onBadFrame(
        this,
        data,
        new RealtimeError(
          'BAD_SERVER_FRAME',
          `unreadable server frame: ${cause instanceof Error ? cause.message : cause}`,
          { cause },
        ),
      );
      return;
    }
    const waiting =
      typeof frame.id === 'string' &&
      (frame.type === 'ack' ||
        frame.type === 'error' ||
        frame.type === 'pong' ||
        frame.type === 'refreshed' ||
        frame.type === 'presence')
        ? this.pending.get(frame.id)
        : undefined;
    if (waiting) {
      this.pending.delete(frame.id);
      this.clearTimer(waiting.timer);
      if (frame.type === 'error') waiting.reject(errorFromFrame(frame, waiting.command));
      else waiting.resolve(frame);
    }
    this.hooks.onFrame(this, frame, Boolean(waiting));
  }
}
