// Where an event goes once it is accepted: dropped when its (channel, eventId) was seen recently (the overlap of
// the 2-hour replacement delivers events twice), else to the channel's subscription, to the handlers of its event
// type (and of '*'), and as the client's 'event'. A handler that throws is reported; the others still run.

/**
 * @typedef {object} RouterHost
 * @property {number} dedupeWindow   how many recent (channel, eventId) pairs to remember; 0 turns it off
 * @property {(channel: string) => ({ dispatch: (event: object) => void } | undefined)} subscription
 * @property {(event: string, ...args: unknown[]) => void} emit
 * @property {(error: unknown, context: { eventType: string, listener: Function, payload: unknown }) => void} handlerError
 */

export class EventRouter {
  /** @param {RouterHost} host */
  constructor(host) {
    /** @private */ this._host = host;
    /** @private @type {Map<string, Set<Function>>} */ this._typeHandlers = new Map();
    /** @private @type {Map<string, true>} */ this._seen = new Map();
  }

  /**
   * Adds a handler for every event of one type, whatever its channel, or of every type with '*'.
   * @param {string} eventType @param {Function} handler @returns {() => void} removes it
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

  /** Removes every event-type handler (close()). */
  clear() {
    this._typeHandlers.clear();
  }

  /** Dedupes on eventId and calls the handlers. @param {any} frame */
  deliver(frame) {
    const window = this._host.dedupeWindow;
    if (typeof frame.eventId === 'string' && window > 0) {
      const key = `${frame.channel}\n${frame.eventId}`;
      if (this._seen.has(key)) {
        this._host.emit('duplicate', frame);
        return;
      }
      this._seen.set(key, true);
      const oldest = this._seen.size > window ? this._seen.keys().next().value : undefined;
      if (oldest !== undefined) this._seen.delete(oldest);
    }
    this._host.subscription(frame.channel)?.dispatch(frame);
    for (const key of [frame.eventType, '*']) {
      const set = typeof key === 'string' ? this._typeHandlers.get(key) : undefined;
      if (!set) continue;
      for (const entry of [...set]) {
        try {
          entry(frame);
        } catch (error) {
          this._host.handlerError(error, {
            eventType: key,
            listener: /** @type {any} */ (entry).handler,
            payload: frame,
          });
        }
      }
    }
    this._host.emit('event', frame);
  }
}
