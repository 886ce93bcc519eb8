// The `server:` and `remote-control:` blocks of every nsd.conf a test or benchmark writes: its own
// directory for every file NSD keeps, no privileges dropped (no chroot, no user), one server
// process, response rate limiting off (it would throttle queries from one test address). Callers add
// their `zone:`/`pattern:`/`key:` blocks after it.

export interface NsdServerOptions {
  dir: string;
  addresses: readonly string[];
  port: number;
  /** where zone files named relatively are read (default: dir) */
  zonesDir?: string;
  verbosity?: number;
  /** a control socket path for nsd-control, or none */
  control?: string;
}

export function nsdServerBlock(options: NsdServerOptions): string {
  const { dir } = options;
  return `server:
${options.addresses.map((address) => `  ip-address: ${address}@${options.port}`).join('\n')}
  port: ${options.port}
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "${options.zonesDir ?? dir}"
  database: ""
  zonelistfile: "${dir}/zone.list"
  xfrdfile: "${dir}/xfrd.state"
  xfrdir: "${dir}"
  pidfile: "${dir}/nsd.pid"
  logfile: "${dir}/nsd.log"
  verbosity: ${options.verbosity ?? 1}
  server-count: 1
  hide-version: yes
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
${options.control ? `  control-enable: yes\n  control-interface: ${options.control}` : '  control-enable: no'}
`;
}
