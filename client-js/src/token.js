// Reading (never verifying) the claims of a JWT, to tell a refused handshake caused by an expired token
// from other failures. The server is the only judge of a token; the client uses `exp` as a hint only.

/** What Sec-WebSocket-Protocol accepts (an RFC 7230 token); every JWT (base64url parts and dots) matches. */
export const SUBPROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The JSON payload of a JWT, or null when `token` is not a readable JWT.
 * @param {string} token
 * @returns {Record<string, unknown> | null}
 */
export function decodeJwtPayload(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : null;
  } catch {
    return null;
  }
}

/**
 * The token's `exp` as milliseconds since the epoch, or null when it has none.
 * @param {string} token
 */
export function tokenExpiry(token) {
  const payload = decodeJwtPayload(token);
  return payload && typeof payload.exp === 'number' && Number.isFinite(payload.exp)
    ? payload.exp * 1000
    : null;
}
