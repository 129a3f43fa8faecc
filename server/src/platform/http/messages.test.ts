import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { negotiateLocale, translate, zodIssueReasons } from './locale.js';
import { zhCNMessages, zhCNTerms } from './messages.zh-CN.js';
import { badRequest, conflict, forbidden, notFound, unauthorized, unprocessable } from './problem.js';

const SRC = join(import.meta.dirname, '..', '..');
const HELPERS = new Set(['badRequest', 'unprocessable', 'notFound', 'conflict', 'forbidden', 'unauthorized']);

interface Found {
  text: string;
  where: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The msgids an expression can evaluate to: literals as they are, `${…}` as {0}, {1} …; dynamic text gives none. */
function texts(e: ts.Expression | undefined): string[] {
  if (!e) return [];
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isTemplateExpression(e))
    return [e.head.text + e.templateSpans.map((s, i) => `{${i}}${s.literal.text}`).join('')];
  if (ts.isParenthesizedExpression(e)) return texts(e.expression);
  if (ts.isConditionalExpression(e)) return [...texts(e.whenTrue), ...texts(e.whenFalse)];
  if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
      e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return [...texts(e.left), ...texts(e.right)];
  return [];
}

function descendants(node: ts.Node, visit: (n: ts.Node) => void) {
  node.forEachChild((child) => {
    visit(child);
    descendants(child, visit);
  });
}

/** `reason: …` texts anywhere under the node (inline errors arrays, `.map(() => ({field, reason}))`). */
function reasonsUnder(node: ts.Node): ts.Expression[] {
  const out: ts.Expression[] = [];
  descendants(node, (n) => {
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'reason')
      out.push(n.initializer);
  });
  return out;
}

/** Reasons pushed onto an errors array that is built first and passed to a helper afterwards. */
function reasonsPushedOnto(name: string, call: ts.Node): ts.Expression[] {
  let fn: ts.Node | undefined = call.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return [];
  const out: ts.Expression[] = [];
  descendants(fn, (n) => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'push' &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === name
    )
      out.push(...reasonsUnder(n));
  });
  return out;
}

/** The identifier a call chain starts from: `z` for z.string().min(1, '…'). */
function chainRoot(e: ts.Expression): string | undefined {
  while (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e))
    e = ts.isCallExpression(e) ? e.expression : e.expression;
  return ts.isIdentifier(e) ? e.text : undefined;
}

// zod methods whose string argument is an error message: (value, message) and (message) shapes.
const ZOD_MESSAGE_LAST = new Set(['min', 'max', 'length', 'regex', 'refine', 'gte', 'lte', 'gt', 'lt']);
const ZOD_MESSAGE_FIRST = new Set(['email', 'uuid', 'url', 'date', 'datetime', 'time', 'nonempty', 'int']);

