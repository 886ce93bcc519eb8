// The JSON Schema of the config file, generated from the one zod schema (input side: keys with a
// default are optional, durations are strings). config/mxpool.schema.json is this, written by
// `npm run schema`; a test fails when the committed file is stale.
import { z } from 'zod';
import { configSchema } from './schema.ts';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'throw' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'mxpool config',
    description: 'Config of mxpool: SMTP pools, probes, the records it publishes, the nameserver and DNS providers. Cross-field rules (names inside zone, unique hosts, timeout < interval, ...) are checked by `mxpool validate`.',
    ...rest,
  };
}

/** The file's exact text: stable key order, two-space indent, final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
