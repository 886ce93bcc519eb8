// Throw-away SMTP servers for `mxpool demo`, tests and benchmarks: a real SMTP dialogue (smtp-server)
// that accepts and discards mail. No STARTTLS: a demo has no certificate a probe could verify, and
// `starttls: optional` probes pass without it. smtp-server is a devDependency — `npm ci` installs it.
import { SMTPServer } from 'smtp-server';
import type { AddressInfo, Socket } from 'node:net';

export interface DemoSmtpOptions {
  address: string;
  /** 0 picks a free port */
  port: number;
  /** shown in the 220 greeting */
  name: string;
}

export class DemoSmtpHost {
  readonly options: DemoSmtpOptions;
  #server: SMTPServer | undefined;
  #sockets = new Set<Socket>();
  #port: number;

  constructor(options: DemoSmtpOptions) {
    this.options = options;
    this.#port = options.port;
  }

  /** the bound port (after the first start; a restart reuses it so DNS and config stay valid) */
  get port(): number {
    return this.#port;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async start(): Promise<number> {
    if (this.#server) return this.#port;
    const server = new SMTPServer({
      name: this.options.name,
      banner: 'mxpool demo host, mail is discarded',
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      size: 1024 * 1024,
      socketTimeout: 60_000,
      closeTimeout: 1000,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    server.on('error', () => { /* a client's broken connection is not the demo's problem */ });
    // smtp-server keeps its net.Server on `.server`; track sockets so stop() can cut held sessions
    const netServer = (server as unknown as { server: import('node:net').Server }).server;
    netServer.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      netServer.once('error', reject);
      server.listen(this.#port, this.options.address, () => {
        netServer.off('error', reject);
        resolve();
      });
    });
    this.#port = (netServer.address() as AddressInfo).port;
    this.#server = server;
    return this.#port;
  }

  /** Stops listening and cuts every open session (like a crashed server: RST, no 421). */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
