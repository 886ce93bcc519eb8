// Helpers for tests that run `mxpool sync` as a child process against smtp-server hosts.
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';

/** Starts an smtp-server on an ephemeral port of `host`; resolves with the port. */
export function listen(server: SMTPServer, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.server.address() as AddressInfo).port)));
}

/** Polls `check` every 100 ms until it holds, or fails naming `what`. */
export async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
