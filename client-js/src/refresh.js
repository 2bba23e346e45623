// The client's token: fetched from the token option before every connection attempt, and, with a token
// function, handed over fresh `refreshBefore` ms ahead of the current one's `exp` with the `refresh` command, so
// the server does not close the connection when the token expires (TOKEN_EXPIRED). When the refresh fails or the
// server refuses it, the connection is replaced instead (a new handshake with a fresh token). A fixed token
// string cannot be refreshed: the connection then ends with the token.
import { RealtimeError } from './errors.js';
import { SUBPROTOCOL_TOKEN, tokenExpiry } from './token.js';

/** @typedef {import('./connection.js').Link} Link */

/**
 * What the token keeper needs from its client.
 * @typedef {object} TokenHost
 * @property {any} options                              commandTimeout, refreshBefore
 * @property {() => number} now
 * @property {(link: Link) => boolean} isActive         whether the link is the client's open socket
 * @property {(prefix: string) => string} nextId
 * @property {(error: RealtimeError) => void} error     reports an error that belongs to no command
 * @property {(event: string, ...args: unknown[]) => void} emit
 * @property {(link: Link) => void} replace            replaces the connection (make before break)
 */

export class TokenKeeper {
  /**
   * @param {string | (() => string | Promise<string>)} source the token option
   * @param {TokenHost} host
   */
  constructor(source, host) {
    /** @private */ this._source = source;
    /** @private */ this._host = host;
    /** The token of the last connection attempt or accepted refresh. @type {string | null} */
    this.last = null;
  }

  /** When the last token expires (ms since epoch), or null when it has no `exp` or there is none. */
  expiry() {
    return this.last ? tokenExpiry(this.last) : null;
  }

  /**
   * A token for a new connection attempt: the string, or what the function returns. Rejects with TOKEN_ERROR;
   * the error has `fatal: true` when the function returned something that is not a JWT (retrying cannot help).
   * @returns {Promise<string>}
   */
  async resolve() {
    let token;
    if (typeof this._source === 'function') {
      try {
        token = await this._source();
      } catch (cause) {
        throw new RealtimeError(
          'TOKEN_ERROR',
          `the token function failed: ${cause instanceof Error ? cause.message : cause}`,
          { cause },
        );
      }
    } else {
      token = this._source;
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

  /**
   * Plans the refresh of the token on a socket that just opened (nothing with a fixed token or without `exp`).
   * @param {Link} link
   */
  schedule(link) {
    if (typeof this._source !== 'function' || !this.last) return;
    const expiry = tokenExpiry(this.last);
    if (expiry === null) return;
    const delay = Math.max(1000, expiry - this._host.options.refreshBefore - this._host.now());
    link.timer(() => this._refresh(link), delay);
  }

  /** @private @param {Link} link */
  async _refresh(link) {
    const host = this._host;
    if (!host.isActive(link)) return;
    let token;
    try {
      token = await this.resolve();
    } catch (err) {
      host.error(err instanceof RealtimeError ? err : new RealtimeError('TOKEN_ERROR', String(err)));
      if (host.isActive(link)) host.replace(link);
      return;
    }
    if (!host.isActive(link)) return;
    try {
      const reply = await link.command(
        { action: 'refresh', token, id: host.nextId('r') },
        host.options.commandTimeout,
      );
      this.last = token;
      host.emit('tokenRefreshed', { expiresAt: reply.expiresAt });
      if (host.isActive(link)) this.schedule(link);
    } catch (err) {
      host.error(err instanceof RealtimeError ? err : new RealtimeError('REFRESH_REFUSED', String(err)));
      // the server kept the old token: replace the connection before it expires
      if (host.isActive(link)) host.replace(link);
    }
  }
}
