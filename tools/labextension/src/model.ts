/**
 * What the course panel knows and does: the student's assignments (from the service), which of
 * their notebooks are in the home folder, and the four actions (fetch, check, submit, feedback).
 * The panel and the command palette both call these methods; the panel re-renders on
 * `stateChanged`.
 */
import { VDomModel } from '@jupyterlab/ui-components';
import { freeOriginalName, isAssignmentFile } from './format';
import { FileTakenError, HomeFiles, safeNotebookName } from './homeFiles';
import { CourseServiceClient, CourseServiceError } from './serviceClient';
import type { Assignment, CheckResult, Me, Receipt } from './types';

export type Action = 'fetch' | 'check' | 'submit';

/** A refusal or failure, worded for the student. */
export interface Problem {
  message: string;
  problems: string[];
  recover: string | null;
  /** The notebook was refused as mangled: offer to fetch the original beside it. */
  offerRefetch: boolean;
}

export interface RowState {
  busy: Action | null;
  check: { result: CheckResult; file: string } | null;
  receipt: { receipt: Receipt; file: string; matchesLocal: boolean | null } | null;
  problem: Problem | null;
  notice: string | null;
}

/** Questions the model asks the student (dialogs in the panel; answered in tests by clicking). */
export interface Asker {
  confirm(title: string, body: string, accept: string): Promise<boolean>;
}

export class CourseModel extends VDomModel {
  me: Me | null = null;
  assignments: Assignment[] = [];
  /** Top-level names in the home folder, to know which assignments were fetched. */
  homeNames = new Set<string>();
  loading = false;
  /** The service cannot be reached or the session ended: shown above the list. */
  panelError: { kind: 'unreachable' | 'session' | 'refused' | 'no-hub'; message: string } | null = null;
  /** Server time minus this browser's clock (ms), so "due in 2 h" follows the server. */
  clockOffsetMs = 0;
  private rows = new Map<string, RowState>();

  constructor(
    readonly client: CourseServiceClient,
    private readonly files: HomeFiles,
    private readonly asker: Asker
  ) {
    super();
  }

  row(id: string): RowState {
    let r = this.rows.get(id);
    if (!r) this.rows.set(id, (r = { busy: null, check: null, receipt: null, problem: null, notice: null }));
    return r;
  }

  serverNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  find(id: string): Assignment | undefined {
    return this.assignments.find(a => a.id === id);
  }

  /** The assignment whose notebook (or a copy the panel made of it) is this file. */
  assignmentForFile(path: string | null): Assignment | undefined {
    return path ? this.assignments.find(a => isAssignmentFile(path, a.notebook)) : undefined;
  }

  /**
   * The file that Check and Submit send for this assignment: the notebook the student is working
   * in if it is one of this assignment's, else the fetched notebook; null before a fetch.
   */
  targetFile(a: Assignment): string | null {
    const current = this.files.currentNotebookPath();
    if (current && isAssignmentFile(current, a.notebook)) return current;
    const name = safeNotebookName(a.notebook);
    return name && this.homeNames.has(name) ? name : null;
  }

  async refresh(): Promise<void> {
    this.loading = true;
    this.stateChanged.emit();
    try {
      const askedAt = Date.now();
      const [me, assignments, names] = await Promise.all([this.client.me(), this.client.assignments(), this.files.topLevelNames()]);
      this.clockOffsetMs = Date.parse(me.serverTime) - (askedAt + Date.now()) / 2;
      this.me = me;
      this.assignments = assignments;
      this.homeNames = names;
      this.panelError = null;
    } catch (e) {
      this.panelError = describeFailure(e);
    } finally {
      this.loading = false;
      this.stateChanged.emit();
    }
  }

  /**
   * Puts the released notebook into the home folder and opens it. A notebook already there is
   * never replaced: if it differs from the original, the original is saved beside it (after
   * asking), so the student's work and a fresh copy sit side by side.
   */
  async fetchNotebook(id: string): Promise<string | null> {
    return this.act(id, 'fetch', async (a, row) => {
      const name = safeNotebookName(a.notebook);
      if (!name) throw new CourseServiceError('refused', `The service named the notebook "${a.notebook}", which is not a plain notebook file name. Tell your instructor.`);
      const text = await this.client.notebook(a.id);
      let saved = name;
      if (!(await this.files.exists(name))) {
        await this.files.writeNew(name, text);
        row.notice = `Fetched ${name} into your home folder.`;
      } else if ((await this.files.readText(name)) === text) {
        row.notice = `${name} in your home folder is the original, unchanged: opened it.`;
      } else {
        const names = await this.files.topLevelNames();
        const copy = freeOriginalName(name, n => names.has(n));
        const ok = await this.asker.confirm(
          `You already have ${name}`,
          `${name} in your home folder has your changes, and fetching never replaces it. Save the original assignment beside it as ${copy}?`,
          `Save as ${copy}`
        );
        if (!ok) return null;
        await this.files.writeNew(copy, text);
        saved = copy;
        row.notice = `Your ${name} is unchanged. The original is in ${copy}: copy your code into its graded cells, then check and submit ${copy}.`;
      }
      this.homeNames = await this.files.topLevelNames();
      this.files.open(saved);
      return saved;
    });
  }

