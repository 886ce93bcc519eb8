// The example values docs/nameserver.md uses for its NSD, Knot and BIND configurations: the doc test
// renders the configs the interop test runs with these values and finds them in the doc verbatim.
import type { SecondarySpec } from '../helpers/secondaries.ts';

type DocSpec = Pick<SecondarySpec, 'zones' | 'primary' | 'key' | 'host'>;
const primary = { host: '192.0.2.1', port: 53 };
const zones = ['example.com'];

export const DOC_SPECS: Record<'nsd' | 'knot' | 'bind', DocSpec> = {
  nsd: { zones, primary, host: '192.0.2.53', key: { name: 'xfr-nsd', algorithm: 'hmac-sha256', secret: 'kFvBPxXm5J0E3w1R9zq2tCgq7TnQeY1m4uSBc1v8d3U=' } },
  knot: { zones, primary, host: '192.0.2.54', key: { name: 'xfr-knot', algorithm: 'hmac-sha384', secret: 'oZ0m4k2WcUq2lB8N3yT1r5v7xF9hJ2dL6pS8aE0gK4mQ1wR3tY5uI7oP9aS2dF4g' } },
  bind: { zones, primary, host: '192.0.2.55', key: { name: 'xfr-bind', algorithm: 'hmac-sha512', secret: 'Vq3nX8dF2kL7pR1tY6uI9oA4sD0fG5hJ2kL8zX3cV6bN1mQ7wE4rT9yU2iO5pA8sD1fG4hJ7kL0zX3cV6bN9mQ==' } },
};
