import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

const APP_PATH = /^\/apps\/([a-z0-9][a-z0-9-]{1,28}[a-z0-9])\//;
/** ws refuses these close codes on the wire; they are lifted to the application range. */
const closeCode = (code: number) => (code === 1004 || code === 1005 || code === 1006 ? 4000 + (code % 1000) : code);

/** Where a slug's live Node.js release listens, or undefined when it has none (or is static or stopped). */
export type SocketOf = (slug: string) => Promise<string | undefined>;

/**
 * Carries WebSocket upgrades under `/apps/<slug>/` to the app's unix socket
 * (`ws` on both sides: messages, pings and closes are passed through). Any
 * other upgrade is refused. Returns a function that closes every proxied socket.
 */
export function proxyAppWebSockets(server: Server, socketOf: SocketOf): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const slug = APP_PATH.exec(request.url ?? '')?.[1];
    if (!slug) return refuse(socket, '404 Not Found');
    void socketOf(slug).then(
      (socketPath) => {
        if (!socketPath) return refuse(socket, '404 Not Found');
        const headers = Object.fromEntries(
          ['cookie', 'origin', 'user-agent', 'sec-websocket-protocol'].flatMap((h) => (request.headers[h] ? [[h, String(request.headers[h])]] : [])),
        );
        const upstream = new WebSocket(`ws+unix://${socketPath}:${request.url}`, { headers: { ...headers, 'x-forwarded-prefix': `/apps/${slug}` } });
        upstream.once('error', () => refuse(socket, '502 Bad Gateway'));
        upstream.once('unexpected-response', () => refuse(socket, '502 Bad Gateway'));
        upstream.once('open', () => {
          upstream.removeAllListeners('error');
          wss.handleUpgrade(request, socket, head, (client) => {
            client.on('message', (data, binary) => upstream.send(data, { binary }));
            upstream.on('message', (data, binary) => client.send(data, { binary }));
            client.on('ping', (data) => upstream.ping(data));
            upstream.on('pong', (data) => client.pong(data));
            client.on('close', (code, reason) => upstream.readyState === WebSocket.OPEN && upstream.close(closeCode(code), reason));
            upstream.on('close', (code, reason) => client.readyState === WebSocket.OPEN && client.close(closeCode(code), reason));
            client.on('error', () => upstream.terminate());
            upstream.on('error', () => client.terminate());
          });
        });
      },
      () => refuse(socket, '503 Service Unavailable'),
    );
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}