  /** Runs the public tests on the saved notebook, in the service. */
  async check(id: string): Promise<CheckResult | null> {
    return this.act(id, 'check', async (a, row) => {
      const file = await this.savedTarget(a);
      const result = await this.client.check(a.id, await this.files.readText(file));
      row.check = { result, file };
      return result;
    });
  }

  /** Saves the notebook, sends it, and keeps the service's receipt. */
  async submit(id: string, options: { confirm?: boolean } = {}): Promise<Receipt | null> {
    return this.act(id, 'submit', async (a, row) => {
      const file = this.requireTarget(a);
      if (options.confirm !== false) {
        const late = this.serverNow() > Date.parse(a.effectiveDueAt) ? ' The due date has passed: the service will mark it late.' : '';
        const ok = await this.asker.confirm(`Submit ${file}?`, `Hand in ${file} for "${a.title}". The course service records its own time and your login.${late}`, 'Submit');
        if (!ok) return null;
      }
      await this.files.saveIfOpen(file);
      const text = await this.files.readText(file);
      const { receipt } = await this.client.submit(a.id, text);
      const local = await sha256Hex(text);
      row.receipt = { receipt, file, matchesLocal: local === null ? null : local === receipt.sha256 };
      // The list shows the new status and submission time.
      this.assignments = await this.client.assignments().catch(() => this.assignments);
      return receipt;
    });
  }

  /** The student's feedback page, once released. */
  feedbackHref(a: Assignment): string | null {
    return a.feedbackReleased && a.feedbackUrl ? this.client.url(a.feedbackUrl) : null;
  }

  private requireTarget(a: Assignment): string {
    const file = this.targetFile(a);
    if (!file) throw new CourseServiceError('refused', `${a.notebook} is not in your home folder yet: fetch the assignment first.`);
    return file;
  }

  private async savedTarget(a: Assignment): Promise<string> {
    const file = this.requireTarget(a);
    await this.files.saveIfOpen(file);
    return file;
  }

  /** One action on one assignment: busy while it runs, its problem shown if it fails. */
  private async act<T>(id: string, action: Action, body: (a: Assignment, row: RowState) => Promise<T | null>): Promise<T | null> {
    const a = this.find(id);
    if (!a) throw new Error(`no assignment ${id}`);
    const row = this.row(id);
    if (row.busy) return null;
    row.busy = action;
    row.problem = null;
    row.notice = null;
    if (action === 'check') row.check = null;
    if (action === 'submit') row.receipt = null;
    this.stateChanged.emit();
    try {
      const result = await body(a, row);
      this.panelError = null;
      return result;
    } catch (e) {
      const failure = describeFailure(e);
      if (failure.kind === 'refused') {
        const err = e instanceof CourseServiceError ? e : null;
        row.problem = { message: failure.message, problems: err?.problems ?? [], recover: err?.recover ?? null, offerRefetch: err?.code === 'invalid_notebook' };
      } else this.panelError = failure;
      return null;
    } finally {
      row.busy = null;
      this.stateChanged.emit();
    }
  }
}

function describeFailure(e: unknown): { kind: 'unreachable' | 'session' | 'refused'; message: string } {
  if (e instanceof CourseServiceError) return { kind: e.kind, message: e.message };
  if (e instanceof FileTakenError) return { kind: 'refused', message: `${e.message}; nothing was replaced. Try again.` };
  const status = (e as { response?: { status?: number } })?.response?.status;
  if (status !== undefined) return { kind: 'refused', message: `Your JupyterLab could not read or write the file (HTTP ${status}): ${(e as Error).message}` };
  return { kind: 'refused', message: String((e as Error)?.message ?? e) };
}

/** Hex SHA-256 of the UTF-8 text, to compare with the receipt (null where the browser has no WebCrypto: plain http off localhost). */
async function sha256Hex(text: string): Promise<string | null> {
  if (!window.crypto?.subtle) return null;
  const digest = await window.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
}
