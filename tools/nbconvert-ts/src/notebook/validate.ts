/**
 * Step 2: validating against the official nbformat 4.5 JSON schema (schema/, copied from the
 * nbformat 5.11.1 wheel on PyPI). The schema is draft-04; it uses nothing that differs in
 * draft-07, so Ajv 8 compiles it once its `$schema` line is dropped.
 *
 * Cells are checked one by one against their own definition so that an error reads
 * "cell 3 (code): outputs/0 must have required property 'name'" instead of a oneOf dump.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import { SCHEMA_FILE } from "../paths";
import { NotebookError } from "./read";
import { Notebook } from "./types";

let compiled: { notebook: ValidateFunction; cells: Record<string, ValidateFunction>; outputs: Record<string, ValidateFunction> } | null = null;

function validators() {
  if (compiled) return compiled;
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema(schema, "nbformat");
  const get = (ref: string) => ajv.getSchema(`nbformat${ref}`)!;
  compiled = {
    notebook: get("#"),
    cells: { code: get("#/definitions/code_cell"), markdown: get("#/definitions/markdown_cell"), raw: get("#/definitions/raw_cell") },
    outputs: Object.fromEntries(["execute_result", "display_data", "stream", "error"].map((t) => [t, get(`#/definitions/${t}`)])),
  };
  return compiled;
}

function describe(e: ErrorObject, prefix = ""): string {
  const where = (prefix + e.instancePath).replace(/^\//, "") || "notebook";
  const extra = e.keyword === "additionalProperties" ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")` : "";
  return `${where}: ${e.message}${extra}`;
}

/** Every problem found, as short readable lines (empty when the notebook is valid). */
export function schemaErrors(nb: unknown): string[] {
  const v = validators();
  if (v.notebook(nb)) return [];
  const problems: string[] = [];
  const cells = (nb as Notebook)?.cells;
  if (Array.isArray(cells)) {
    cells.forEach((cell, i) => {
      const check = v.cells[(cell as { cell_type?: string })?.cell_type ?? ""];
      if (!check) return problems.push(`cells/${i}: unknown cell_type ${JSON.stringify((cell as { cell_type?: string })?.cell_type)}`);
      if (check(cell)) return;
      // Outputs are checked one by one against their own type, like cells.
      for (const e of check.errors ?? []) if (!e.instancePath.startsWith("/outputs/")) problems.push(describe(e, `/cells/${i}`));
      const outputs = (cell as { outputs?: unknown[] }).outputs;
      if (!Array.isArray(outputs)) return;
      outputs.forEach((out, k) => {
        const type = (out as { output_type?: string })?.output_type ?? "";
        const checkOut = v.outputs[type];
        if (!checkOut) return problems.push(`cells/${i}/outputs/${k}: unknown output_type ${JSON.stringify(type)}`);
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
