/**
 * One dialect for every course command: Node's util.parseArgs underneath, kebab-case long
 * flags, `--help`/`-h` on each, and the same messages for the same mistakes.
 *
 *   const cmd = defineCommand({
 *     name: "npm run autograde",
 *     summary: "grade submissions with the public and hidden tests",
 *     usage: "<archives or folders>... [options]",
 *     options: {
 *       out: { type: "string", value: "dir", help: "where reports go (default build/autograde)" },
 *       jobs: { type: "string", value: "n", help: "submissions graded at once (default: cores)" },
 *     },
 *     positionals: { min: 1 },
 *   });
 *   runCommand(cmd, async ({ values, positionals }) => { ...; return 0; });
 *
 * A command with subcommands (`nbconvert-ts export …`) defines one command per subcommand and
 * runs them with runCommandGroup, which gives the group its own --help.
 *
 * Exit codes shared by all commands: 0 success, 1 the work failed, 2 bad usage or bad input,
 * 130/143 interrupted. Usage mistakes print one line naming the mistake and pointing at --help.
 */
import { parseArgs } from "util";

export interface OptionSpec {
  type: "string" | "boolean";
  /** Single-letter alias, e.g. "o" for --output. */
  short?: string;
  /** May be given more than once (values collected into an array). */
  multiple?: boolean;
  /** Placeholder shown in --help for a string option, e.g. "dir". */
  value?: string;
  help: string;
}

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** How the user types it, e.g. "npm run autograde" or "nbconvert-ts export". */
  name: string;
  summary: string;
  /** What follows the name, e.g. "<notebook.ipynb>... [options]". */
  usage?: string;
  options: O;
  positionals?: { min?: number; max?: number };
  /** Extra text after the options (environment variables, examples). */
  epilog?: string;
}

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
  ? S["multiple"] extends true ? boolean[] : boolean
  : S["multiple"] extends true ? string[] : string;

export type ParsedValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: ValueOf<O[K]> };

export interface Parsed<O extends Record<string, OptionSpec>> {
  values: ParsedValues<O>;
  positionals: string[];
  help: boolean;
}

/** A mistake in how a command was called: exit code 2, one line, no stack. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Bad input (a file that is not what it should be): exit code 2, one line, no stack. */
export class InputError extends Error {
  override name = "InputError";
}

export interface Command<O extends Record<string, OptionSpec>> {
  spec: CommandSpec<O>;
  parse(argv: string[]): Parsed<O>;
  helpText(): string;
}

export function defineCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): Command<O> {
  for (const key of Object.keys(spec.options)) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(key)) throw new Error(`option --${key} of ${spec.name} is not kebab-case`);
    if (key === "help") throw new Error(`${spec.name}: --help is added by defineCommand`);
  }
  return { spec, parse: (argv) => parseCommandLine(spec, argv), helpText: () => helpText(spec) };
}

function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: string[]): Parsed<O> {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [key, o] of Object.entries(spec.options)) {
    options[key] = { type: o.type, multiple: o.multiple === true };
    if (o.short) options[key].short = o.short;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${spec.name}: ${usageMessage(e as Error & { code?: string })} (see --help)`);
  }
  const { help, ...values } = parsed.values as Record<string, unknown>;
  const positionals = parsed.positionals;
  if (!help) {
    const { min = 0, max = Infinity } = spec.positionals ?? { max: 0 };
    if (positionals.length < min) throw new UsageError(`${spec.name}: expected ${min === 1 ? "an argument" : `at least ${min} arguments`}: ${spec.usage ?? ""} (see --help)`);
    if (positionals.length > max) throw new UsageError(`${spec.name}: unexpected argument "${positionals[max]}" (see --help)`);
  }
  return { values: values as ParsedValues<O>, positionals, help: help === true };
}

/** util.parseArgs' messages, reworded the same way for every command. */
function usageMessage(e: Error & { code?: string }): string {
  // "Option '-o, --out <value>' argument missing" names the long flag last; "Unknown option '--outt'" only it.
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? "";
  const flag = /--[^\s<]+/.exec(quoted)?.[0] ?? quoted;
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${flag ?? e.message}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return /argument missing/.test(e.message) ? `option ${flag} needs a value` : `option ${flag} takes no value`;
    default:
      return e.message;
  }
}

function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([key, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    const value = o.type === "string" ? ` <${o.value ?? "value"}>` : "";
    return [`${short}--${key}${value}`, o.help + (o.multiple ? " (repeatable)" : "")];
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.max(...rows.map(([l]) => l.length));
  const lines = [`${spec.name}: ${spec.summary}`, "", `usage: ${spec.name}${spec.usage ? " " + spec.usage : ""}`, "", "options:"];
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(width)}  ${r}`);
  if (spec.epilog) lines.push("", spec.epilog.trimEnd());
  return lines.join("\n");
}

