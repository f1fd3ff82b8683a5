import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** The folders whose files the app, the tests and the benchmarks read; none may reach outside the root. */
export const SCANNED_FOLDERS = ["src", "test", "bench", "ui"];

export const ROOT = path.resolve(__dirname, "../..");

/** One place in a file that points outside the repository. `line` is 1-based. */
export interface OutsidePath {
  file: string;
  line: number;
  text: string;
}

const CODE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Text that names a machine-specific folder or the reference folder beside the checkout (built so this file does not match itself). */
const FORBIDDEN_TEXT = [/\/work\//, /\.\.\/shared\b/, /\/home\/[a-z]/];

/**
 * Every place in `source` (a file at `file`, relative to `root`) that leaves the repository: a string
 * literal (import specifier, `path.resolve(__dirname, …)` argument, template head) that resolves outside
 * `root` from the file's folder, and any text (comments included) naming an absolute machine path or a
 * sibling folder of the checkout (`shared` beside it). One finding per line.
 */
export function outsidePaths(file: string, source: string, root = ROOT): OutsidePath[] {
  const found: OutsidePath[] = [];
  const lineOf = (pos: number) => source.slice(0, pos).split("\n").length;
  source.split("\n").forEach((line, i) => {
    if (FORBIDDEN_TEXT.some((re) => re.test(line))) found.push({ file, line: i + 1, text: line.trim() });
  });
  if (!CODE.test(file) || !/\.\.\/|__dirname/.test(source)) return found;
  const dir = path.dirname(path.resolve(root, file));
  const leaves = (relative: string) => {
    const rel = path.relative(root, path.resolve(dir, relative));
    return rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length > 1 && node.arguments[0].getText(sf) === "__dirname") {
      const parts = node.arguments.slice(1);
      if (parts.every((a) => ts.isStringLiteralLike(a)) && leaves(path.join(...parts.map((a) => (a as ts.StringLiteralLike).text)))) {
        found.push({ file, line: lineOf(node.getStart(sf)), text: node.getText(sf) });
      }
    }
    if ((ts.isStringLiteralLike(node) || ts.isTemplateHead(node)) && /^\.\.?\//.test(node.text) && leaves(node.text)) {
      found.push({ file, line: lineOf(node.getStart(sf)), text: node.getText(sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found.filter((f, i) => found.findIndex((g) => g.line === f.line) === i).sort((a, b) => a.line - b.line);
}

/** All files under `folder` (relative to `root`), symbolic links not followed. */
export function filesUnder(folder: string, root = ROOT): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  if (fs.existsSync(path.join(root, folder))) walk(folder);
  return out;
}
