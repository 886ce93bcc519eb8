// Makes docs/status-page.png (the README's picture) from a REAL daemon, reproducibly:
//   npx node test/status-page/make-screenshot.ts [out.png]
// Three smtp-server hosts on 127.0.6.21-23 with the built-in nameserver and the Route 53 provider
// (real SDK, local fake); lets probes run ~40 s so the latency charts fill, kills one SMTP server,
// drains another through the page's own button and token dialog, then takes the picture.
import { join } from 'node:path';
import { Route53Fake } from '../helpers/fakes/route53.ts';
import { startTestDaemon, waitFor } from '../helpers/daemon.ts';
import { launchChromium } from './browser.ts';

const out = process.argv[2] ?? join(import.meta.dirname, '..', '..', 'docs', 'status-page.png');
const TOKEN = 'screenshot-token';
// the daemon inherits these: dummy AWS credentials for the local Route 53 fake, as under vitest
Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_EC2_METADATA_DISABLED: 'true' });
const fake = await Route53Fake.start({ host: '127.0.6.20', zoneId: 'Z0SHOT', zoneName: 'example.com' });
const daemon = await startTestDaemon({
  addresses: ['127.0.6.21', '127.0.6.22', '127.0.6.23'],
  dns: '127.0.6.20:5307',
  http: '127.0.6.20:8107',
  token: TOKEN,
  ttl: 30,
  probe: { interval: '1s', timeout: '500ms' },
  extra: { providers: { route53: { hostedZoneId: 'Z0SHOT', endpoint: fake.endpoint, schedule: '*/1 * * * *' } } },
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${daemon.url}/`);
  await page.locator('[data-host]').first().waitFor();
  await page.waitForTimeout(40_000);
  await daemon.hosts[1]!.kill('SIGKILL');
  await waitFor('mx2 unhealthy on the page', async () => (await page.locator('[data-host="mx2.example.com"]').getAttribute('data-state')) === 'unhealthy', 20_000);
  await page.waitForTimeout(6_000);
  await page.locator('[data-host="mx3.example.com"] button.drain').click();
  await page.locator('#token-input').fill(TOKEN);
  await page.keyboard.press('Enter');
  await waitFor('mx3 draining on the page', async () => (await page.locator('[data-host="mx3.example.com"]').getAttribute('data-state')) === 'draining', 20_000);
  for (const type of ['MX', 'SOA', 'TXT']) await daemon.dig('example.com', type);
  await daemon.dig('mx.example.com', 'A');
  await page.waitForTimeout(3_000);
  await page.locator('[data-focus-key="drain:mx3.example.com"]').blur();
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await daemon.close();
  await fake.close();
}