/** A positive integer option, or a UsageError naming the flag. */
export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag} wants a positive whole number, not "${value}"`);
  return n;
}

/** A positive number option, or a UsageError naming the flag. */
export function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${flag} wants a positive number, not "${value}"`);
  return n;
}

/**
 * Parses argv, prints --help, runs main and resolves to the exit code: main's number, 2 for
 * UsageError and InputError (one line, no stack), 1 for anything else (with its stack: that is
 * our bug). For commands that must exit themselves when done (open sockets, child processes).
 */
export async function runCommandLine<O extends Record<string, OptionSpec>>(
  cmd: Command<O>,
  main: (args: Parsed<O>) => Promise<number> | number,
  argv: string[] = process.argv.slice(2),
): Promise<number> {
  try {
    const args = cmd.parse(argv);
    if (args.help) {
      console.log(cmd.helpText());
      return 0;
    }
    return await main(args);
  } catch (e) {
    return reportFailure(cmd.spec.name, e);
  }
}

/** The message and exit code for an error that reached a command's top level. */
function reportFailure(name: string, e: unknown): number {
  if (e instanceof UsageError || e instanceof InputError) {
    console.error(e.message.startsWith(name) ? e.message : `${name}: ${e.message}`);
    return 2;
  }
  console.error(`${name}: ${(e as Error)?.stack ?? e}`);
  return 1;
}

/** runCommandLine, setting process.exitCode (the process ends when its work is done). */
export function runCommand<O extends Record<string, OptionSpec>>(
  cmd: Command<O>,
  main: (args: Parsed<O>) => Promise<number> | number,
  argv: string[] = process.argv.slice(2),
): void {
  void runCommandLine(cmd, main, argv).then((code) => {
    process.exitCode = code;
  });
}

/** One command of a group (`nbconvert-ts export`), with what it does. */
export interface Subcommand {
  command: Command<Record<string, OptionSpec>>;
  main: (args: Parsed<Record<string, OptionSpec>>) => Promise<number> | number;
}

/** Pairs a command with its main, keeping the types of its options. */
export function subcommand<O extends Record<string, OptionSpec>>(command: Command<O>, main: (args: Parsed<O>) => Promise<number> | number): Subcommand {
  return { command: command as unknown as Command<Record<string, OptionSpec>>, main: main as Subcommand["main"] };
}

/** A command made of subcommands (`nbconvert-ts <command> [options]`), each with its own --help. */
export interface CommandGroupSpec {
  name: string;
  summary: string;
  subcommands: Record<string, Subcommand>;
  epilog?: string;
}

export function groupHelpText(group: CommandGroupSpec): string {
  const names = Object.keys(group.subcommands);
  const width = Math.max(...names.map((n) => n.length));
  const lines = [`${group.name}: ${group.summary}`, "", `usage: ${group.name} <command> [options]   (${group.name} <command> --help: its options)`, "", "commands:"];
  for (const n of names) lines.push(`  ${n.padEnd(width)}  ${group.subcommands[n].command.spec.summary}`);
  if (group.epilog) lines.push("", group.epilog.trimEnd());
  return lines.join("\n");
}

/**
 * Runs the subcommand argv[0] names with the rest of argv and resolves to its exit code.
 * `--help` (or `-h`) alone prints the group's help; no command or an unknown one is a usage
 * mistake (exit 2), said the same way as an unknown option.
 */
export async function runCommandGroup(group: CommandGroupSpec, argv: string[] = process.argv.slice(2)): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h") {
    console.log(groupHelpText(group));
    return 0;
  }
  const chosen = first === undefined ? undefined : group.subcommands[first];
  if (!chosen) {
    const mistake =
      first === undefined ? "which command? (see --help)" : first.startsWith("-") ? `unknown option ${first.split("=")[0]} (see --help)` : `unknown command "${first}" (see --help)`;
    return reportFailure(group.name, new UsageError(`${group.name}: ${mistake}`));
  }
  return runCommandLine(chosen.command, chosen.main, rest);
}
