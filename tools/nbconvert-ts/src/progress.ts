/**
 * Progress on stderr: one line per finished cell, prefixed with the notebook's name so that
 * two notebooks running at once stay readable. Colour only on a terminal.
 */
import { CellReport } from "./execute/executor";

const tty = () => Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
export const paint = {
  green: (s: string) => (tty() ? `\x1b[32m${s}\x1b[0m` : s),
  red: (s: string) => (tty() ? `\x1b[31m${s}\x1b[0m` : s),
  dim: (s: string) => (tty() ? `\x1b[2m${s}\x1b[0m` : s),
  bold: (s: string) => (tty() ? `\x1b[1m${s}\x1b[0m` : s),
};

export function seconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/**
 * Handlers for executeNotebook that print each finished cell: "cell 7 (3/5)" is the notebook's
 * 7th cell (the number every message uses) and the 3rd of its 5 code cells (how far the run is).
 */
export function cellProgress(label: string, codeCells: number, write: (line: string) => void = (l) => process.stderr.write(l + "\n")) {
  let done = 0;
  return {
    onCellDone(cell: CellReport) {
      done++;
      const where = `${label} ${paint.dim(`cell ${cell.index + 1} (${done}/${codeCells})`)}`;
      if (cell.status === "ok") write(`  ${paint.green("✓")} ${where} ${paint.dim(seconds(cell.seconds))}`);
      else {
        const what = cell.error ? `${cell.error.ename}: ${cell.error.evalue.split("\n")[0].slice(0, 160)}` : cell.status;
        write(`  ${paint.red("✗")} ${where} ${paint.dim(seconds(cell.seconds))} ${paint.red(what)}`);
      }
    },
  };
}
