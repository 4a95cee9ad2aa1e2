/** Structured logging every layer takes by injection; the composition root picks the sink. */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
};

export interface LogEntry {
  readonly at: number;
  readonly level: 'debug' | 'info' | 'warn';
  readonly message: string;
  readonly context?: Record<string, unknown> | undefined;
}

/**
 * The page's log: the last `capacity` entries kept in memory (for diagnostics: `recent()`),
 * warnings also on the console, and info (and debug) on the console only when `verbose`. A
 * console call is not free: a join writes dozens of `from -> to` lines, and with a debugger
 * or a test driver attached each one is serialised and shipped out of the page.
 */
export class PageLog implements Logger {
  private readonly entries: LogEntry[] = [];
  private next = 0;

  constructor(
    private readonly sink: Pick<Console, 'debug' | 'info' | 'warn'>,
    private readonly verbose: boolean,
    private readonly capacity = 500,
  ) {}

  debug(message: string, context?: Record<string, unknown>): void {
    this.keep('debug', message, context);
    if (this.verbose) this.sink.debug(`[openwcall] ${message}`, context ?? '');
  }

  info(message: string, context?: Record<string, unknown>): void {
    this.keep('info', message, context);
    if (this.verbose) this.sink.info(`[openwcall] ${message}`, context ?? '');
  }

  warn(message: string, context?: Record<string, unknown>): void {
    this.keep('warn', message, context);
    this.sink.warn(`[openwcall] ${message}`, context ?? '');
  }

  /** Oldest first. */
  recent(): LogEntry[] {
    return [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }

  private keep(level: LogEntry['level'], message: string, context?: Record<string, unknown>) {
    const entry = { at: Date.now(), level, message, context };
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else {
      this.entries[this.next] = entry;
      this.next = (this.next + 1) % this.capacity;
    }
  }
}
