import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataDirLock, LockHolder } from '../db/data-dir-lock.js';

/**
 * The local admin channel: the process that holds an embedded data dir runs CLI commands for other
 * processes on the same machine, so `zhongshu user create` / `import` … work while the server runs
 * instead of writing to files the server never reads.
 *
 * Transport: a unix domain socket in the data dir (`zhongshu.sock`, mode 0600; a named pipe on
 * Windows). Authentication: the socket's file mode, plus the random token in the 0600 lock file
 * (only the data dir's owner can read it). Protocol: one JSON line {token, argv, cwd} in; JSON
 * lines {out} / {err} (the command's output, in order) and a last {exit} out.
 */

const MAX_REQUEST_BYTES = 1 << 20;

export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
}

export type AdminRunner = (argv: string[], io: AdminIo & { cwd: string }) => Promise<number>;

/** Thrown in a CLI process when the running server holds the data dir: the command goes there. */
export class HandOverToServer extends Error {
  constructor(readonly holder: LockHolder & { admin: string }) {
    super(`the data dir is held by process ${holder.pid}, which runs CLI commands`);
    this.name = 'HandOverToServer';
  }
}

export function adminSocketAddress(dataDir: string): string {
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\zhongshu-${hash}`;
  const inDir = join(dataDir, 'zhongshu.sock');
  // sun_path holds about 104 bytes: deep data dirs get their socket in the temp dir.
  return Buffer.byteLength(inDir) <= 100 ? inDir : join(tmpdir(), `zhongshu-${hash}.sock`);
}

export interface LocalAdminServer {
  address: string;
  close(): Promise<void>;
}

/** Serves CLI commands for the holder of `lock` and advertises the address in the lock file. */
export async function serveLocalAdmin(opts: {
  lock: DataDirLock;
  run: AdminRunner;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}): Promise<LocalAdminServer> {
  const address = adminSocketAddress(opts.lock.dataDir);
  const expected = Buffer.from(opts.lock.holder.token);
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.setEncoding('utf8');
    let buf = '';
    const onData = (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST_BYTES) return sock.destroy();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.off('data', onData);
      void handle(sock, buf.slice(0, nl));
    };
    sock.on('data', onData);
  });

  async function handle(sock: Socket, line: string) {
    const send = (msg: object) => {
      if (!sock.destroyed && sock.writable) sock.write(`${JSON.stringify(msg)}\n`);
    };
    let req: { token?: unknown; argv?: unknown; cwd?: unknown };
    try {
      req = JSON.parse(line);
    } catch {
      req = {};
    }
    const token = Buffer.from(typeof req.token === 'string' ? req.token : '');
    const argv = req.argv;
    if (
      token.length !== expected.length ||
      !timingSafeEqual(token, expected) ||
      !Array.isArray(argv) ||
      !argv.every((a) => typeof a === 'string') ||
      typeof req.cwd !== 'string'
    ) {
      send({ err: 'zhongshu: the local admin channel refused the request (bad token)\n' });
      send({ exit: 1 });
      sock.end();
      return;
    }
    // Command words only: options may carry passwords.
    opts.log?.('CLI command from a local process', {
      command: argv
        .filter((a) => !a.startsWith('-'))
        .slice(0, 2)
        .join(' '),
    });
    let code: number;
    try {
      code = await opts.run(argv, {
        out: (text) => send({ out: text }),
        err: (text) => send({ err: text }),
        cwd: req.cwd,
      });
    } catch (err) {
      send({ err: `${(err as Error)?.stack ?? String(err)}\n` });
      code = 1;
    }
    send({ exit: code });
    sock.end();
  }

  if (process.platform !== 'win32') {
    // We hold the data dir's lock, so a socket file still there was left by a crashed holder.
    try {
      if (lstatSync(address).isSocket()) unlinkSync(address);
    } catch {
      /* none */
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket file is created 0600 (umask), then chmod'ed for good measure.
    const umask = process.platform === 'win32' ? undefined : process.umask(0o177);
    try {
      server.listen(address, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      if (umask !== undefined) process.umask(umask);
    }
  });
  if (process.platform !== 'win32') chmodSync(address, 0o600);
  opts.lock.advertise(address);
  return {
    address,
    async close() {
      try {
        opts.lock.advertise(undefined);
      } catch {
        /* lock already released */
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs argv in the server that holds the data dir, streaming its output; resolves to its exit code. */
export function runOnServer(
  holder: LockHolder & { admin: string },
  argv: string[],
  cwd: string,
  io: AdminIo,
): Promise<number> {
  return new Promise((resolve) => {
    let exit: number | undefined;
    let failed = false;
    let buf = '';
    const sock = createConnection(holder.admin);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ token: holder.token, argv, cwd })}\n`));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg: { out?: string; err?: string; exit?: number };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof msg.out === 'string') io.out(msg.out);
        if (typeof msg.err === 'string') io.err(msg.err);
        if (typeof msg.exit === 'number') exit = msg.exit;
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      failed = true;
      io.err(
        `zhongshu: the data dir is held by process ${holder.pid} (${holder.command}, since ${holder.since}), which did not answer on ${holder.admin} (${err.code ?? err.message}): is it hung? Stop it and run the command again\n`,
      );
    });
    sock.on('close', () => {
      if (exit !== undefined) return resolve(exit);
      if (!failed)
        io.err(`zhongshu: process ${holder.pid} closed the admin channel before the command finished\n`);
      resolve(1);
    });
  });
}
