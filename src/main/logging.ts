/**
 * Structured logging: each entry (time, level, component, message, context) goes to the workspace's
 * log store and to a size-rotated file in the app's logs folder. This is the reference system's log
 * store, kept locally. Logging never throws into the caller.
 */
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from '../shared/contract';
import type { Store } from './store';

export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LogSinkOptions {
  store?: Store;
  logsDir?: string;
  /** Rotate when the file passes this size; keep this many old files. */
  maxBytes?: number;
  keep?: number;
  /** Also echo warnings and errors to stderr (the CLI's human mode). */
  echo?: boolean;
  onEntry?: () => void;
}

export class LogSink {
  private readonly file: string | null;
  constructor(private readonly options: LogSinkOptions) {
    this.file = options.logsDir ? join(options.logsDir, 'wafer-fault-studio.log') : null;
    if (options.logsDir) mkdirSync(options.logsDir, { recursive: true });
  }

  write(level: LogLevel, component: string, message: string, context?: Record<string, unknown>): void {
    const time = new Date().toISOString();
    const store = this.options.store;
    try {
      // Never waits for the write lock (a worker storing a large file may hold it for seconds): the
      // entry, with its own time, lands when the lock is free; the file gets it now.
      store?.writeSoon(
        () => store.logs.insert({ time, level, component, message, context: context ?? null }),
        // A deferred entry tells the Logs page again once it is there to be read.
        () => this.options.onEntry?.(),
      );
    } catch {
      // The workspace may be closing; the file still gets the entry.
    }
    if (this.file) {
      try {
        this.rotateIfNeeded(this.file);
        appendFileSync(this.file, `${JSON.stringify({ time, level, component, message, context })}\n`);
      } catch {
        // A full disk must not turn a log line into a failed job.
      }
    }
    if (this.options.echo && (level === 'warn' || level === 'error')) {
      process.stderr.write(`${level}: [${component}] ${message}\n`);
    }
    this.options.onEntry?.();
  }

  logger(component: string): Logger {
    const make = (c: string): Logger => ({
      debug: (m, ctx) => this.write('debug', c, m, ctx),
      info: (m, ctx) => this.write('info', c, m, ctx),
      warn: (m, ctx) => this.write('warn', c, m, ctx),
      error: (m, ctx) => this.write('error', c, m, ctx),
      child: (sub) => make(`${c}.${sub}`),
    });
    return make(component);
  }

  private rotateIfNeeded(file: string): void {
    const maxBytes = this.options.maxBytes ?? 5 * 1024 * 1024;
    if (!existsSync(file) || statSync(file).size < maxBytes) return;
    const keep = this.options.keep ?? 5;
    const name = (i: number) => file.replace(/\.log$/, `.${i}.log`);
    if (existsSync(name(keep))) rmSync(name(keep));
    for (let i = keep - 1; i >= 1; i--) if (existsSync(name(i))) renameSync(name(i), name(i + 1));
    renameSync(file, name(1));
  }
}
