// Writes config/mxpool.schema.json from the zod schema. Run: npm run schema (or npx node scripts/gen-schema.ts).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/json-schema.ts';

const target = fileURLToPath(new URL('../config/mxpool.schema.json', import.meta.url));
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
