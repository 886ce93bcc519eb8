// The sockets: UDP (optionally SO_REUSEPORT so worker processes share a port) and TCP with the
// RFC 1035 4.2.2 two-octet length framing, pipelining (RFC 7766) and an idle timeout.
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { createServer, isIP, isIPv6, type Server, type Socket as TcpSocket } from 'node:net';

export interface Endpoint {
  host: string;
  port: number;
}

/** "127.0.0.1:53" or "[::1]:53"; port 0 (ephemeral, for tests) allowed. */
export function parseEndpoint(text: string): Endpoint {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) > 65535) throw new Error(`listen address "${text}": expected address:port such as 127.0.0.1:53 or [::1]:53`);
  return { host: match[1] as string, port: Number(match[2]) };
}

export function formatEndpoint(endpoint: Endpoint): string {
  return isIPv6(endpoint.host) ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

export async function bindUdp(endpoint: Endpoint, reusePort: boolean, onMessage: (msg: Buffer, socket: Socket, port: number, address: string) => void): Promise<Socket> {
  const family = isIPv6(endpoint.host) ? 6 : 4;
  // a host name in `listen` is resolved here, once: the socket's own lookup takes literals only
  const address = isIP(endpoint.host) !== 0 ? endpoint.host : (await lookup(endpoint.host, { family })).address;
  // A larger receive buffer absorbs bursts instead of dropping them (the kernel caps it at rmem_max).
  const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4', reusePort, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20, lookup: literalLookup(family), ...(family === 6 ? { ipv6Only: true } : {}) });
  socket.on('message', (msg, remote) => onMessage(msg, socket, remote.port, remote.address));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: endpoint.port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined); // ICMP unreachable from a vanished client etc. must not crash
      resolve(socket);
    });
  });
}

/**
 * The address lookup of a listener's socket: its bind address (resolved by bindUdp) and the
 * replies' destinations (the address a query came from) are IP literals of the socket's family,
 * handed back at once. dgram's default (dns.lookup) answers a literal on the next tick, which cost a
 * tick, two closures and an IP check per reply (~5% of the CPU per query at 50,000 QPS, bench/zones).
 */
function literalLookup(family: 4 | 6): (address: string, options: unknown, callback: (error: null, address: string, family: number) => void) => void {
  return (address, _options, callback) => callback(null, address, family);
}

export interface TcpOptions {
  idleMs: number;
  maxConnections: number;
  /** returns the replies for one message (several for a zone transfer), or none to drop */
  onMessage: (msg: Buffer, remoteAddress: string) => Buffer[];
}

export interface TcpListener {
  server: Server;
  /** stops listening and ends every open connection */
  close(): Promise<void>;
}

export function listenTcp(endpoint: Endpoint, options: TcpOptions): Promise<TcpListener> {
  const open = new Set<TcpSocket>();
  const server = createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    serveConnection(socket, options);
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of open) socket.destroy();
    });
  server.maxConnections = options.maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: endpoint.host, port: endpoint.port, exclusive: true, ...(isIPv6(endpoint.host) ? { ipv6Only: true } : {}) }, () => {
      server.off('error', reject);
      resolve({ server, close });
    });
  });
}

function serveConnection(socket: TcpSocket, options: TcpOptions): void {
  let pending = Buffer.alloc(0);
  socket.setTimeout(options.idleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (pending.length < 2 + length) break;
      const msg = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      let replies: Buffer[];
      try {
        replies = options.onMessage(Buffer.from(msg), socket.remoteAddress ?? '');
      } catch {
        socket.destroy(); // an internal error must cost one connection, not the server
        return;
      }
      for (const reply of replies) {
        const framed = Buffer.allocUnsafe(2 + reply.length);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        socket.write(framed);
      }
    }
  });
}

/** ::ffff:192.0.2.1 -> 192.0.2.1, so transfer.allow can list plain IPv4 addresses. */
export function plainAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address.toLowerCase();
}
