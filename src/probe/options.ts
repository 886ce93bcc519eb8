// Config -> probe options and targets. `probe.caFile` is read here, once, not per probe.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Config, HostConfig } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';
import type { ProbeOptions, ProbeTarget } from './types.ts';

/** Reads the configured CA file; a clear, fatal error when it cannot be read or holds no PEM certificate. */
export function readCaFile(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MxpoolError('CONFIG_INVALID', 'probe.caFile', `a readable PEM file (${file}: ${code})`, { fatal: true });
  }
  if (!pem.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
    throw new MxpoolError('CONFIG_INVALID', 'probe.caFile', `a PEM file with at least one CERTIFICATE block (${file} has none)`, { fatal: true });
  }
  return pem;
}

/**
 * The EHLO name when `probe.helo` is not set: this machine's name when it is fully qualified, else
 * `mxpool.<zone>` — strict servers (reject_non_fqdn_helo_hostname) refuse a bare "localhost".
 */
export function defaultHelo(zone: string, machineName: string = hostname()): string {
  const name = machineName.toLowerCase().replace(/\.$/, '');
  return name.includes('.') && !name.endsWith('.localdomain') && /^[a-z0-9.-]+$/.test(name) ? name : `mxpool.${zone}`;
}

export function probeOptionsFrom(config: Config, ca?: string | Buffer): ProbeOptions {
  const probe = config.probe;
  const options: ProbeOptions = {
    timeoutMs: probe.timeout,
    helo: probe.helo ?? defaultHelo(config.zone),
    starttls: probe.starttls,
    certMinDays: probe.certMinDays,
    verifyCert: probe.verifyCert,
  };
  if (probe.sourceAddress !== undefined) options.localAddress = probe.sourceAddress;
  const trusted = ca ?? (probe.caFile !== undefined ? readCaFile(probe.caFile) : undefined);
  if (trusted !== undefined) options.ca = trusted;
  return options;
}

export function targetOf(host: HostConfig): ProbeTarget {
  return { name: host.name, address: host.address, port: host.port };
}
