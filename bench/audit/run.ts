// `npx node bench/audit/run.ts`: what SPF generation and a full audit cost as the relay pool grows.
// Bounded: a fixed list of sizes, a fixed number of repetitions, well under a minute.
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../../src/config/load.ts';
import { authRecordSets } from '../../src/auth/records.ts';
import { auditConfig } from '../../src/audit/desired-audit.ts';

/** N relays at scattered addresses (every third address of 10.x.y.z), so aggregation has work to do. */
function configWith(relays: number) {
  const hosts = Array.from({ length: relays }, (_, i) => {
    const n = i * 3 + 1;
    return `      - { name: r${i}.example.com, address: 10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255} }`;
  }).join('\n');
  return parseConfig(`zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.10 }
  - name: outbound
    role: outbound
    hosts:
${hosts}
auth:
  spf: { extra: ["ip4:198.51.100.0/24"] }
  dmarc: { p: reject, rua: ["mailto:d@example.com"] }
`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function time(repeat: number, work: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

console.log('SPF generation (authRecordSets: aggregation, include chain, own-record check)');
console.log('relays  records  ms/call');
for (const relays of [10, 100, 1000, 5000]) {
  const config = configWith(relays);
  const { sets } = authRecordSets(config, new Map(), 0);
  const spfRecords = sets.filter((s) => s.name === 'example.com' || s.name.startsWith('_spf')).length;
  const ms = await time(relays >= 1000 ? 5 : 20, () => authRecordSets(config, new Map(), 0));
  console.log(`${String(relays).padStart(6)}  ${String(spfRecords).padStart(7)}  ${ms.toFixed(2).padStart(7)}`);
}

console.log('\nFull audit of the desired zone (auditConfig: every rule, mailauth SPF check per relay)');
console.log('relays  findings  ms/audit');
for (const relays of [2, 20, 100, 250]) {
  const config = configWith(relays);
  let findings = 0;
  const ms = await time(relays >= 100 ? 3 : 10, async () => {
    findings = (await auditConfig(config, { now: 0 })).findings.length;
  });
  console.log(`${String(relays).padStart(6)}  ${String(findings).padStart(8)}  ${ms.toFixed(1).padStart(8)}`);
}
