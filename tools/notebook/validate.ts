/**
 * Validating against the official nbformat 4.5 JSON schema (schema/, copied from the
 * nbformat 5.11.1 wheel on PyPI). The schema is draft-04; it uses nothing that differs in
 * draft-07, so Ajv 8 compiles it once its `$schema` line is dropped.
 *
 * Compiling the schema costs more than exporting a notebook, so the compiled validators are
 * kept as JavaScript (Ajv's "standalone" code) in tools/notebook/.cache/, named by a hash of the
 * schema, the Ajv version and the entry points: valid wherever the checkout is (the code names
 * no path, only `ajv/...` modules), and later runs just load that file.
 *
 * Cells and outputs are checked one by one against their own definitions so that an error
 * reads "cells/3/outputs/0: must have required property 'name'" instead of a oneOf dump.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { NotebookError } from "./read";
import { Notebook } from "./types";
import { writeFileAtomic } from "./write";

export const SCHEMA_FILE = path.join(__dirname, "schema", "nbformat.v4.5.schema.json");
const CACHE_DIR = path.join(__dirname, ".cache");

interface ValidationError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}
interface Validator {
  (data: unknown): boolean;
  errors?: ValidationError[] | null;
}

const CELL_TYPES = ["code", "markdown", "raw"] as const;
const OUTPUT_TYPES = ["execute_result", "display_data", "stream", "error"] as const;
/** Export name in the compiled module → schema reference. */
const ENTRIES: Record<string, string> = {
  notebook: "nbformat#",
  ...Object.fromEntries(CELL_TYPES.map((t) => [`cell_${t}`, `nbformat#/definitions/${t}_cell`])),
  ...Object.fromEntries(OUTPUT_TYPES.map((t) => [`output_${t}`, `nbformat#/definitions/${t}`])),
};

let validators: Record<string, Validator> | null = null;

function load(): Record<string, Validator> {
  if (validators) return validators;
  const schemaText = fs.readFileSync(SCHEMA_FILE, "utf8");
  const ajvVersion = (require("ajv/package.json") as { version: string }).version;
  const key = crypto.createHash("sha1").update(schemaText).update(ajvVersion).update(JSON.stringify(ENTRIES)).digest("hex").slice(0, 12);
  const cached = path.join(CACHE_DIR, `nbformat-4.5-validators-${key}.js`);
  if (fs.existsSync(cached)) {
    try {
      validators = require(cached) as Record<string, Validator>;
      return validators;
    } catch {
      // a damaged cache file: compile again below
    }
  }
  // Slow path, once: compile with Ajv and keep the generated code.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Ajv = require("ajv").default;
  const standalone = require("ajv/dist/standalone").default;
  const schema = JSON.parse(schemaText);
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, code: { source: true } });
  ajv.addSchema(schema, "nbformat");
  try {
    writeFileAtomic(cached, standalone(ajv, ENTRIES));
    validators = require(cached) as Record<string, Validator>;
  } catch {
    // read-only checkout: validate with the compiled functions in memory
    validators = Object.fromEntries(Object.entries(ENTRIES).map(([name, ref]) => [name, ajv.getSchema(ref)]));
  }
  return validators!;
}

function describe(e: ValidationError, prefix = ""): string {
  const where = (prefix + e.instancePath).replace(/^\//, "") || "notebook";
  const extra = e.keyword === "additionalProperties" ? ` ("${e.params.additionalProperty}")` : "";
  return `${where}: ${e.message}${extra}`;
}

/** Every problem found, as short readable lines (empty when the notebook is valid). */
export function schemaErrors(nb: unknown): string[] {
  const v = load();
  if (v.notebook(nb)) return [];
  const problems: string[] = [];
  const cells = (nb as Notebook)?.cells;
  if (Array.isArray(cells)) {
    cells.forEach((cell, i) => {
      const type = (cell as { cell_type?: string })?.cell_type ?? "";
      const check = v[`cell_${type}`];
      if (!check) return problems.push(`cells/${i}: unknown cell_type ${JSON.stringify(type)}`);
      if (check(cell)) return;
      for (const e of check.errors ?? []) if (!e.instancePath.startsWith("/outputs/")) problems.push(describe(e, `/cells/${i}`));
      const outputs = (cell as { outputs?: unknown[] }).outputs;
      if (!Array.isArray(outputs)) return;
      outputs.forEach((out, k) => {
        const outType = (out as { output_type?: string })?.output_type ?? "";
        const checkOut = v[`output_${outType}`];
        if (!checkOut) return problems.push(`cells/${i}/outputs/${k}: unknown output_type ${JSON.stringify(outType)}`);
        if (!checkOut(out)) for (const e of checkOut.errors ?? []) problems.push(describe(e, `/cells/${i}/outputs/${k}`));
      });
    });
  }
  for (const e of v.notebook.errors ?? []) {
    if (e.instancePath.startsWith("/cells/")) continue; // reported per cell above
    problems.push(describe(e));
  }
  return [...new Set(problems)];
}

/** Throws a NotebookError listing the first problems when `nb` does not validate. */
export function assertValidNotebook(nb: unknown, file: string, what = "notebook"): void {
  const problems = schemaErrors(nb);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 8).map((p) => `  - ${p}`).join("\n");
  const more = problems.length > 8 ? `\n  … and ${problems.length - 8} more` : "";
  throw new NotebookError(file, `the ${what} does not validate against the nbformat 4.5 schema:\n${shown}${more}`);
}
