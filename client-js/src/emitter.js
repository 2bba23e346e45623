// A tiny event emitter whose listeners cannot break each other: a listener that throws is reported
// through the `onListenerError` callback and the remaining listeners still run.

export class Emitter {
  /** @param {(error: unknown, event: string, listener: Function) => void} onListenerError */
  constructor(onListenerError) {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
    this._onListenerError = onListenerError;
  }

  /**
   * Adds a listener; returns a function that removes it.
   * @param {string} event
   * @param {Function} listener
   * @returns {() => void}
   */
  on(event, listener) {
    if (typeof listener !== 'function') throw new TypeError(`listener for '${event}' must be a function`);
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    // wrap so the same function can be added twice and removed one by one
    const entry = (/** @type {unknown[]} */ ...args) => listener(...args);
    entry.listener = listener;
    set.add(entry);
    return () => this._remove(event, entry);
  }

  /**
   * Adds a listener called at most once.
   * @param {string} event
   * @param {Function} listener
   */
  once(event, listener) {
    const off = this.on(event, (/** @type {unknown[]} */ ...args) => {
      off();
      return listener(...args);
    });
    return off;
  }

  /**
   * Removes one registration of `listener` (added with on/once).
   * @param {string} event
   * @param {Function} listener
   */
  off(event, listener) {
    const set = this._listeners.get(event);
    if (!set) return;
    for (const entry of set) {
      if (entry === listener || /** @type {any} */ (entry).listener === listener) {
        this._remove(event, entry);
        return;
      }
    }
  }

  /** @param {string} [event] removes the listeners of one event, or of all events */
  removeAll(event) {
    if (event === undefined) this._listeners.clear();
    else this._listeners.delete(event);
  }

  /** @param {string} event */
  listenerCount(event) {
    return this._listeners.get(event)?.size ?? 0;
  }

  /**
   * Calls every listener of `event` with `args`; returns how many were called.
   * @param {string} event
   * @param {...unknown} args
   */
  emit(event, ...args) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return 0;
    let called = 0;
    for (const entry of [...set]) {
      if (!set.has(entry)) continue; // removed by an earlier listener
      called++;
      try {
        entry(...args);
      } catch (error) {
        this._onListenerError(error, event, /** @type {any} */ (entry).listener);
      }
    }
    return called;
  }

  /** @param {string} event @param {Function} entry */
  _remove(event, entry) {
    const set = this._listeners.get(event);
    if (set && set.delete(entry) && set.size === 0) this._listeners.delete(event);
  }
}
