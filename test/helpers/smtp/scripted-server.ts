// Scripted SMTP servers on loopback: each connection runs a behaviour (an async function) that can
// send raw bytes, read command lines, upgrade to TLS, reset or hang. Misbehaviour on demand.
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { KeyPair } from './test-ca.ts';

export class ScriptedConnection {
  socket: Socket;
  /** the SNI name the client sent, after upgrade() */
  servername: string | undefined;
  private buffer = '';
  private waiting: ((line: string | null) => void) | undefined;
  private ended = false;

  constructor(socket: Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.deliver();
    });
    socket.on('error', () => undefined); // clients hang up on misbehaving servers: expected
    socket.on('close', () => {
      this.ended = true;
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting) return;
    const newline = this.buffer.indexOf('\n');
    if (newline !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting(line);
    } else if (this.ended) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting(null);
    }
  }

  /** The next command line, or null when the client closed. */
  readLine(): Promise<string | null> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.deliver();
    });
  }

  send(data: string | Buffer): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
  }

  /** Server side of STARTTLS, after the 220 has been sent. */
  async upgrade(pair: KeyPair): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = new TLSSocket(plain, { isServer: true, secureContext: createSecureContext({ key: pair.key, cert: pair.cert }) });
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
    await new Promise<void>((resolve) => {
      secure.once('secure', () => {
        this.servername = typeof secure.servername === 'string' ? secure.servername : undefined;
        resolve();
      });
      secure.once('error', () => resolve());
      secure.once('close', () => resolve());
    });
  }

  /** TCP RST */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  close(): void {
    this.socket.end();
  }

  get closed(): boolean {
    return this.ended || this.socket.destroyed;
  }
}

export type Behaviour = (connection: ScriptedConnection) => Promise<void> | void;

export interface ScriptedServer {
  address: string;
  port: number;
  /** connections accepted so far */
  readonly accepted: number;
  readonly connections: Set<ScriptedConnection>;
  /** close the listener and hard-reset every open connection (a crash) */
  crash(): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedServer(address: string, behaviour: Behaviour, port = 0): Promise<ScriptedServer> {
  const connections = new Set<ScriptedConnection>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    const connection = new ScriptedConnection(socket);
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
    Promise.resolve()
      .then(() => behaviour(connection))
      .catch(() => connection.reset());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('no address');
  const closeListener = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    address,
    port: bound.port,
    get accepted() {
      return accepted;
    },
    connections,
    async crash() {
      const done = closeListener();
      for (const connection of connections) connection.socket.resetAndDestroy();
      await done;
    },
    async close() {
      const done = closeListener();
      for (const connection of connections) connection.socket.destroy();
      await done;
    },
  };
}

export interface EsmtpOptions {
  greeting?: string;
  /** the EHLO reply keywords (STARTTLS is added when `tls` is set) */
  extensions?: string[];
  /** answer STARTTLS with this certificate */
  tls?: KeyPair;
  /** reply to EHLO (e.g. '502 5.5.1 unknown command') instead of 250 */
  ehloReply?: string;
  /** hook before each command is answered; return true when it handled the command */
  onCommand?: (line: string, connection: ScriptedConnection) => boolean | Promise<boolean>;
}

/** A small well-behaved ESMTP dialogue, to be bent by options. */
export function esmtp(options: EsmtpOptions = {}): Behaviour {
  return async (connection) => {
    connection.send(options.greeting ?? '220 mx.example.test ESMTP scripted\r\n');
    let secure = false;
    for (;;) {
      const line = await connection.readLine();
      if (line === null) return;
      if (options.onCommand && (await options.onCommand(line, connection))) continue;
      const verb = line.split(' ')[0]?.toUpperCase() ?? '';
      if (verb === 'EHLO') {
        if (options.ehloReply) {
          connection.send(`${options.ehloReply}\r\n`);
          continue;
        }
        const keywords = [...(options.extensions ?? ['PIPELINING', 'SIZE 10240000', '8BITMIME'])];
        if (options.tls && !secure) keywords.push('STARTTLS');
        connection.send(['mx.example.test hello', ...keywords].map((text, i, all) => `250${i === all.length - 1 ? ' ' : '-'}${text}\r\n`).join(''));
      } else if (verb === 'HELO') {
        connection.send('250 mx.example.test\r\n');
      } else if (verb === 'STARTTLS' && options.tls && !secure) {
        connection.send('220 2.0.0 ready to start TLS\r\n');
        await connection.upgrade(options.tls);
        secure = true;
      } else if (verb === 'NOOP') {
        connection.send('250 2.0.0 ok\r\n');
      } else if (verb === 'QUIT') {
        connection.send('221 2.0.0 bye\r\n');
        connection.close();
        return;
      } else {
        connection.send('502 5.5.1 command not implemented\r\n');
      }
    }
  };
}
