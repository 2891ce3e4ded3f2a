/**
 * B2's baseline: the least an HTTP command service can do durably on this machine — a minimal
 * node:http server that parses the JSON body and inserts one row into SQLite (WAL +
 * synchronous=FULL, one autocommit transaction per request, the event store's own table and
 * indexes) before answering 201. No framework, no validation, no read, no decision.
 *
 *   LIANBAN_DIST=<built dist> node <this file transpiled by bench/lib/common.ts compiled()> <port> <file>
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type * as EventStoreLib from '@lianban/eventstore';
import { SQLITE_INSERT } from '../lib/rows';

// the store's own schema from the built app (a plain node child resolves no @lianban/* alias),
// so the raw baseline's table and indexes can never drift from the store's
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SQLITE_SCHEMA } = require(path.join(process.env.LIANBAN_DIST!, 'libs/eventstore/src')) as typeof EventStoreLib;

const [port, file] = process.argv.slice(2);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(SQLITE_SCHEMA);
const insert = db.prepare(SQLITE_INSERT);
let revision = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const id = randomUUID();
      const caseId = randomUUID();
      const now = new Date().toISOString();
      const info = insert.run(
        id, `case-${caseId}`, 0, 'lianban.case.petition-registered.v1', caseId, `request:${randomUUID()}`, 'cq', null,
        JSON.stringify({ id: 'clerk', role: 'clerk' }), now, `${String(Date.now()).padStart(15, '0')}.${String(revision++ % 100000).padStart(5, '0')}`,
        JSON.stringify(body), now,
      );
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ caseId, eventId: id, position: Number(info.lastInsertRowid) }));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'BAD', message: String(e) } }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGINT', () => server.close(() => {
  db.close();
  process.exit(0);
}));
