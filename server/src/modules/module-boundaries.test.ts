import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The house rules between modules (docs/architecture.md): a module never reads another module's
 * tables — it calls that module's service or a read model the module owns — so no module imports
 * another module's `*.schema.ts`; and `platform/` knows no module. Every non-test .ts file is
 * parsed (static imports and re-exports, `import type`, `import x = require(…)`, `import('…')`).
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .ts file under dir, test files excluded. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts'))
      out.push(path);
  }
  return out;
}

/** The module specifiers a file imports or re-exports. */
function importedSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      out.push(node.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    )
      out.push(node.moduleReference.expression.text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      out.push(node.arguments[0].text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const lit = node.argument.literal;
      if (ts.isStringLiteral(lit)) out.push(lit.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The module a path under `<src>/modules/<m>/…` belongs to (null for files directly in modules/). */
function moduleOf(src: string, path: string): string | null {
  const parts = relative(join(src, 'modules'), path).split(sep);
  return parts.length > 1 && parts[0] !== '..' ? parts[0] : null;
}

const isUnder = (path: string, dir: string) => {
  const r = relative(dir, path);
  return r !== '' && !r.startsWith('..') && !r.startsWith(sep);
};

/** Broken rules under `src` (a server/src tree), one line each: file, import, rule. */
function boundaryViolations(src: string): string[] {
  const out: string[] = [];
  const modulesDir = join(src, 'modules');
  for (const file of sourceFiles(modulesDir)) {
    const own = moduleOf(src, file);
    for (const spec of importedSpecifiers(file, readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!isUnder(target, modulesDir) || !/\.schema(\.[cm]?[jt]s)?$/.test(target)) continue;
      const theirs = moduleOf(src, target);
      if (theirs !== own)
        out.push(
          `${relative(src, file)} imports ${spec}: the ${theirs ?? '?'} module's tables (call its service or a read model it owns)`,
        );
    }
  }
  for (const file of sourceFiles(join(src, 'platform'))) {
    for (const spec of importedSpecifiers(file, readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      if (isUnder(resolve(dirname(file), spec), modulesDir))
        out.push(`${relative(src, file)} imports ${spec}: platform/ never imports from modules/`);
    }
  }
  return out.map((line) => line.split(sep).join('/')).sort();
}

describe('module boundaries', () => {
  it('no module imports another module’s schema; platform imports no module', () => {
    expect(boundaryViolations(SRC)).toEqual([]);
  });

  describe('the check itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'zs-boundaries-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('modules/crm/crm.schema.ts', 'export const accounts = 1;\n');
    write(
      'modules/crm/crm.service.ts',
      "import { accounts } from './crm.schema.js';\nexport const a = accounts;\n",
    );
    write('modules/signals/signals.schema.ts', 'export const signals = 1;\n');
    write(
      'modules/predict/reads.ts',
      [
        "import { accounts } from '../crm/crm.schema.js';",
        "import type { signals } from '../signals/signals.schema';",
        "export { a } from '../crm/crm.service.js';",
        "export * from '../signals/signals.schema.js';",
        "const later = () => import('../crm/crm.schema.js');",
        "type T = typeof import('../signals/signals.schema.js');",
      ].join('\n'),
    );
    write('modules/predict/fine.ts', "import { a } from '../crm/crm.service.js';\nexport const b = a;\n");
    write('modules/predict/reads.test.ts', "import { accounts } from '../crm/crm.schema.js';\n");
    write(
      'platform/db/db.ts',
      "import { a } from '../../modules/crm/crm.service.js';\nexport const c = a;\n",
    );
    write('platform/http/app.ts', "import { x } from '../db/db.js';\nexport const d = x;\n");
    write('platform/db/db.test.ts', "import { accounts } from '../../modules/crm/crm.schema.js';\n");

    it('names each file and import that breaks a rule, and only those', () => {
      expect(boundaryViolations(root)).toEqual([
        "modules/predict/reads.ts imports ../crm/crm.schema.js: the crm module's tables (call its service or a read model it owns)",
        "modules/predict/reads.ts imports ../crm/crm.schema.js: the crm module's tables (call its service or a read model it owns)",
        "modules/predict/reads.ts imports ../signals/signals.schema.js: the signals module's tables (call its service or a read model it owns)",
        "modules/predict/reads.ts imports ../signals/signals.schema.js: the signals module's tables (call its service or a read model it owns)",
        "modules/predict/reads.ts imports ../signals/signals.schema: the signals module's tables (call its service or a read model it owns)",
        'platform/db/db.ts imports ../../modules/crm/crm.service.js: platform/ never imports from modules/',
      ]);
    });
  });
});
