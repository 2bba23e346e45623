// RealtimeError: what every rejected promise and every 'error' event of the client carries.
// Server errors use the catalogue in codes.js (same codes as the server); failures that happen in the
// browser without a server answer use the client-only codes below, which never travel on the wire.
import { errorCodeInfo } from './codes.js';

/**
 * Client-only codes: the command got no server answer. They are not part of the wire catalogue.
 * @type {Readonly<Record<string, { code: string, description: string }>>}
 */
export const ClientErrorCodes = Object.freeze({
  CLIENT_CLOSED: Object.freeze({
    code: 'CLIENT_CLOSED',
    description:
      'The client was closed (close(), or it gave up reconnecting) before the command was answered or sent.',
  }),
  CONNECTION_LOST: Object.freeze({
    code: 'CONNECTION_LOST',
    description:
      'The socket closed after the command was sent and before its reply; the command may or may not have been applied.',
  }),
  COMMAND_TIMEOUT: Object.freeze({
    code: 'COMMAND_TIMEOUT',
    description: 'No reply arrived within commandTimeout; the command may or may not have been applied.',
  }),
  TOKEN_ERROR: Object.freeze({
    code: 'TOKEN_ERROR',
    description: 'The token option (function) threw, or returned something that is not a usable token.',
  }),
  BAD_SERVER_FRAME: Object.freeze({
    code: 'BAD_SERVER_FRAME',
    description:
      'The server sent a frame that is not a JSON object with a string type (or an event without a channel).',
  }),
  PROTOCOL_MISMATCH: Object.freeze({
    code: 'PROTOCOL_MISMATCH',
    description: 'The server selected a subprotocol other than erp.v1 (for example it echoed the token).',
  }),
});

export class RealtimeError extends Error {
  /**
   * @param {string} code catalogue code (e.g. CHANNEL_FORBIDDEN) or client-only code (e.g. CONNECTION_LOST)
   * @param {string} [message]
   * @param {{ id?: string, channel?: string, action?: string, frame?: object, cause?: unknown }} [details]
   */
  constructor(code, message, details = {}) {
    const info = errorCodeInfo(code);
    super(
      message || (info ? info.description : ClientErrorCodes[code]?.description) || code,
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
    this.name = 'RealtimeError';
    /** @type {string} */
    this.code = code;
    /** Catalogue number (e.g. 4405), or null for client-only codes and codes the catalogue lacks. @type {number|null} */
    this.number = info ? info.number : null;
    /** Whether the server keeps the connection after this error (catalogue), true for client-only codes. @type {boolean} */
    this.keepsConnection = info ? info.keepsConnection : true;
    /** 'server' when the server sent the error frame, 'client' otherwise. @type {'server'|'client'} */
    this.source = details.frame ? 'server' : 'client';
    /** @type {string|undefined} */
    this.id = details.id;
    /** @type {string|undefined} */
    this.channel = details.channel;
    /** @type {string|undefined} */
    this.action = details.action;
    /** The server's error frame, when there is one. @type {object|undefined} */
    this.frame = details.frame;
  }
}

/**
 * The RealtimeError for a server `{"type":"error",...}` frame.
 * @param {{ code?: unknown, message?: unknown, id?: unknown }} frame
 * @param {{ action?: string, channel?: string }} [command]
 */
export function errorFromFrame(frame, command = {}) {
  const code = typeof frame.code === 'string' && frame.code ? frame.code : 'INTERNAL_ERROR';
  const message = typeof frame.message === 'string' && frame.message ? frame.message : undefined;
  return new RealtimeError(code, message, {
    id: typeof frame.id === 'string' ? frame.id : undefined,
    action: command.action,
    channel: command.channel,
    frame,
  });
}
