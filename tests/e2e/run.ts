/**
 * `npm run test:e2e`: the course in JupyterLab, in a real (headless) browser.
 *
 * Starts JupyterLab the way `npm run lab` does (project .venv, course kernelspec) on a free
 * loopback port with a token, opens Debian's Chromium through playwright-core (never a browser
 * that a tool downloads), and for the smoke notebook, each lecture present and one exercise:
 * opens it, selects "TypeScript (course)" in the kernel dialog, runs all cells, and checks that
 * the kernel is the course kernel, no cell shows an error, plotly figures are drawn, a DataFrame
 * table is shown and progress updates in place. Any request to a non-loopback host fails the test.
 * Screenshots go to artifacts/e2e/<name>.png. JupyterLab and its kernels are shut down at the
 * end, also after a failure or Ctrl-C.
 *
 * Environment:
 *   COURSE_TRAIN_SCALE     training scale for the lectures (default 0.05 here)
 *   E2E_ONLY               comma-separated names to run (e.g. "smoke,exercise-autoencoders")
 *   E2E_EXERCISE           which exercise to run (default: the first listed whose solution exists)
 *   E2E_NOTEBOOK_TIMEOUT_S per-notebook limit for running all cells (default 900)
 *   CHROMIUM               the browser binary (default /usr/bin/chromium)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "@ts-course/cli";
import { BrowserContext, chromium } from "playwright-core";
import { check, Expectations, summarise, Summary } from "./checks";
import { LabServer, startLabServer } from "./jupyterServer";
import * as nb from "./notebookRun";
import { checkWidgets } from "./widgets";

const ARTIFACTS = path.join(REPO_ROOT, "artifacts", "e2e");
const COPIES = path.join(REPO_ROOT, "build", "e2e", "notebooks");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TRAIN_SCALE = process.env.COURSE_TRAIN_SCALE ?? "0.05";
const NOTEBOOK_TIMEOUT_MS = Number(process.env.E2E_NOTEBOOK_TIMEOUT_S ?? 900) * 1000;
const LECTURES = ["2022-10-28-autoencoders.ipynb", "2022-10-29-part1-lstm-attention.ipynb", "2022-10-29-part2-bert-gpt-vit.ipynb", "2022-11-14-gans.ipynb"];

interface Target {
  name: string;
  /** The notebook in the repository. */
  source: string;
  expect: Expectations;
}

interface Result {
  name: string;
  source: string;
  passed: boolean;
  failures: string[];
  seconds: number;
  runSeconds?: number;
  summary?: Summary;
  screenshot: string;
}

function targets(): { list: Target[]; skipped: string[] } {
  const list: Target[] = [
    { name: "smoke", source: "lectures/smoke.ipynb", expect: { figure: true, table: true, progressUpdates: 3 } },
    // Six tiny models, each shown by a live widget (lib/viz/widgets): the widgets must answer in JupyterLab too.
    { name: "widgets", source: "tests/tools/widgets/fixtures/widgets.ipynb", expect: { figure: false, table: false, progressUpdates: 0, widgets: 6 } },
  ];
  const skipped: string[] = [];
  for (const file of LECTURES) {
    const source = `lectures/${file}`;
    if (fs.existsSync(path.join(REPO_ROOT, source))) list.push({ name: file.replace(/\.ipynb$/, ""), source, expect: { figure: true, table: false, progressUpdates: 2 } });
    else skipped.push(`${source} (not in the repository yet)`);
  }
  const exercise = pickExercise();
  if (exercise) {
    // The completed exercise must run clean; the student's copy, whose stubs throw, must show
    // that error: a negative control proving the error check can fail.
    list.push({ name: `exercise-${exercise}`, source: `solutions/${exercise}.ipynb`, expect: { figure: false, table: false, progressUpdates: 0 } });
    list.push({
      name: `exercise-${exercise}-unsolved`,
      source: `exercises/${exercise}.ipynb`,
      expect: { figure: false, table: false, progressUpdates: 0, expectError: /not implemented yet/ },
    });
  } else skipped.push("exercises/*.ipynb (no exercise with a solution notebook yet)");
  const only = process.env.E2E_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
  return { list: only ? list.filter((t) => only.includes(t.name)) : list, skipped };
}

