// What `mxpool demo` prints on stdout once everything listens.
export interface DemoEndpoints {
  dns: string;
  http: string;
  hosts: Array<{ name: string; address: string; port: number }>;
}

export function demoInstructions(endpoints: DemoEndpoints): string {
  const [server, port] = splitListen(endpoints.dns);
  const dig = (name: string, type: string) => `  dig @${server} -p ${port} ${name} ${type} +short`;
  const hosts = endpoints.hosts.map((h, i) => `  ${i + 1}. ${h.name}  ${h.address}:${h.port}`).join('\n');
  return `
mxpool demo: three throw-away SMTP hosts, mxpool probing them and serving zone example.com.

SMTP hosts (mail is accepted and discarded):
${hosts}

Try:
${dig('example.com', 'MX')}
${dig('mx.example.com', 'A')}
${dig('smtp.example.com', 'A')}
${dig('example.com', 'TXT')}
${dig('example.com', 'SOA')}

Watch a host fail over: type  stop 2  and Enter, then dig again; mx2 leaves the MX and A records
within a second or two (its address stays in SPF: it may still be flushing its queue).  start 2  brings
it back after rise x interval.

Status page: http://${endpoints.http}/   API: http://${endpoints.http}/api/state   metrics: http://${endpoints.http}/metrics
Ctrl-C stops the demo.

`;
}

function splitListen(listen: string): [string, string] {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
  return match ? [match[1] as string, match[2] as string] : [listen, '53'];
}
