// One throw-away SMTP host in its own process, so a test can SIGKILL it like a crashed server.
// argv: address port name. Prints one JSON line {"port": N} when listening.
// stdin commands: "blackhole" (stop SMTP; accept connections and never answer, like a firewall
// that drops), "smtp" (back to a real SMTP server on the same port), "stop" (nothing listens: refused).
import { createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { DemoSmtpHost } from '../../src/demo/smtp.ts';

const [address = '127.0.0.1', portText = '0', name = 'mx.test'] = process.argv.slice(2);
const smtp = new DemoSmtpHost({ address, port: Number(portText), name });
let hole: Server | undefined;
const held = new Set<Socket>();

async function closeHole(): Promise<void> {
  if (!hole) return;
  const server = hole;
  hole = undefined;
  for (const socket of held) socket.destroy();
  held.clear();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function openHole(): Promise<void> {
  await smtp.stop();
  if (hole) return;
  hole = createServer((socket) => {
    held.add(socket); // accepted, never answered
    socket.on('error', () => undefined);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    hole!.once('error', reject);
    hole!.listen(smtp.port, address, () => resolve());
  });
}

const port = await smtp.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = line.trim();
  try {
    if (command === 'blackhole') await openHole();
    else if (command === 'smtp') { await closeHole(); await smtp.start(); }
    else if (command === 'stop') { await closeHole(); await smtp.stop(); }
    process.stdout.write(`${JSON.stringify({ done: command })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  }
}).on('close', () => process.exit(0));
