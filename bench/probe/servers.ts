// Bench peer: many loopback ESMTP listeners in their own process (so the prober's figures are its
// own). Input: JSON on argv[2] { addresses, portsPerAddress, keyFile, certFile }. Output: one JSON
// line { listeners: [{ address, port }] } on stdout once all listen; exits on SIGTERM or stdin end.
import { readFileSync } from 'node:fs';
import { esmtp, scriptedServer, type ScriptedServer } from '../../test/helpers/smtp/scripted-server.ts';

interface Input {
  addresses: string[];
  portsPerAddress: number;
  keyFile: string;
  certFile: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const tls = { key: readFileSync(input.keyFile, 'utf8'), cert: readFileSync(input.certFile, 'utf8'), keyFile: input.keyFile, certFile: input.certFile };
const servers: ScriptedServer[] = [];
for (const address of input.addresses) {
  for (let i = 0; i < input.portsPerAddress; i++) servers.push(await scriptedServer(address, esmtp({ tls })));
}
process.stdout.write(`${JSON.stringify({ listeners: servers.map((s) => ({ address: s.address, port: s.port })) })}\n`);

const shutdown = async () => {
  await Promise.all(servers.map((s) => s.close()));
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