function pickExercise(): string | null {
  if (process.env.E2E_EXERCISE) return process.env.E2E_EXERCISE;
  const names = fs.existsSync(path.join(REPO_ROOT, "exercises"))
    ? fs.readdirSync(path.join(REPO_ROOT, "exercises")).filter((f) => f.endsWith(".ipynb")).map((f) => f.replace(/\.ipynb$/, "")).sort()
    : [];
  return names.find((n) => fs.existsSync(path.join(REPO_ROOT, "solutions", `${n}.ipynb`))) ?? null;
}

async function main(): Promise<number> {
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} is missing. Install Debian's Chromium (apt-get install -y chromium) or set CHROMIUM=/path/to/chromium.`);
    return 1;
  }
  const { list, skipped } = targets();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  let server: LabServer | null = null;
  let context: BrowserContext | null = null;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "course-e2e-chromium-"));
  // One cleanup, however many callers: after a signal the main path fails and calls it too,
  // and must wait for the same shutdown instead of exiting halfway through it.
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await context?.close().catch(() => undefined);
      await server?.stop();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    })());
  process.on("exit", () => fs.rmSync(userDataDir, { recursive: true, force: true }));
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: shutting JupyterLab down`);
    interrupted = true;
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const results: Result[] = [];
  try {
    console.log(`e2e: starting JupyterLab (COURSE_TRAIN_SCALE=${TRAIN_SCALE})`);
    server = await startLabServer({
      root: REPO_ROOT,
      logFile: path.join(ARTIFACTS, "jupyterlab.log"),
      env: { COURSE_TRAIN_SCALE: TRAIN_SCALE },
      settings: {
        // Render every cell (no virtual scrolling), so that the page holds all outputs to check.
        "@jupyterlab/notebook-extension:tracker": { windowingMode: "none" },
        "@jupyterlab/docmanager-extension:plugin": { autosave: false },
        "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
      },
    });
    console.log(`e2e: JupyterLab ${server.url} ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Belt and braces: names other than loopback do not resolve, so nothing leaves the machine.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
      ],
    });
    let current = "";
    const external: Record<string, string[]> = {};
    context.on("request", (request) => {
      const url = new URL(request.url());
      if (["data:", "blob:", "about:"].includes(url.protocol)) return;
      if (["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) return;
      (external[current || "start-up"] ??= []).push(request.url());
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(`${current}: ${e.message}`));

    for (const target of list) {
      current = target.name;
      results.push(await runOne(page, server, target, () => external[target.name] ?? []));
      const r = results[results.length - 1];
      console.log(`e2e: ${r.passed ? "PASS" : "FAIL"} ${r.name} (${r.seconds.toFixed(0)} s)${r.failures.map((f) => `\n    - ${f}`).join("")}`);
    }
    if (external["start-up"]) results.push({ name: "start-up", source: "", passed: false, failures: external["start-up"].map((u) => `non-loopback request: ${u}`), seconds: 0, screenshot: "" });
    if (pageErrors.length) console.log(`e2e: uncaught errors in the page (reported, not failed):\n    ${pageErrors.slice(0, 10).join("\n    ")}`);
  } catch (e) {
    results.push({ name: "set-up", source: "", passed: false, failures: [String(e instanceof Error ? e.message : e)], seconds: 0, screenshot: "" });
    console.log(`e2e: FAIL set-up: ${e instanceof Error ? e.message : e}`);
  } finally {
    await cleanup();
  }
  if (interrupted) return 130;

  const total = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(ARTIFACTS, "results.json"), JSON.stringify({ trainScale: TRAIN_SCALE, seconds: total, skipped, results }, null, 2) + "\n");
  console.log("");
  for (const r of results) {
    const s = r.summary;
    const facts = s ? ` cells ${s.executed}/${s.codeCells}, figures ${s.figuresDrawn}, tables ${s.tables}, progress displays ${s.progressDisplays} (max ${s.maxProgressTexts} texts), run ${r.runSeconds?.toFixed(0)} s` : "";
    console.log(`  ${r.passed ? "✓" : "✗"} ${r.name}${r.source ? ` [${r.source}]` : ""}${facts}${r.screenshot ? `\n      screenshot ${path.relative(REPO_ROOT, r.screenshot)}` : ""}`);
  }
  for (const s of skipped) console.log(`  - skipped ${s}`);
  const passed = results.filter((r) => r.passed).length;
  // Timings depend on the machine's load: say what it was.
  console.log(`\ne2e total ${total.toFixed(0)} s (load average ${loadAtStart.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end, ${os.cpus().length} cores)`);
  console.log(`e2e: ${passed} passed, ${results.length - passed} failed`);
  return results.length > 0 && passed === results.length ? 0 : 1;
}

