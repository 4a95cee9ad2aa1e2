/**
 * State that React reads with useSyncExternalStore: `getSnapshot` returns the same object
 * until the state changes, `subscribe` returns its unsubscribe.
 */
export class ExternalStore<T> {
  private state: T;
  readonly #listeners = new Set<() => void>();

  constructor(initial: T) {
    this.state = initial;
  }

  readonly getSnapshot = (): T => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  protected setState(next: T | ((previous: T) => T)): void {
    const value = typeof next === 'function' ? (next as (previous: T) => T)(this.state) : next;
    if (Object.is(value, this.state)) return;
    this.state = value;
    for (const listener of [...this.#listeners]) listener();
  }
}
