/**
 * From a notebook's graded cells to what the sandbox runs: one compiled script per cell.
 *
 * A notebook is a sequence of scripts sharing one global scope, and the sandbox keeps it that way:
 * each graded cell runs as its own script in one vm context per notebook, in notebook order, so a
 * later cell sees the functions of the earlier ones, and a cell with a syntax error or a crash
 * costs only the tests of what it defines.
 *
 *   notebook ─► imports of every code cell ─► bindings the sandbox resolves from its allow-list
 *            └► graded cells ─► imports and `export` removed ─► TypeScript → JavaScript (per cell;
 *               a syntax error is reported with the cell's own line numbers) ─► scripts
 *
 * Only the imports whose names the graded cells use are bound, so a notebook that imports the
 * whole course library for its plots does not make the sandbox load it. Types are not checked
 * (tslab shows type errors while the student works); grading judges behaviour.
 */
import * as ts from "typescript";
import { codeSources, gradedCells, Notebook as RawNotebook } from "@ts-course/notebook";
import type { ExerciseEntry } from "./registry";
import type { ImportBinding } from "./sandbox/protocol";

export interface CompiledCell {
  /** Unique within the module: "<gradeId>#<cell index>". */
  key: string;
  gradeId: string;
  cellIndex: number;
  /** The script's name in stack traces, e.g. "autoencoders.ipynb [ae-sparse-l1]". */
  filename: string;
  js: string | null;
  /** Why the cell could not be compiled (a syntax error, with line and column in the cell). */
  error: string | null;
}

export interface SandboxModule {
  exercise: string;
  notebook: string;
  imports: ImportBinding[];
  cells: CompiledCell[];
  /** function name → the grade id of the cell meant to define it (from the registry). */
  functionOwners: Record<string, string>;
  /** Grade ids the registry expects that no cell of this notebook carries. */
  missingGradeIds: string[];
  /** Grade ids in the notebook the registry does not know (ignored). */
  unknownGradeIds: string[];
}

function parse(source: string): ts.SourceFile {
  return ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Import bindings of one cell (type-only imports are skipped). */
export function importBindings(source: string): ImportBinding[] {
  const file = parse(source);
  const out: ImportBinding[] = [];
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const module = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (clause.name) out.push({ local: clause.name.text, module, kind: "default" });
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) out.push({ local: nb.name.text, module, kind: "namespace" });
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) {
          if (el.isTypeOnly) continue;
          out.push({ local: el.name.text, module, kind: "named", imported: (el.propertyName ?? el.name).text });
        }
      }
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
      out.push({ local: st.name.text, module: st.moduleReference.expression.text, kind: "namespace" });
    }
  }
  return out;
}

/** Names bound by a declaration or parameter (destructuring included). */
function bindingNames(name: ts.BindingName, out: string[]): void {
  const stack: ts.BindingName[] = [name];
  while (stack.length) {
    const n = stack.pop()!;
    if (ts.isIdentifier(n)) out.push(n.text);
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) stack.push(el.name);
  }
}

/** let/const/class/function declared directly in a list of statements (block scope). */
function lexicalNames(statements: readonly ts.Statement[], out: string[]): void {
  for (const st of statements) {
    if (ts.isVariableStatement(st) && st.declarationList.flags & ts.NodeFlags.BlockScoped) for (const d of st.declarationList.declarations) bindingNames(d.name, out);
    else if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name) out.push(st.name.text);
  }
}

/** `var` names anywhere in a function body, not inside nested functions (they are function-scoped). */
function varNames(body: ts.Node, out: string[]): void {
  const stack: ts.Node[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n !== body && (ts.isFunctionLike(n) || ts.isClassLike(n))) continue;
    if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) for (const d of n.declarations) bindingNames(d.name, out);
    ts.forEachChild(n, (c) => void stack.push(c));
  }
}

/** The names a scope-making node declares for the code inside it; null when it makes no scope. */
function scopeNames(node: ts.Node): string[] | null {
  const out: string[] = [];
  if (ts.isFunctionLike(node)) {
    for (const p of node.parameters) bindingNames(p.name, out);
    if ((ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node)) && node.name) out.push(node.name.text);
    const body = (node as ts.FunctionLikeDeclaration).body;
    if (body) {
      varNames(body, out);
      if (ts.isBlock(body)) lexicalNames(body.statements, out);
    }
    return out;
  }
  if (ts.isClassExpression(node) && node.name) return [node.name.text];
  if (ts.isBlock(node) && !ts.isFunctionLike(node.parent)) {
    lexicalNames(node.statements, out);
    return out;
  }
  if (ts.isCaseBlock(node)) {
    for (const c of node.clauses) lexicalNames(c.statements, out);
    return out;
  }
  if ((ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) && node.initializer && ts.isVariableDeclarationList(node.initializer)) {
    if (node.initializer.flags & ts.NodeFlags.BlockScoped) for (const d of node.initializer.declarations) bindingNames(d.name, out);
    return out;
  }
  if (ts.isCatchClause(node) && node.variableDeclaration) {
    bindingNames(node.variableDeclaration.name, out);
    return out;
  }
  return null;
}