async function runOne(page: import("playwright-core").Page, server: LabServer, target: Target, externalRequests: () => string[]): Promise<Result> {
  const started = Date.now();
  const screenshot = path.join(ARTIFACTS, `${target.name}.png`);
  // A copy under build/ (gitignored): running writes outputs into the open document, and the
  // committed notebooks stay without outputs. The kernel's working directory is the repository
  // root wherever the notebook sits, so the copy imports ./lib exactly like the original.
  const copy = path.join(COPIES, target.source);
  fs.mkdirSync(path.dirname(copy), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, target.source), copy);
  const notebookPath = path.relative(REPO_ROOT, copy).split(path.sep).join("/");
  const result: Result = { name: target.name, source: target.source, passed: false, failures: [], seconds: 0, screenshot };
  let screenshotTaken = false;
  try {
    console.log(`e2e: ${target.name}: opening ${target.source}`);
    await nb.openNotebook(page, server, notebookPath);
    await nb.selectCourseKernel(page);
    const kernelLabel = await nb.kernelLabel(page);
    const sessionKernelName = await nb.sessionKernelName(server, notebookPath);
    console.log(`e2e: ${target.name}: kernel "${kernelLabel}" (${sessionKernelName}); running all cells`);
    const ran = await nb.runAllCells(page, NOTEBOOK_TIMEOUT_MS, (running, total) => console.log(`e2e: ${target.name}: ${running} of ${total} cells still queued or running`));
    await nb.waitForPlots(page, 30_000);
    // The screenshot stretches the viewport and restores it: reading the page afterwards also
    // checks that figures survive window resizes.
    await nb.screenshotNotebook(page, screenshot);
    screenshotTaken = true;
    const cells = await nb.readCells(page);
    const run: nb.NotebookRun = { kernelLabel, sessionKernelName, cells, progress: ran.progress, maxProgressOutputsPerCell: ran.maxProgressOutputsPerCell, runSeconds: ran.seconds };
    result.runSeconds = ran.seconds;
    result.summary = summarise(run);
    result.failures = check(run, result.summary, target.expect, externalRequests());
    if (target.expect.widgets) result.failures.push(...(await checkWidgets(page, target.expect.widgets)));
    fs.writeFileSync(path.join(ARTIFACTS, `${target.name}.json`), JSON.stringify({ ...run, summary: result.summary }, null, 2) + "\n");
  } catch (e) {
    result.failures.push(e instanceof Error ? e.message.split("\n")[0] : String(e));
  }
  if (!screenshotTaken) await nb.screenshotNotebook(page, screenshot).catch((e) => result.failures.push(`screenshot: ${e instanceof Error ? e.message : e}`));
  await nb.shutdownSession(server, notebookPath).catch(() => undefined);
  result.passed = result.failures.length === 0;
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
