/**
 * The student's home folder, through JupyterLab's contents API (the single-user server's REST
 * API, so the files are the ones the student sees in the file browser). Notebooks are read and
 * written as text, so that what is checked and submitted is exactly the bytes on disk.
 * Nothing here ever overwrites a file: `writeNew` refuses a name that is taken.
 */
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';

export class FileTakenError extends Error {}

export class HomeFiles {
  constructor(
    private readonly contents: Contents.IManager,
    private readonly docs: IDocumentManager,
    private readonly notebooks: INotebookTracker
  ) {}

  /** Names of the files at the top of the home folder. */
  async topLevelNames(): Promise<Set<string>> {
    const listing = await this.contents.get('', { content: true });
    return new Set((listing.content as Contents.IModel[]).map(m => m.name));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.contents.get(path, { content: false });
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /** The file's bytes as text (a notebook is not parsed and re-serialised on the way). */
  async readText(path: string): Promise<string> {
    const model = await this.contents.get(path, { type: 'file', format: 'text', content: true });
    return String(model.content);
  }

  /** Writes a new file; throws FileTakenError rather than replace one. */
  async writeNew(path: string, text: string): Promise<void> {
    if (await this.exists(path)) throw new FileTakenError(`${path} exists`);
    await this.contents.save(path, { type: 'file', format: 'text', content: text });
  }

  /** Saves the notebook if it is open with unsaved changes, so that what is sent is what the student sees. */
  async saveIfOpen(path: string): Promise<boolean> {
    const panel = this.notebooks.find(p => p.context.path === path);
    if (!panel || !panel.context.model.dirty) return false;
    await panel.context.save();
    return true;
  }

  open(path: string): void {
    this.docs.openOrReveal(path);
  }

  /** The path of the notebook the student last worked in (null when none is open). */
  currentNotebookPath(): string | null {
    return this.notebooks.currentWidget?.context.path ?? null;
  }
}

/** A file name the service may give for a notebook: a plain name in the home folder, nothing else. */
export function safeNotebookName(name: string): string | null {
  const base = name.split('/').pop() ?? '';
  return /^[A-Za-z0-9][A-Za-z0-9._ -]*\.ipynb$/.test(base) ? base : null;
}

function isNotFound(e: unknown): boolean {
  const response = (e as { response?: { status?: number } })?.response;
  return response?.status === 404;
}