/** An identifier that names a property, a member or a type, not a value read from a scope. */
function isNameOnly(node: ts.Identifier): boolean {
  const p = node.parent;
  return (
    (ts.isPropertyAccessExpression(p) && p.name === node) ||
    (ts.isPropertyAssignment(p) && p.name === node) ||
    ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === node) ||
    ts.isInterfaceDeclaration(p) ||
    ts.isTypeAliasDeclaration(p)
  );
}

/**
 * The names a cell reads from the notebook's global scope: identifiers in value positions that no
 * enclosing scope declares. (A parameter called `seed` must not make the sandbox load the library
 * for the `seed` the set-up cell imports.) Approximate in the safe direction: a name it cannot place
 * is counted as used. One pass over the tree, without recursion: the cost grows with the size of
 * the cell, not with the square of its nesting (a cell of deeply nested functions is student input).
 */
export function freeNames(source: string): Set<string> {
  const file = parse(source);
  const names = new Set<string>();
  const declared = new Map<string, number>(); // name → how many enclosing scopes declare it
  const change = (xs: string[], by: number) => xs.forEach((x) => declared.set(x, (declared.get(x) ?? 0) + by));
  // Explicit stack of [node, names it declared] entries; a null node marks "leave the scope".
  const stack: { node: ts.Node; leave?: string[] }[] = [{ node: file }];
  while (stack.length) {
    const { node, leave } = stack.pop()!;
    if (leave) {
      change(leave, -1);
      continue;
    }
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) continue; // types vanish at compile time
    if (ts.isIdentifier(node)) {
      if (!isNameOnly(node) && !declared.get(node.text)) names.add(node.text);
      continue;
    }
    const scope = scopeNames(node);
    if (scope) {
      change(scope, 1);
      stack.push({ node, leave: scope });
    }
    const children: ts.Node[] = [];
    ts.forEachChild(node, (c) => void children.push(c));
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] });
  }
  return names;
}

/**
 * The cell without its imports and `export` keywords, as a script. Removed text is replaced by
 * spaces (newlines kept), so line and column numbers still match the cell.
 */
export function scriptSource(source: string): string {
  const file = parse(source);
  const chars = source.split("");
  const blank = (start: number, end: number) => {
    for (let i = start; i < end; i++) if (chars[i] !== "\n") chars[i] = " ";
  };
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st) || ts.isExportDeclaration(st) || ts.isExportAssignment(st)) {
      blank(st.getStart(file), st.getEnd());
      continue;
    }
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) ?? [] : [];
    for (const m of mods) {
      if (m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) blank(m.getStart(file), m.getEnd());
    }
  }
  return chars.join("");
}

/** TypeScript → JavaScript for one cell; a syntax error comes back as a message with the cell's line. */
export function compileCell(source: string): { js: string | null; error: string | null } {
  const script = scriptSource(source);
  const out = ts.transpileModule(script, {
    fileName: "cell.ts",
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleDetection: ts.ModuleDetectionKind.Legacy,
      removeComments: false,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    const d = errors[0];
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file && d.start != null) {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return { js: null, error: `syntax error at line ${line + 1}, column ${character + 1}: ${message}` };
    }
    return { js: null, error: `syntax error: ${message}` };
  }
  return { js: out.outputText, error: null };
}

export function extractModule(nb: RawNotebook, entry: ExerciseEntry): SandboxModule {
  const known = new Set(entry.graded.map((g) => g.gradeId));
  const cells: CompiledCell[] = [];
  const used = new Set<string>();
  const unknown = new Set<string>();
  for (const cell of gradedCells(nb)) {
    if (!known.has(cell.gradeId)) {
      unknown.add(cell.gradeId);
      continue;
    }
    // One cell that the compiler cannot take (nested too deeply for its recursion, say) costs only itself.
    let compiled: { js: string | null; error: string | null };
    try {
      for (const name of freeNames(cell.source)) used.add(name);
      compiled = compileCell(cell.source);
    } catch (err) {
      compiled = { js: null, error: `structure the compiler cannot handle (${String((err as Error)?.message ?? err).slice(0, 200)}; nested too deeply?)` };
    }
    cells.push({ key: `${cell.gradeId}#${cell.index}`, gradeId: cell.gradeId, cellIndex: cell.index, filename: `${entry.notebook} [${cell.gradeId}]`, ...compiled });
  }
  // Imports from every code cell (the set-up cell usually), keeping those the graded cells use.
  const imports = new Map<string, ImportBinding>();
  for (const src of codeSources(nb)) {
    if (!src.includes("import")) continue; // parsing every cell of a large notebook costs time; only imports matter here
    let bindings: ImportBinding[] = [];
    try {
      bindings = importBindings(src.slice(0, 100_000));
    } catch {
      /* an unparsable cell: its imports are lost, the graded cells say the rest */
    }
    for (const b of bindings) if (used.has(b.local)) imports.set(b.local, b);
  }
  const present = new Set(cells.map((c) => c.gradeId));
  const functionOwners: Record<string, string> = {};
  for (const g of entry.graded) for (const f of g.functions) functionOwners[f] = g.gradeId;
  return {
    exercise: entry.name,
    notebook: entry.notebook,
    imports: [...imports.values()],
    cells,
    functionOwners,
    missingGradeIds: entry.graded.map((g) => g.gradeId).filter((id) => !present.has(id)),
    unknownGradeIds: [...unknown],
  };
}
