// A node of a cluster does not reload alone: the nodes vote on one host list (docs/cluster.md).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';
import { LiveConfig } from '../../src/daemon/live-config.ts';
import { prepareReload, type ReloadParts } from '../../src/daemon/apply-config.ts';

const text = `zone: example.com\npools:\n  - name: out\n    role: outbound\n    hosts: [{ name: h1.example.com, address: 192.0.2.1 }]\ncluster: { etcd: { endpoints: ["http://127.113.6.1:2379"] }, node: a }\n`;

describe('reload on a cluster node', () => {
  it('is refused before anything is prepared, naming the cluster key', async () => {
    const live = new LiveConfig(parseConfig(text), 0);
    const parts = { live, logger: silentLogger } as unknown as ReloadParts; // nothing else may be touched
    const refusal = await prepareReload(parts, parseConfig(text.replace('h1.example.com', 'h2.example.com'))).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(MxpoolError);
    expect((refusal as MxpoolError).origin).toBe('cluster');
    expect((refusal as MxpoolError).message).toMatch(/a reload is not supported there; restart the nodes one by one/);
  });
});
