// Starts the MTA-STS policy server when auth.mtaSts is set, and tells the transport tracker since
// when the policy names each host (the MTA-STS safety rule counts from that moment). The text is
// read from the config in force at each request, so a reload serves the new policy at once.
import type { Config } from '../config/schema.ts';
import type { ConfigSource } from './live-config.ts';
import type { Logger } from '../log.ts';
import { mtaStsPolicy } from '../auth/mta-sts.ts';
import { MtaStsServer } from '../http/mta-sts.ts';
import type { TransportTracker } from './transport.ts';

export async function startPolicyServer(live: ConfigSource, logger: Logger, transport: TransportTracker, now: number): Promise<MtaStsServer | undefined> {
  const config: Config = live.current;
  const policy = mtaStsPolicy(config);
  const settings = config.auth.mtaSts;
  if (!policy || !settings) return undefined;
  const server = new MtaStsServer({
    listen: settings.https.listen,
    certFile: settings.https.certFile,
    keyFile: settings.https.keyFile,
    host: `mta-sts.${config.zone}`,
    // a reload may change the policy (hosts, mode, max_age): the text of the config in force
    policy: () => mtaStsPolicy(live.current)?.text ?? policy.text,
    logger: logger.child({ component: 'mta-sts' }),
  });
  await server.start();
  transport.policyServed(policy.names, now);
  logger.info({ id: policy.id, mode: policy.mode, names: policy.names.length }, 'mta-sts: policy served');
  return server;
}