/** Every English text that can reach a problem response, read from the source (no module is imported). */
function collect() {
  const messages: Found[] = [];
  const terms: Found[] = [];
  for (const file of sourceFiles(SRC)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const at = (n: ts.Node) =>
      `${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
    const add = (list: Found[], exprs: ts.Expression[]) => {
      for (const e of exprs) for (const text of texts(e)) list.push({ text, where: at(e) });
    };
    descendants(source, (n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && HELPERS.has(n.expression.text)) {
        const [first, errors] = n.arguments;
        if (n.expression.text === 'notFound') add(terms, [first]);
        else add(messages, [first]);
        add(messages, reasonsUnder(n));
        if (errors && ts.isIdentifier(errors)) add(messages, reasonsPushedOnto(errors.text, n));
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
        if (n.expression.text === 'ProblemError') {
          add(messages, (n.arguments ?? []).slice(1, 3));
          add(messages, reasonsUnder(n));
        }
        // ResourceService labels reach notFound(label) and "no such {label}".
        if (n.expression.text === 'ResourceService')
          descendants(n, (p) => {
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'label')
              add(terms, [p.initializer]);
          });
      }
      // Messages set in zod schemas reach the reasons of validation problems.
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const method = n.expression.name.text;
        const args = n.arguments;
        if (ZOD_MESSAGE_LAST.has(method) && args.length >= 2 && chainRoot(n) !== 'Math')
          add(messages, [args[args.length - 1]]);
        if (ZOD_MESSAGE_FIRST.has(method) && chainRoot(n) === 'z') add(messages, [args[0]]);
        if (method === 'addIssue' || chainRoot(n) === 'z')
          for (const arg of args)
            if (ts.isObjectLiteralExpression(arg))
              for (const p of arg.properties)
                if (
                  ts.isPropertyAssignment(p) &&
                  ts.isIdentifier(p.name) &&
                  ['error', 'message'].includes(p.name.text)
                )
                  add(messages, [p.initializer]);
      }
    });
  }
  return { messages, terms };
}

describe('zh-CN message catalogue', () => {
  const { messages, terms } = collect();

  it('finds the texts thrown across server/src (the scan itself works)', () => {
    const all = new Set(messages.map((m) => m.text));
    expect(all).toContain('Cannot sort by {0}');
    expect(all).toContain('no such {0}'); // pushed onto an errors array first
    expect(all).toContain('Invalid {0}'); // new ProblemError in app.ts
    expect(all).toContain('required'); // a zod schema message
    expect(new Set(terms.map((t) => t.text))).toContain('Account');
    expect(messages.length).toBeGreaterThan(80);
  });

  it('has a Chinese entry for every message thrown with a problem helper or set in a schema', () => {
    const missing = messages.filter((m) => !(m.text in zhCNMessages));
    expect(missing.map((m) => `${m.where}  ${JSON.stringify(m.text)}`)).toEqual([]);
  });

  it('has a Chinese term for every record label and notFound(…) argument', () => {
    const missing = terms.filter((t) => !(t.text in zhCNTerms));
    expect(missing.map((t) => `${t.where}  ${JSON.stringify(t.text)}`)).toEqual([]);
  });

  it('translates the helpers’ own titles and default details', () => {
    for (const p of [
      badRequest('x'),
      unprocessable('x'),
      conflict('x'),
      unauthorized(),
      forbidden(),
      notFound(),
    ]) {
      expect(translate(p.title, 'zh-CN')).not.toBe(p.title);
      if (p.detail !== 'x') expect(translate(p.detail ?? '', 'zh-CN')).not.toBe(p.detail);
    }
  });

  it('uses in each translation only slots that its English template has', () => {
    for (const [english, chinese] of Object.entries(zhCNMessages)) {
      const slots = new Set([...english.matchAll(/\{(\d+)\}/g)].map((m) => m[1]));
      for (const m of chinese.matchAll(/\{(?:term:)?(\d+)\}/g)) expect(slots, english).toContain(m[1]);
    }
  });
});

describe('translate', () => {
  it('fills templates, translating term slots and keeping verbatim ones', () => {
    expect(translate('Account not found', 'zh-CN')).toBe('未找到客户');
    expect(translate('Cannot sort by colour', 'zh-CN')).toBe('不能按 colour 排序');
    expect(translate('Your role (rep) lacks the permission crm:write', 'zh-CN')).toBe(
      '你的角色（销售代表）没有 crm:write 权限',
    );
    expect(translate('Invalid filter stage', 'zh-CN')).toBe('筛选条件 stage 无效'); // the longer template wins
    expect(translate('Invalid body', 'zh-CN')).toBe('请求体无效');
  });

  it('translates the English zod messages services pass on as text (custom fields, list filters)', () => {
    expect(translate('must be one of: a, b', 'zh-CN')).toBe('必须是以下之一：a, b');
    expect(translate('Invalid input: expected number, received string', 'zh-CN')).toBe(
      '无效输入：期望 number，实际接收 string',
    );
    expect(translate('Invalid email address', 'zh-CN')).toBe('邮箱地址无效');
  });

  it('leaves unknown text and English untouched', () => {
    expect(translate('Something nobody wrote down', 'zh-CN')).toBe('Something nobody wrote down');
    expect(translate('Account not found', 'en')).toBe('Account not found');
  });
});

describe('negotiateLocale', () => {
  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR', 'en'],
    ['fr-FR, zh;q=0.5', 'zh-CN'],
    ['en;q=0.4, zh-CN;q=0.8', 'zh-CN'],
    ['zh-CN;q=0.8, en', 'en'],
    ['zh;q=0', 'en'],
    ['*', 'en'],
  ] as const)('%s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});

describe('zodIssueReasons', () => {
  const issuesOf = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value, { reportInput: true });
    if (r.success) throw new Error('expected a failure');
    return r.error.issues;
  };

  it('writes zod’s own issues in business words that say what to enter', () => {
    const [issue] = issuesOf(z.object({ email: z.email() }), { email: 'nope' });
    expect(zodIssueReasons(issue)).toEqual({
      en: 'Enter an email address, such as name@example.com',
      'zh-CN': '请填写有效的邮箱地址，如 name@example.com',
    });
    const [typed] = issuesOf(z.object({ n: z.number() }), { n: 'x' });
    expect(zodIssueReasons(typed)).toEqual({ en: 'Enter a number', 'zh-CN': '请填写数字' });
    const [missing] = issuesOf(z.object({ name: z.string() }), {});
    expect(zodIssueReasons(missing)).toEqual({ en: 'Required', 'zh-CN': '必填' });
    const [negative] = issuesOf(z.number().min(0), -1);
    expect(zodIssueReasons(negative)).toEqual({ en: 'Enter 0 or more', 'zh-CN': '不能小于 0' });
    const [positive] = issuesOf(z.number().positive(), 0);
    expect(zodIssueReasons(positive)).toEqual({
      en: 'Enter a number greater than 0',
      'zh-CN': '请填写大于 0 的数',
    });
    const [long] = issuesOf(z.string().max(3), 'abcd');
    expect(zodIssueReasons(long)).toEqual({ en: 'At most 3 characters', 'zh-CN': '最多 3 个字符' });
    const [choice] = issuesOf(z.enum(['open', 'won']), 'x');
    expect(zodIssueReasons(choice)).toEqual({
      en: 'Choose one of: open, won',
      'zh-CN': '请选择以下之一：open、won',
    });
    const [link] = issuesOf(z.url(), 'nope');
    expect(zodIssueReasons(link)['zh-CN']).toBe('请填写以 https:// 开头的网址');
    // none of zod's own wording is left, in either language
    for (const i of [issue, typed, missing, negative, positive, long, choice, link])
      for (const reason of Object.values(zodIssueReasons(i)))
        expect(reason).not.toMatch(
          /Invalid input|expected|received|Too (big|small)|无效输入|期望|实际接收|过大|过小/,
        );
  });

  it('sends a message a schema set itself through the catalogue', () => {
    const [issue] = issuesOf(z.string().min(1, 'required'), '');
    expect(zodIssueReasons(issue)).toEqual({ en: 'required', 'zh-CN': '必填' });
  });
});
