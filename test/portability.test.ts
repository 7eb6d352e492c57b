/**
 * Keeps the portable code portable: `packages/core` and the host-side parts of
 * `packages/sandbox` run unchanged on Node, workerd and in browsers, so they
 * may use web-standard APIs only. Node-specific code lives in `node/` and `cli/`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

/** Folders (relative to the repo root) whose code must stay portable, and sub-folders exempt from it. */
const PORTABLE = [
  { dir: 'packages/core/src', exempt: [] as string[] },
  { dir: 'packages/sandbox/src', exempt: ['cli', 'node'] },
];

/** Host-specific globals and modules, each with a pattern that finds its use in code. */
const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: 'a node:* import', pattern: /from\s+['"]node:|import\(\s*['"]node:|require\(/ },
  { what: 'a bare Node built-in import', pattern: /from\s+['"](fs|path|os|crypto|child_process|worker_threads|url|util|stream|buffer)['"]/ },
  { what: 'the Node Buffer global', pattern: /\bBuffer\.(from|alloc|concat|isBuffer)\b/ },
  { what: 'the Node process global', pattern: /\bprocess\.(env|argv|exit|cwd|platform|versions|nextTick|memoryUsage|hrtime)\b/ },
  { what: 'a DOM global', pattern: /(?<![\w.$])(window|localStorage|sessionStorage|navigator\.serviceWorker)\.\w|(?<![\w.$])document\.(createElement|getElementById|querySelector\w*|body|head|cookie|location|addEventListener)\b/ },
  { what: 'a Workers-only global', pattern: /\b(caches\.default|HTMLRewriter|WebSocketPair)\b/ },
];

function sourceFiles(dir: string, exempt: string[], base = dir): string[] {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return [];
  }
  if (!stat.isDirectory()) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(base, path);
    if (exempt.some((e) => rel === e || rel.startsWith(`${e}/`))) continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path, exempt, base));
    else if (/\.(ts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** A name such as `window` may be an ordinary local (a sliding window), not the global. */
function declaresLocally(code: string, found: string): boolean {
  const name = /^[A-Za-z_$][\w$]*/.exec(found)?.[0];
  if (!name) return false;
  const declared = new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b|[(,]\\s*${name}\\s*[:,)=]|\\b${name}\\s*:\\s*\\w`);
  return declared.test(code);
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('portable code uses web-standard APIs only', () => {
  for (const { dir, exempt } of PORTABLE) {
    it(`${dir} has no Node, DOM or Workers-specific API`, () => {
      const files = sourceFiles(join(root, dir), exempt);
      const offences: string[] = [];
      for (const file of files) {
        const code = stripComments(readFileSync(file, 'utf8'));
        for (const { what, pattern } of FORBIDDEN) {
          const match = pattern.exec(code);
          if (match && !declaresLocally(code, match[0])) offences.push(`${relative(root, file)}: ${what} (${match[0]})`);
        }
      }
      expect(offences).toEqual([]);
    });
  }

  it('tells the window global from a local named window', () => {
    const dom = FORBIDDEN.find((f) => f.what === 'a DOM global')!.pattern;
    const global = 'const w = window.innerWidth;';
    const local = 'const window = new Window(); window.count++;';
    expect(dom.test(global) && !declaresLocally(global, 'window.innerWidth')).toBe(true);
    expect(declaresLocally(local, 'window.count')).toBe(true);
  });

  it('the checker itself finds a node: import', () => {
    const code = stripComments("import { readFileSync } from 'node:fs';\n");
    expect(FORBIDDEN.some(({ pattern }) => pattern.test(code))).toBe(true);
  });
});
