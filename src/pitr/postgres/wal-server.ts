import { chmod, chown, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage } from '../../errors.js';
import { shellJoin } from '../../trust/shell-quote.js';
import type { Emit } from '../../events.js';
import { walFileKind } from './wal-names.js';

/** Where a recovery reads archived WAL from: the plain content, or undefined when it is not archived. */
export interface WalSupply {
  open(name: string): Promise<{ stream: Readable; bytes: number } | undefined>;
}

/**
 * restore_command of a throwaway recovery instance. It runs as the postgres user, which must
 * not hold drc's keys or read its config: it asks drc (this process, over a unix socket in the
 * instance's private folder) for each file, and drc fetches, checks and decrypts it. Exit 1
 * when the file is not archived (recovery then ends there), 2 on any failure; the file appears
 * under %p only once it arrived complete.
 */
const FETCH_CLIENT = `import http from 'node:http';
import fs from 'node:fs';
const [socketPath, name, dest] = process.argv.slice(2);
const part = dest + '.drc-part';
const fail = (code) => { try { fs.unlinkSync(part); } catch {} process.exit(code); };
http.get({ socketPath, path: '/' + encodeURIComponent(name) }, (res) => {
  if (res.statusCode !== 200) { res.resume(); fail(res.statusCode === 404 ? 1 : 2); return; }
  const expected = Number(res.headers['content-length']);
  const out = fs.createWriteStream(part, { mode: 0o600 });
  let bytes = 0;
  res.on('data', (chunk) => { bytes += chunk.length; });
  res.on('aborted', () => fail(2));
  res.on('error', () => fail(2));
  res.pipe(out);
  out.on('error', () => fail(2));
  out.on('finish', () => {
    if (!res.complete || bytes !== expected) { fail(2); return; }
    fs.fsyncSync(fs.openSync(part, 'r'));
    fs.renameSync(part, dest);
    process.exit(0);
  });
}).on('error', () => fail(2));
`;

export interface WalServer {
  /** The restore_command line for postgresql.conf (shell syntax, %f and %p left for PostgreSQL). */
  restoreCommand: string;
  /** Names PostgreSQL asked for, in order (what the recovery replayed, for the report). */
  served: string[];
  close(): Promise<void>;
}

/** Serves `supply` on `<dir>/wal.sock` to the instance's owner (uid/gid when drc runs as root). */
export async function startWalServer(dir: string, supply: WalSupply, owner: { uid: number; gid: number } | undefined, emit: Emit): Promise<WalServer> {
  const socketPath = `${dir}/wal.sock`;
  const client = `${dir}/fetch-wal.mjs`;
  await writeFile(client, FETCH_CLIENT, { mode: 0o600 });
  if (owner) await chown(client, owner.uid, owner.gid);
  const served: string[] = [];
  const server: Server = createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? '/').slice(1));
    // Only WAL file names: never a path, whatever the request says.
    if (!walFileKind(name)) {
      response.writeHead(400).end();
      return;
    }
    void (async () => {
      try {
        const found = await supply.open(name);
        if (!found) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-length': String(found.bytes) });
        await pipeline(found.stream, response);
        served.push(name);
      } catch (error) {
        emit({ type: 'log', level: 'warn', message: `recovery asked for ${name}: ${errorMessage(error)}` });
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  if (owner) await chown(socketPath, owner.uid, owner.gid);
  return {
    restoreCommand: `${shellJoin([process.execPath, client, socketPath])} %f %p`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
