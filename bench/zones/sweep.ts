// A UDP sweeper for the zones benchmark: asks many questions of one server with a bounded number in
// flight, retries timeouts, and returns each reply (or null). One socket, one timer for all.
import { createSocket } from 'node:dgram';

export interface Question {
  name: string;
  type: number;
}

export const TYPE = { A: 1, SOA: 6, MX: 15, TXT: 16 } as const;

export function query(id: number, question: Question): Buffer {
  const labels = question.name.split('.');
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // RD clear: an authoritative server is asked
  header.writeUInt16BE(1, 4);
  const parts = [header];
  for (const label of labels) parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  parts.push(Buffer.from([0, question.type >> 8, question.type & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

export const rcodeOf = (reply: Buffer) => (reply[3] as number) & 0x0f;
export const answersOf = (reply: Buffer) => reply.readUInt16BE(6);

/** Asks every question; `window` at most in flight, each tried `tries` times with `timeoutMs`; `receivedAt` gets each reply's arrival time. */
export async function sweep(server: string, port: number, questions: readonly Question[], options: { source: string; window?: number; timeoutMs?: number; tries?: number; receivedAt?: number[] }): Promise<(Buffer | null)[]> {
  const window = options.window ?? 200;
  const timeoutMs = options.timeoutMs ?? 1000;
  const tries = options.tries ?? 3;
  const replies: (Buffer | null)[] = new Array(questions.length).fill(null);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, options.source, () => resolve()));
  const inFlight = new Map<number, { index: number; sentAt: number; attempt: number }>();
  let next = 0;
  let done = 0;
  let nextId = 0;
  return new Promise((resolve) => {
    const finish = () => {
      clearInterval(timer);
      socket.close();
      resolve(replies);
    };
    const send = (index: number, attempt: number) => {
      let id = nextId++ & 0xffff;
      while (inFlight.has(id)) id = nextId++ & 0xffff;
      inFlight.set(id, { index, sentAt: performance.now(), attempt });
      socket.send(query(id, questions[index] as Question), port, server);
    };
    const fill = () => {
      while (inFlight.size < window && next < questions.length) send(next++, 1);
      if (done === questions.length) finish();
    };
    socket.on('message', (msg) => {
      if (msg.length < 12) return;
      const entry = inFlight.get(msg.readUInt16BE(0));
      if (!entry) return;
      inFlight.delete(msg.readUInt16BE(0));
      replies[entry.index] = msg;
      if (options.receivedAt) options.receivedAt[entry.index] = performance.now();
      done++;
      fill();
    });
    const timer = setInterval(() => {
      const now = performance.now();
      for (const [id, entry] of inFlight) {
        if (now - entry.sentAt < timeoutMs) continue;
        inFlight.delete(id);
        if (entry.attempt < tries) send(entry.index, entry.attempt + 1);
        else done++;
      }
      fill();
    }, 20);
    fill();
  });
}
