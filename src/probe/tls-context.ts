// Trusted CAs for probes: Node's bundled roots + NODE_EXTRA_CA_CERTS ('default'), the operating
// system's store ('system') and the configured `probe.caFile`. Built once per CA file content and
// reused, because parsing ~900 root certificates per probe would dominate the probe's cost.
import { createSecureContext, getCACertificates, type SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();
/** by Buffer identity: the runner passes the same CA Buffer to every probe, so no per-probe toString() */
const byBuffer = new WeakMap<Buffer, SecureContext>();

function systemRoots(): string[] {
  try {
    return getCACertificates('system');
  } catch {
    // no readable system store: Node's bundled roots still apply
    return [];
  }
}

export function secureContextFor(ca?: string | Buffer): SecureContext {
  if (Buffer.isBuffer(ca)) {
    let context = byBuffer.get(ca);
    if (!context) byBuffer.set(ca, (context = secureContextFor(ca.toString())));
    return context;
  }
  const extra = ca ?? '';
  let context = contexts.get(extra);
  if (!context) {
    const roots = new Set([...getCACertificates('default'), ...systemRoots()]);
    const list = [...roots];
    if (extra !== '') list.push(extra);
    context = createSecureContext({ ca: list });
    contexts.set(extra, context);
  }
  return context;
}
