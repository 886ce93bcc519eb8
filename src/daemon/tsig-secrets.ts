// The TSIG secrets, read from the environment when serve starts: each `nameserver.tsig` key's
// `secretEnv` must be set and hold valid base64 of a sensible length. A mistake stops start-up with
// the key's position in the config (FILE:LINE:COL, like validate's errors); the secret itself is
// never repeated in any message.
import type { NameserverConfig } from '../config/schema.ts';
import { MxpoolError } from '../errors.ts';
import { decodeSecret, keyring, type TsigKeyring } from '../dns/tsig/keys.ts';

export function tsigKeysFromEnv(nameserver: Pick<NameserverConfig, 'tsig'>, env: Record<string, string | undefined>): TsigKeyring {
  return keyring(
    nameserver.tsig.map((key, i) => {
      const origin = `nameserver.tsig.${i}.secretEnv`;
      const value = env[key.secretEnv];
      if (value === undefined || value === '') {
        throw new MxpoolError('CONFIG_INVALID', origin, `the environment variable ${key.secretEnv} is not set; serve needs it for the secret of TSIG key ${key.name} (base64, as tsig-keygen prints it)`, { fatal: true });
      }
      const decoded = decodeSecret(value);
      if ('problem' in decoded) {
        throw new MxpoolError('CONFIG_INVALID', origin, `the secret of TSIG key ${key.name} in ${key.secretEnv} ${decoded.problem}`, { fatal: true });
      }
      return { name: key.name, algorithm: key.algorithm, secret: decoded.secret };
    }),
  );
}
