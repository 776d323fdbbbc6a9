/** A notebook with its hand-graded Markdown cell (metadata.course.manual_id) answered by `text`. */
export function withAnswer(notebook: Buffer, text: string, manualId = "ae-why-denoising"): Buffer {
  const nb = JSON.parse(notebook.toString("utf8"));
  const cell = nb.cells.find((c: { metadata?: { course?: { manual_id?: string } } }) => c.metadata?.course?.manual_id === manualId);
  if (!cell) throw new Error(`no hand-graded cell ${manualId} in the notebook`);
  cell.source = text;
  return Buffer.from(JSON.stringify(nb, null, 1) + "\n");
}
