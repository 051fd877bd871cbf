// Baseline for the upload benchmark: the least a server can do — stream each request body to a file.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
const server = http.createServer(async (req, res) => {
  try {
    await pipeline(req, fs.createWriteStream(path.join(dir, randomUUID())));
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
  } catch {
    res.writeHead(500).end();
  }
});
server.listen(Number(process.argv[3]), '127.0.0.1', () => process.stdout.write('listening\n'));
