// Test doubles for the unit tests: a WebSocket whose server side the test drives, and a manual clock.
// The client gets them through its documented injection points (options.WebSocket, options.timers).

/** A WebSocket class that records its instances; the test plays the server. */
export function fakeWebSocketClass() {
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    /** @type {FakeWebSocket[]} */
    static instances = [];

    /** @param {string} url @param {string[]} protocols */
    constructor(url, protocols) {
      if (
        protocols.some((p) => !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p)) ||
        new Set(protocols).size !== protocols.length
      ) {
        throw new SyntaxError(`invalid subprotocols ${JSON.stringify(protocols)}`);
      }
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.protocol = '';
      /** @type {any[]} parsed frames the client sent */
      this.sent = [];
      /** @type {{ code?: number, reason?: string } | null} */
      this.closedByClient = null;
      this.onopen = null;
      this.onmessage = null;
      this.onclose = null;
      this.onerror = null;
      FakeWebSocket.instances.push(this);
    }

    /** @param {string} text */
    send(text) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
      this.sent.push(JSON.parse(text));
    }

    /** @param {number} [code] @param {string} [reason] */
    close(code, reason) {
      this.closedByClient = { code, reason };
      this.readyState = 2;
    }

    // ---- server side, driven by the test
    accept(protocol = this.protocols[0]) {
      this.readyState = 1;
      this.protocol = protocol;
      this.onopen?.({ type: 'open' });
    }

    /** @param {object | string} frame */
    receive(frame) {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }

    /** @param {number} code @param {string} [reason] */
    serverClose(code = 1000, reason = '') {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: code !== 1006 });
    }

    /** What a browser shows for a refused (401/403) or failed handshake. */
    failHandshake() {
      this.readyState = 3;
      this.onerror?.({ type: 'error' });
      this.onclose?.({ code: 1006, reason: '', wasClean: false });
    }

    /** What node 20's undici WebSocket does on a refused handshake: an error event and no close event. */
    errorOnly() {
      this.readyState = 3;
      this.onerror?.({ type: 'error' });
    }

    /** The last frame sent with this action. @param {string} action */
    lastSent(action) {
      return [...this.sent].reverse().find((f) => f.action === action);
    }

    /** Acks every pending subscribe/unsubscribe/ping the client sent since the last call. */
    replyAll() {
      this._replied ??= 0;
      for (const f of this.sent.slice(this._replied)) {
        if (f.action === 'ping') this.receive({ type: 'pong', id: f.id, time: '2026-11-25T10:00:00Z' });
        else this.receive({ type: 'ack', id: f.id, action: f.action, channel: f.channel });
      }
      this._replied = this.sent.length;
    }

    get last() {
      return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    }
  }
  return FakeWebSocket;
}

/** Lets every pending promise callback run (the client awaits token functions and probes). */
export function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A manual clock implementing the client's `timers` option. */
export class FakeClock {
  constructor(start = Date.UTC(2026, 10, 25, 10, 0, 0)) {
    this._now = start;
    this._seq = 0;
    /** @type {Map<number, { at: number, fn: () => void }>} */
    this._timers = new Map();
    this.setTimeout = (/** @type {() => void} */ fn, /** @type {number} */ ms) => {
      const id = ++this._seq;
      this._timers.set(id, { at: this._now + Math.max(0, ms), fn });
      return id;
    };
    this.clearTimeout = (/** @type {number} */ id) => {
      this._timers.delete(id);
    };
    this.now = () => this._now;
  }

  get pending() {
    return this._timers.size;
  }

  /** Moves time forward, running due timers in order and letting promises settle after each. @param {number} ms */
  async advance(ms) {
    const end = this._now + ms;
    await flush();
    for (;;) {
      let next = null;
      for (const [id, t] of this._timers)
        if (t.at <= end && (next === null || t.at < next[1].at)) next = [id, t];
      if (!next) break;
      this._timers.delete(next[0]);
      this._now = next[1].at;
      next[1].fn();
      await flush();
    }
    this._now = end;
    await flush();
  }
}

/** An unsigned JWT-shaped token with the given claims (the client only reads `exp`). @param {object} claims */
export function fakeJwt(claims) {
  const b64 = (/** @type {object} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}
