// Telling a refused handshake from a network failure. Browsers hide the HTTP status of a refused upgrade (401/403
// and a network failure all look like close 1006 before `open`), so after such a close the client asks whether
// the server answers plain HTTP at the same URL: if it does, the failure counts as a refusal (README, "Refused
// handshakes: how the client tells them from network failures").

/**
 * Whether the server answers a plain HTTP request at the WebSocket URL (any status counts). True when probing is
 * off (options.probe false, or no fetch), false when the browser says it is offline.
 * @param {string} wsUrl
 * @param {{ probe: boolean, probeTimeout: number }} options
 * @param {((url: string, init?: any) => Promise<unknown>) | null | undefined} fetchImpl
 * @param {{ timer: (fn: () => void, ms: number) => unknown, clearTimer: (handle: unknown) => void }} timers client timers
 * @returns {Promise<boolean>}
 */
export async function serverAnswersHttp(wsUrl, options, fetchImpl, timers) {
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return false;
  if (!options.probe || typeof fetchImpl !== 'function') return true;
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = timers.timer(() => controller?.abort(), options.probeTimeout);
  try {
    await fetchImpl(wsUrl.replace(/^ws/, 'http'), {
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
    timers.clearTimer(timer);
  }
}
