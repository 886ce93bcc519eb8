// The config `mxpool demo` serves: three throw-away SMTP hosts, an inbound pool (MX + mx.example.com)
// over all three and an outbound pool (smtp.example.com, in SPF) over the last two. Short probe
// timings so a stopped host visibly leaves DNS within a second or two.
import { configSchema, type Config } from '../config/schema.ts';

export interface DemoSettings {
  /** three addresses for the SMTP hosts */
  addresses: string[];
  /** their SMTP port (not 25: that needs root) */
  ports: number[];
  dns: string;
  http: string;
  stateDir: string;
}

export const DEMO_DEFAULTS = {
  addresses: ['127.0.0.11', '127.0.0.12', '127.0.0.13'],
  smtpPort: 2525,
  dns: '127.0.0.1:5353',
  http: '127.0.0.1:8053',
};

export function demoConfig(settings: DemoSettings): Config {
  const [a1, a2, a3] = settings.addresses as [string, string, string];
  const [p1, p2, p3] = settings.ports as [number, number, number];
  const dnsAddress = settings.dns.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return Object.freeze(
    configSchema.parse({
      zone: 'example.com',
      ttl: 30,
      pools: [
        {
          name: 'inbound',
          role: 'inbound',
          mx: { name: 'example.com', preference: 10 },
          hostname: 'mx.example.com',
          hosts: [
            { name: 'mx1.example.com', address: a1, port: p1 },
            { name: 'mx2.example.com', address: a2, port: p2 },
            { name: 'mx3.example.com', address: a3, port: p3 },
          ],
        },
        {
          name: 'outbound',
          role: 'outbound',
          hostname: 'smtp.example.com',
          hosts: [
            { name: 'relay2.example.com', address: a2, port: p2 },
            { name: 'relay3.example.com', address: a3, port: p3 },
          ],
        },
      ],
      probe: { interval: '2s', timeout: '1s', rise: 2, fall: 2, helo: 'probe.example.com', starttls: 'optional', hold: true },
      auth: { spf: { all: '-all' }, dmarc: { p: 'quarantine', rua: ['mailto:dmarc@example.com'] } },
      nameserver: { listen: [settings.dns], ns: ['ns1.example.com'], soa: { mname: 'ns1.example.com', rname: 'hostmaster.example.com' } },
      records: [{ name: 'ns1.example.com', type: dnsAddress.includes(':') ? 'AAAA' : 'A', value: dnsAddress }],
      stateDir: settings.stateDir,
      http: { listen: settings.http },
    }),
  );
}
