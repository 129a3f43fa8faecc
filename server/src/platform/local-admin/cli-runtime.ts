import type { Database } from '../db/database.js';

/**
 * Where a CLI command runs: in its own process (opening the database itself), or inside the
 * running server, which holds the embedded data dir and lends its Database (see admin-channel.ts).
 * Commands write through out/err (never console / process.exitCode), so the very same command
 * function gives the same output and exit code in both places.
 */
export interface CliRuntime {
  /** Raw text to stdout / stderr (callers add the newline). */
  out(text: string): void;
  err(text: string): void;
  /** The caller's working directory: relative file paths are resolved against it. */
  cwd: string;
  /** The server process the command runs in, or null when it runs in the CLI's own process. */
  server: { pid: number } | null;
  /** Set by a command that ends with a non-zero code without throwing (e.g. 1: some rows invalid). */
  exitCode: number;
  /**
   * Runs fn with a migrated database. In the CLI's own process this opens (and closes) it, or —
   * when a running server holds the embedded data dir — hands the whole command to that server.
   * A command must not print anything before it calls this (the server runs it again from the top).
   */
  withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T>;
}

/** A usage or input error of a CLI command: printed as one `zhongshu: …` line, exit code 2. */
export class CliError extends Error {}
