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
import { gradedCells, RawNotebook, codeSources } from "./notebook";
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
function bindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

/** Every name declared anywhere inside a node (parameters, variables, functions, classes). */
function declaredInside(node: ts.Node): Set<string> {
  const out = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isParameter(n) || ts.isVariableDeclaration(n)) bindingNames(n.name, out);
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) && n.name) out.add(n.name.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}

/**
 * The names a cell reads from the notebook's global scope: identifiers in value positions that no
 * enclosing function declares. (A parameter called `seed` must not make the sandbox load the
 * library for the `seed` the set-up cell imports.) Approximate in the safe direction: a name
 * it cannot place is counted as used.
 */
export function freeNames(source: string): Set<string> {
  const file = parse(source);
  const names = new Set<string>();
  const scopes = new Map<ts.Node, Set<string>>();
  const localIn = (node: ts.Node, name: string): boolean => {
    for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
      if (ts.isFunctionLike(p) || ts.isClassLike(p)) {
        let set = scopes.get(p);
        if (!set) scopes.set(p, (set = declaredInside(p)));
        if (set.has(name)) return true;
      }
    }
    return false;
  };
  const visit = (node: ts.Node) => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return; // types vanish at compile time
    if (ts.isIdentifier(node)) {
      const p = node.parent;
      const isName =
        (ts.isPropertyAccessExpression(p) && p.name === node) ||
        (ts.isPropertyAssignment(p) && p.name === node) ||
        ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === node) ||
        ts.isInterfaceDeclaration(p) ||
        ts.isTypeAliasDeclaration(p);
      if (!isName && !localIn(node, node.text)) names.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
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
    for (const name of freeNames(cell.source)) used.add(name);
    const { js, error } = compileCell(cell.source);
    cells.push({ key: `${cell.gradeId}#${cell.index}`, gradeId: cell.gradeId, cellIndex: cell.index, filename: `${entry.notebook} [${cell.gradeId}]`, js, error });
  }
  // Imports from every code cell (the set-up cell usually), keeping those the graded cells use.
  const imports = new Map<string, ImportBinding>();
  for (const src of codeSources(nb)) {
    let bindings: ImportBinding[] = [];
    try {
      bindings = importBindings(src);
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
