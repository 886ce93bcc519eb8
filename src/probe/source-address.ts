// probe.sourceAddress must be an address of this machine: checked once before probing by binding
// a throw-away socket to it, so a typo is one clear start-up error instead of every probe failing
// with EADDRNOTAVAIL.
import { createServer } from 'node:net';
import { MxpoolError } from '../errors.ts';

export async function checkSourceAddress(address: string | undefined): Promise<void> {
  if (address === undefined) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => resolve());
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why = code === 'EADDRNOTAVAIL' ? 'it is not an address of this machine' : `it cannot be used here: ${code}`;
    throw new MxpoolError('CONFIG_INVALID', 'probe.sourceAddress', `an address of this machine to probe from (${address}: ${why})`, { fatal: true });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
