// One throw-away SMTP host in its own process, so a test can SIGKILL it like a crashed server.
// argv: address port name. Prints one JSON line {"port": N} when listening.
// The public port is a thin TCP relay in front of a real smtp-server on an ephemeral port, so that
// stdin commands can change what the network does:
//   "blackhole": like a firewall that starts dropping packets — new connections are accepted and
//                never answered, and established sessions go silent (no RST, no FIN)
//   "smtp":      traffic flows again (new connections reach the SMTP server)
//   "stop":      nothing listens any more and open sessions are reset (connection refused)
//   "flap":      every other new connection gets "421 busy" and is closed: up/down on every probe
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { DemoSmtpHost } from '../../src/demo/smtp.ts';

const [address = '127.0.0.1', portText = '0', name = 'mx.test'] = process.argv.slice(2);
const smtp = new DemoSmtpHost({ address, port: 0, name });
const backendPort = await smtp.start();
let mode: 'smtp' | 'blackhole' | 'flap' = 'smtp';
let connections = 0;
let front: Server | undefined;
let frontPort = Number(portText);
const open = new Set<{ client: Socket; upstream?: Socket }>();

function silence(pair: { client: Socket; upstream?: Socket }): void {
  // stop relaying in both directions and swallow whatever arrives: the peer sees silence
  pair.client.unpipe();
  pair.upstream?.unpipe();
  pair.client.removeAllListeners('data');
  pair.client.on('data', () => undefined);
  pair.upstream?.removeAllListeners('data');
  pair.upstream?.on('data', () => undefined);
}

async function listen(): Promise<void> {
  if (front) return;
  const server = createServer((client) => {
    const pair: { client: Socket; upstream?: Socket } = { client };
    open.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => {
      open.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    connections++;
    if (mode === 'flap' && connections % 2 === 0) {
      client.end(`421 ${name} busy, try again later\r\n`);
      return;
    }
    const upstream = connect(backendPort, address);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.end());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(frontPort, address, () => resolve());
  });
  frontPort = (server.address() as { port: number }).port;
  front = server;
}

async function stop(): Promise<void> {
  const server = front;
  front = undefined;
  for (const pair of open) {
    pair.client.resetAndDestroy();
    pair.upstream?.destroy();
  }
  open.clear();
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
}

await listen();
process.stdout.write(`${JSON.stringify({ port: frontPort })}\n`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = line.trim();
  try {
    if (command === 'blackhole') {
      mode = 'blackhole';
      for (const pair of open) silence(pair);
      await listen();
    } else if (command === 'smtp') {
      mode = 'smtp';
      await listen();
    } else if (command === 'flap') {
      mode = 'flap';
      connections = 0;
      await listen();
    } else if (command === 'stop') {
      await stop();
    }
    process.stdout.write(`${JSON.stringify({ done: command })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  }
}).on('close', () => process.exit(0));
