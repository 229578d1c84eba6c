/** A map of event name to payload type. */
export type EventMap = { readonly [name: string]: unknown };

/** A listener of one event. */
export type Listener<T> = (payload: T) => void;

/** A small synchronous, typed event emitter. Listener exceptions are swallowed (events never break a run). */
export interface TypedEmitter<E extends EventMap> {
  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void;
  /** Removes a listener. */
  off<K extends keyof E>(name: K, listener: Listener<E[K]>): void;
  /** Calls every listener of `name` with `payload`. */
  emit<K extends keyof E>(name: K, payload: E[K]): void;
}

/** Creates a typed event emitter. */
export function createTypedEmitter<E extends EventMap>(): TypedEmitter<E> {
  const listeners = new Map<keyof E, Set<Listener<never>>>();
  const emitter: TypedEmitter<E> = {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener as Listener<never>);
      return () => emitter.off(name, listener);
    },
    off(name, listener) {
      listeners.get(name)?.delete(listener as Listener<never>);
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          (listener as Listener<E[typeof name]>)(payload);
        } catch {
          // A broken listener must not break the sync.
        }
      }
    },
  };
  return emitter;
}
