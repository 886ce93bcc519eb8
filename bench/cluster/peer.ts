// Bench peer for bench/cluster: N real SMTP servers (smtp-server, as `mxpool demo` runs them) over
// a few loopback addresses, in their own process so the nodes' figures are their own.
// Input: JSON on argv[2] { addresses, perAddress }. Output: one JSON line { listeners: [{ address, port }] }
// once all listen; then one line per stdin command: "stop I" (the server dies: connections refused,
// open sessions reset) and "start I" (listens again on the same port). Exits on SIGTERM or stdin end.
import { createInterface } from 'node:readline';
import { DemoSmtpHost } from '../../src/demo/smtp.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as { addresses: string[]; perAddress: number };
const hosts: DemoSmtpHost[] = [];
for (const address of input.addresses) {
  for (let i = 0; i < input.perAddress; i++) {
    const host = new DemoSmtpHost({ address, port: 0, name: `bench${hosts.length}.test` });
    await host.start();
    hosts.push(host);
  }
}
process.stdout.write(`${JSON.stringify({ listeners: hosts.map((h) => ({ address: h.options.address, port: h.port })) })}\n`);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, index] = line.trim().split(/\s+/);
  const host = hosts[Number(index)];
  const answer = (body: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(body)}\n`);
  if (!host || (command !== 'stop' && command !== 'start')) return answer({ error: `bad command: ${line}` });
  (command === 'stop' ? host.stop() : host.start()).then(() => answer({ ok: true }), (error: unknown) => answer({ error: String(error) }));
});
const shutdown = async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
lines.on('close', () => void shutdown());
