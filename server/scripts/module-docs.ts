/**
 * Writes the generated module and event tables into docs/architecture.md from the module
 * definitions (server/src/modules/index.ts):  npm run docs:modules --workspace server
 * src/modules/modules.test.ts fails when the committed tables differ from the definitions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appModules } from '../src/modules/index.js';
import { moduleDocs, withModuleDocs } from '../src/modules/module-docs.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'architecture.md');
writeFileSync(file, withModuleDocs(readFileSync(file, 'utf8'), moduleDocs(appModules)));
console.log(`wrote the module and event tables into ${file}`);
