// A UDP worker process (nameserver.workers > 1): binds the same addresses as the main process with
// SO_REUSEPORT, so the kernel spreads queries over every process; gets each zone's versions over IPC.
import type { Socket } from 'node:dgram';
import { Engine } from './engine.ts';
import { bindUdp } from './listeners.ts';
import { notLoadedReply } from './notloaded.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const engine = new Engine([], Math.random);
const sockets: Socket[] = [];
const counts = new Map<string, number>();

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

function onMessage(msg: Buffer, socket: Socket, port: number, address: string): void {
  let handled;
  try {
    handled = engine.size > 0 ? engine.handle(msg, 'udp') : notLoadedReply(msg);
  } catch {
    return;
  }
  if (!handled?.reply) return;
  socket.send(handled.reply, port, address);
  const key = `${handled.type}\u0000${handled.rcode}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const statsTimer = setInterval(() => {
  if (counts.size === 0) return;
  send({ kind: 'stats', counts: [...counts].map(([key, count]) => [...(key.split('\u0000') as [string, string]), count]) });
  counts.clear();
}, 1000);
statsTimer.unref();

process.on('message', (message: ToWorker) => {
  if (message.kind === 'zones') {
    for (const zone of message.removed) engine.remove(zone);
    for (const zone of message.zones) engine.set(zone);
  }
  if (message.kind === 'start') {
    for (const zone of message.zones) engine.set(zone);
    Promise.all(message.listen.map((endpoint) => bindUdp(endpoint, true, onMessage)))
      .then((bound) => {
        sockets.push(...bound);
        send({ kind: 'ready' });
      })
      .catch((error: Error) => send({ kind: 'failed', error: error.message }));
  }
});

// the parent going away (crash or stop) ends the worker: it must never outlive the nameserver
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.close();
  process.exit(0);
});
