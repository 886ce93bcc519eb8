// A UDP worker process (nameserver.workers > 1): binds the same addresses as the main process with
// SO_REUSEPORT, so the kernel spreads queries over every process; gets each zone's versions over IPC.
import type { Socket } from 'node:dgram';
import { Engine } from './engine.ts';
import { bindUdp } from './listeners.ts';
import { notLoadedReply } from './notloaded.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';
import type { Handled } from './engine.ts';
import type { FastEntry } from './wire.ts';
import { QueryCounts } from './query-counts.ts';
import { keyring, type TsigKeyring } from './tsig/keys.ts';
import { handleSigned, udpTransferLimit } from './xfr/signed.ts';
import { signAnswer } from './tsig/respond.ts';
import { transferMessages } from './transfer.ts';

const engine = new Engine([], Math.random);
let keys: TsigKeyring = keyring([]);
const sockets: Socket[] = [];
const counts = new QueryCounts();

function send(message: FromWorker): void {
  if (process.connected) process.send?.(message);
}

function onMessage(msg: Buffer, socket: Socket, port: number, address: string): void {
  let fast: Buffer | undefined;
  let handled: Handled | undefined;
  let reply: Buffer | undefined;
  try {
    fast = engine.size > 0 ? engine.answerFast(msg) : undefined;
    if (!fast) {
      handled = engine.size > 0 ? engine.handle(msg, 'udp', true) : notLoadedReply(msg);
      reply = handled && engine.size > 0 ? answer(engine, msg, handled) : handled?.reply;
    }
  } catch {
    return;
  }
  if (fast) {
    socket.send(fast, port, address);
    counts.addTemplateHit(engine.lastFast as FastEntry);
    return;
  }
  if (!handled || !reply) return;
  socket.send(reply, port, address);
  counts.add(handled.type, handled.rcode, 'udp');
}

/**
 * Signed queries and IXFR over UDP. A worker holds no journal: an IXFR gets the SOA alone, which
 * RFC 1995 4 allows (the client asks again over TCP, where the main process answers from the journal).
 */
function answer(current: Engine, msg: Buffer, handled: Handled): Buffer | undefined {
  const now = Math.floor(Date.now() / 1000);
  if (handled.signed) {
    const outcome = handleSigned(current, msg, handled.signed.query, 'udp', keys, now);
    if (outcome.kind === 'reply') return outcome.reply;
    const [soa] = transferMessages(outcome.version.index, outcome.query, 'ixfr', { udpLimit: udpTransferLimit(outcome.query, outcome.check) }).messages;
    return soa && signAnswer(soa, outcome.check, now);
  }
  if (handled.transfer) return transferMessages(handled.transfer.version.index, handled.transfer.query, 'ixfr', { udpLimit: udpTransferLimit(handled.transfer.query, undefined) }).messages[0];
  return handled.reply;
}

const statsTimer = setInterval(() => {
  const answered = counts.drain();
  if (answered.length > 0) send({ kind: 'stats', counts: answered.map((entry) => [entry.type, entry.rcode, entry.count]) });
}, 1000);
statsTimer.unref();

process.on('message', (message: ToWorker) => {
  if (message.kind === 'zones') {
    for (const zone of message.removed) engine.remove(zone);
    for (const zone of message.zones) engine.set(zone);
  }
  if (message.kind === 'start') {
    for (const zone of message.zones) engine.set(zone);
    keys = keyring((message.keys ?? []).map((key) => ({ name: key.name, algorithm: key.algorithm, secret: Buffer.from(key.secret, 'base64') })));
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
