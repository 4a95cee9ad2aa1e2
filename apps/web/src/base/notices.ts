import { ExternalStore } from './external-store';

export interface Notice {
  readonly id: number;
  readonly kind: 'info' | 'error';
  readonly text: string;
}

/** Messages for the person: what happened (info) and what went wrong (error). */
export class Notices extends ExternalStore<readonly Notice[]> {
  private nextId = 1;

  constructor(private readonly lifetimeMs = 10_000) {
    super([]);
  }

  /** Shows `text`; the id lets the caller take it back once it no longer holds. */
  info(text: string): number {
    return this.push('info', text);
  }

  error(text: string): number {
    return this.push('error', text);
  }

  dismiss(id: number): void {
    this.setState((list) => list.filter((notice) => notice.id !== id));
  }

  private push(kind: Notice['kind'], text: string): number {
    const id = this.nextId++;
    // The same message twice in a row (e.g. two failed clicks) shows once.
    this.setState((list) => [...list.filter((notice) => notice.text !== text), { id, kind, text }]);
    if (this.lifetimeMs > 0) setTimeout(() => this.dismiss(id), this.lifetimeMs);
    return id;
  }
}
