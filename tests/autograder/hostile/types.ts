/**
 * A hostile submission: the untouched exercises, some cells honestly solved (their points are
 * earned), and attack code in others. The proof (../grading.spec.ts) checks that it scores exactly
 * the points of its honest cells, that the attack cells score 0, and that the attack left no trace.
 *
 * Attack code reaches the sandbox process the way a determined student would: any host object
 * handed to the notebook leads back to the host's global object, e.g.
 *   (tf as any).env().global.process
 * so it can do whatever that process may do. The walls are the process's, not the vm's.
 *
 * Placeholders replaced by the proof before grading: __PORT__ (a TCP honeypot that would send the
 * right answers), __MARKER__ (a folder where a successful write would leave a file),
 * __VICTIM__ (the pid of the grading process itself).
 *
 * Not every threat is an attack: some are honest code gone wrong (a loop that never ends, a timer
 * left running) that must cost its own cell only, never a neighbour's.
 */
import type { SubmissionResult } from "../../../tools/grader/result";

export interface HostileSubmission {
  name: string;
  /** Which threat of the issue it embodies. */
  threat: string;
  /** Grade ids solved honestly (copied from the solutions). */
  honest: string[];
  /** Grade id → attack code replacing that graded cell. */
  cells: Record<string, string>;
  /** Extra notebook edits (metadata games). */
  edit?: (notebooks: Record<string, { cells: { cell_type: string; metadata: Record<string, unknown>; source: string | string[] }[] }>) => void;
  /** Grade id → words the failure message of its first failing test must contain. */
  messages?: Record<string, string>;
  /** Grade id → code that is correct but does something more (records its arguments, say): it must keep full marks. */
  instrumented?: Record<string, string>;
  /** Further checks on its result, for threats that need more than points to judge. */
  check?: (result: SubmissionResult) => void;
}

/** How attack code gets at the sandbox's real process (a vm escape through a host object). */
export const ESCAPE = `
const __g: any = (tf as any).env().global;
const __proc: any = __g.process;
const __require: any = (name: string) => __proc.mainModule.require(name);
const __repo: string = String(__proc.mainModule.filename).split("/build/grader/")[0];
`;
