/** @ts-course/cli: what every course command shares: its dialect, where the checkout is, atomic writes, a worker pool. */
export { defineCommand, groupHelpText, InputError, positiveInt, positiveNumber, runCommand, runCommandGroup, runCommandLine, subcommand, UsageError } from "./command";
export type { Command, CommandGroupSpec, CommandSpec, OptionSpec, Parsed, ParsedValues, Subcommand } from "./command";
export { REPO_ROOT, repoPath } from "./repoRoot";
export { writeFileAtomic } from "./writeFileAtomic";
export { escapeHtml } from "./escapeHtml";
export { placeFile } from "./placeFile";
export { mapPool, runPool } from "./pool";
export type { JobOutcome } from "./pool";
export type { Chunk, WriteOptions } from "./writeFileAtomic";
