// config/mxpool.schema.json must be what the zod schema generates today, must describe every key,
// and the example config must document every key it describes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/json-schema.ts';
import { parseConfig } from '../../src/config/load.ts';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  description?: string;
  default?: unknown;
  additionalProperties?: boolean;
}

/** Every property in the schema as [dotted path, schema], lists shown as []. */
function properties(schema: JsonSchema, path = ''): [string, JsonSchema][] {
  const out: [string, JsonSchema][] = [];
  if (schema.items) out.push(...properties(schema.items, `${path}[]`));
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    out.push([childPath, child], ...properties(child, childPath));
  }
  return out;
}

const committed = readFileSync('config/mxpool.schema.json', 'utf8');
const schema = configJsonSchema() as JsonSchema;

describe('config/mxpool.schema.json', () => {
  it('is up to date with src/config/schema.ts (run `npm run schema` when this fails)', () => {
    expect(committed).toBe(configJsonSchemaText());
  });

  it('describes the input side: only zone and pools are required, defaults are input values', () => {
    expect(schema.required).toEqual(['zone', 'pools']);
    expect(schema.additionalProperties).toBe(false);
    const probe = schema.properties!.probe!.properties!;
    expect(probe.interval).toMatchObject({ type: 'string', default: '5s' });
    expect(probe.rise).toMatchObject({ type: 'integer', minimum: 1, default: 2 });
    const host = schema.properties!.pools!.items!.properties!.hosts!.items!;
    expect(host.required).toEqual(['name', 'address']);
    expect(host.properties!.weight).toMatchObject({ type: 'integer', minimum: 0, maximum: 255, default: 1 });
  });

  it('gives every key a description for editors', () => {
    const missing = properties(schema).filter(([, child]) => !child.description).map(([path]) => path);
    expect(missing).toEqual([]);
  });

  it('has defaults the loader accepts and turns into the same values it fills in itself', () => {
    const probeDefaults = Object.fromEntries(Object.entries(schema.properties!.probe!.properties!).flatMap(([key, child]) => (child.default === undefined ? [] : [[key, child.default]])));
    const minimal = 'zone: example.com\npools: [{ name: p, role: outbound, hosts: [{ name: a.example.com, address: 192.0.2.1 }] }]\n';
    const spelled = parseConfig(`${minimal}probe: ${JSON.stringify(probeDefaults)}\n`);
    expect(spelled.probe).toEqual(parseConfig(minimal).probe);
  });
});

describe('config/mxpool.example.yaml', () => {
  const example = readFileSync('config/mxpool.example.yaml', 'utf8');

  it('points editors at the schema on its first line', () => {
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=./mxpool.schema.json');
  });

  it('documents every key of the schema (set, or shown in a comment)', () => {
    const keys = new Set(properties(schema).map(([path]) => path.split('.').pop()!.replace(/\[\]$/, '')));
    const undocumented = [...keys].filter((key) => !new RegExp(`(^|[\\s{,#])${key}:`, 'm').test(example));
    expect(undocumented).toEqual([]);
  });

  it('validates with its commented-out providers section switched on', () => {
    const on = example.replace(/^# (providers:[\s\S]*?)\n\n/m, (_all, block: string) => `${block.replace(/^# ?/gm, '')}\n\n`);
    expect(on).not.toBe(example);
    const config = parseConfig(on, 'example-with-providers.yaml');
    expect(config.providers).toMatchObject({ ownerId: 'mxpool', maxDeletePercent: 30, route53: { hostedZoneId: 'Z0123456789ABC', waitForSync: false }, cloudflare: { tokenEnv: 'CLOUDFLARE_API_TOKEN' } });
  });

  it('shows every provider key in its commented-out providers section', () => {
    const providers = schema.properties!.providers!;
    const commented = example.split('\n').filter((line) => line.startsWith('#')).join('\n');
    for (const [path] of properties(providers)) {
      const key = path.split('.').pop()!;
      expect(commented, `providers.${path}`).toMatch(new RegExp(`#\\s+${key}:`));
    }
  });
});
