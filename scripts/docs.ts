/**
 * `npm run docs`: rewrite what is generated from the code — the JSON Schemas of the file formats (schemas/), the
 * field tables of docs/formats/*.md, and the README's option reference. The tests fail when any is out of date
 * (test/schemas.test.ts, test/readme.test.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withOptionReference } from './readme.js';
import { FILE_FORMATS, docsText, repoRoot, schemaPath, schemaText } from './schemas.js';

const root = repoRoot();
for (const f of FILE_FORMATS) {
  const path = join(root, schemaPath(f));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, schemaText(f));
  const docs = join(root, f.docs);
  writeFileSync(docs, docsText(f, readFileSync(docs, 'utf8')));
  process.stdout.write(`wrote ${schemaPath(f)} and the field tables of ${f.docs}\n`);
}
const readme = join(root, 'README.md');
writeFileSync(readme, await withOptionReference(readFileSync(readme, 'utf8')));
process.stdout.write('wrote the option reference of README.md\n');
