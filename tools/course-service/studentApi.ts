/** The endpoints a student's JupyterLab panel calls (API.md, "Student endpoints"). */
import { AppConfig, checkCsrf, Ctx, requireRole } from "./app";
import { feedbackPage, gradeNotebook } from "./grading";
import type { ManualScore } from "./grading";
import { manualSummaries, ManualSummary } from "./manualGrading";
import { Assignment, extensionOf, getAssignment, getAssignmentNotebook, listAssignments } from "./gradebook";
import { ApiError, checkQuery, notFound, readBody, requireMediaType, Router, sendHtml, sendJson } from "./http";
import { notebookProblems, RECOVER } from "./notebookCheck";
import { formatInZone } from "./policy";
import { DeadlinePassed, resultOf, storeSubmission, submissionById, submissionsOf, SubmissionView } from "./submissions";
import { assignmentJson, manualAnswerJson, scoreJson, submissionJson } from "./views";

const ANY_ROLE = ["student", "ta", "instructor"] as const;
const NOTEBOOK_TYPES = ["application/x-ipynb+json", "application/json"];

/** Sliding one-minute windows per user and kind. */
export class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(private perMinute: number) {}
  take(key: string): void {
    const now = Date.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      const retry = Math.ceil((60_000 - (now - recent[0])) / 1000);
      throw new ApiError(429, "rate_limited", `too many requests: at most ${this.perMinute} a minute; try again in ${retry} s`, { retryAfterSeconds: retry }, { "Retry-After": String(retry) });
    }
    recent.push(now);
    this.hits.set(key, recent);
  }
}

/** At most `limit` checks run at once; a few more wait; beyond that, 429. */
export class Gate {
  private running = 0;
  private waiting: (() => void)[] = [];
  constructor(private limit: number, private maxWaiting: number) {}
  async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new ApiError(429, "rate_limited", "the checker is busy with other students' checks; try again in half a minute", { retryAfterSeconds: 30 }, { "Retry-After": "30" });
      await new Promise<void>((r) => this.waiting.push(r));
    }
    this.running++;
    try {
      return await body();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const isStaff = (ctx: Ctx) => ctx.role === "instructor" || ctx.role === "ta";

/** The assignment if this user may see it (staff: any; students: released ones). */
async function visibleAssignment(ctx: Ctx, id: string): Promise<Assignment> {
  const a = await getAssignment(ctx.app.db, id);
  if (!a || (!a.released && !isStaff(ctx))) throw notFound(`assignment "${id}"`);
  return a;
}

function requireOpen(ctx: Ctx, a: Assignment, now: Date): void {
  if (!isStaff(ctx) && now < a.opensAt) throw new ApiError(403, "not_open", `${a.title} opens at ${formatInZone(a.opensAt, a.timeZone)}`, { opensAt: a.opensAt.toISOString() });
}

/** The submitted notebook, refused when mangled (nothing is stored then). */
async function readNotebook(ctx: Ctx, a: Assignment): Promise<Buffer> {
  requireMediaType(ctx.req, NOTEBOOK_TYPES);
  const body = await readBody(ctx.req, ctx.app.limits.notebookBytes);
  const problems = notebookProblems(body.toString("utf8"), a.gradedCells, `${a.exercise}.ipynb`);
  if (problems.length) throw new ApiError(422, "invalid_notebook", `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ""}. ${RECOVER}`, { problems, recover: RECOVER });
  return body;
}

/** The common start of check and submit: who, CSRF, the open assignment, the notebook, the rate limit. */
async function notebookPost(ctx: Ctx, id: string, limiter: RateLimiter, kind: "check" | "submit"): Promise<{ user: string; a: Assignment; body: Buffer }> {
  checkQuery(ctx.url, []);
  const user = requireRole(ctx, [...ANY_ROLE]);
  checkCsrf(ctx);
  const a = await visibleAssignment(ctx, id);
  requireOpen(ctx, a, await now(ctx.app));
  const body = await readNotebook(ctx, a);
  limiter.take(`${kind}:${user}`);
  return { user, a, body };
}

async function mySubmissions(app: AppConfig, a: Assignment, user: string): Promise<SubmissionView[]> {
  const ext = await extensionOf(app.db, a.id, user);
  return (await submissionsOf(app.db, a, new Map(ext ? [[user, ext]] : []), user)).get(user) ?? [];
}

async function now(app: AppConfig): Promise<Date> {
  return (await app.db.query<{ now: Date }>("SELECT now() AS now")).rows[0].now;
}

/** Hidden tests keep their title and points, never their message. */
export function studentTests(tests: { gradeId: string; title: string; points: number | null; passed: boolean; visibility: string; message?: string }[]) {
  return tests.map((t) => ({ gradeId: t.gradeId, title: t.title, points: t.points, passed: t.passed, hidden: t.visibility === "hidden", message: t.visibility === "hidden" ? null : (t.message ?? null) }));
}

export function studentRoutes(router: Router<Ctx>, limiter: RateLimiter, checks: Gate): void {
  router.on("GET", "api/me", async (ctx) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, ["student", "ta", "instructor", "none"]);
    const name = (await ctx.app.db.query<{ name: string }>("SELECT name FROM students WHERE id = $1", [user])).rows[0]?.name ?? null;
    sendJson(ctx.res, 200, { user, role: ctx.role, name, csrfToken: ctx.session?.csrf ?? null, serverTime: (await now(ctx.app)).toISOString(), timeZone: ctx.app.timeZone });
  });

  router.on("GET", "api/assignments", async (ctx) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, [...ANY_ROLE]);
    const t = await now(ctx.app);
    const out = [];
    for (const a of await listAssignments(ctx.app.db)) {
      if (!a.released && !isStaff(ctx)) continue;
      out.push(assignmentJson(a, await mySubmissions(ctx.app, a, user), await extensionOf(ctx.app.db, a.id, user), t));
    }
    sendJson(ctx.res, 200, { assignments: out });
  });

  router.on("GET", "api/assignments/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, [...ANY_ROLE]);
    const a = await visibleAssignment(ctx, id);
    sendJson(ctx.res, 200, assignmentJson(a, await mySubmissions(ctx.app, a, user), await extensionOf(ctx.app.db, a.id, user), await now(ctx.app)));
  });

  router.on("GET", "api/assignments/:id/notebook", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...ANY_ROLE]);
    const a = await visibleAssignment(ctx, id);
    requireOpen(ctx, a, await now(ctx.app));
    const nb = await getAssignmentNotebook(ctx.app.db, a.id);
    ctx.res.writeHead(200, { "Content-Type": "application/x-ipynb+json", "Content-Disposition": `attachment; filename="${a.exercise}.ipynb"`, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
    ctx.res.end(nb);
  });

  router.on("POST", "api/assignments/:id/check", async (ctx, [id]) => {
    const { user, a, body } = await notebookPost(ctx, id, limiter, "check");
    const r = await checks.run(() => gradeNotebook({ student: user, submittedAt: new Date(), exercise: a.exercise, notebook: body.toString("utf8"), hidden: false }));
    if (r.graderErrors.length) throw new ApiError(503, "unavailable", `the checker itself had a problem (not your code): ${r.graderErrors[0]}; try again`, undefined, { "Retry-After": "10" });
    sendJson(ctx.res, 200, { points: r.points, max: r.max, hiddenPoints: a.maxPoints - r.max, tests: studentTests(r.tests), items: r.items, problems: r.problems });
  });

  router.on("POST", "api/assignments/:id/submissions", async (ctx, [id]) => {
    const { user, a, body } = await notebookPost(ctx, id, limiter, "submit");
    const due = (await extensionOf(ctx.app.db, a.id, user)) ?? a.dueAt;
    try {
      const receipt = await storeSubmission(ctx.app.db, a, user, body, due);
      sendJson(ctx.res, receipt.duplicate ? 200 : 201, { receipt, status: "queued" });
    } catch (err) {
      if (err instanceof DeadlinePassed) {
        throw new ApiError(403, "deadline_passed", `${a.title} was due ${formatInZone(err.dueAt, a.timeZone)} and ${a.latePolicy.kind === "none" ? "takes no late work" : "takes no submissions this late"}; nothing was stored. Ask your instructor about an extension`, { dueAt: err.dueAt.toISOString() });
      }
      throw err;
    }
  });

  router.on("GET", "api/assignments/:id/submissions", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, [...ANY_ROLE]);
    const a = await visibleAssignment(ctx, id);
    sendJson(ctx.res, 200, { submissions: (await mySubmissions(ctx.app, a, user)).map((s) => submissionJson(s, a.feedbackReleased)) });
  });

  router.on("GET", "api/submissions/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, [...ANY_ROLE]);
    const row = await submissionById(ctx.app.db, id);
    // Another student's submission answers exactly like one that does not exist.
    if (!row || row.student_id !== user) throw notFound(`submission ${id}`);
    const a = await visibleAssignment(ctx, row.assignment_id);
    const s = (await mySubmissions(ctx.app, a, user)).find((x) => x.id === id)!;
    sendJson(ctx.res, 200, submissionJson(s, a.feedbackReleased));
  });

  router.on("GET", "api/assignments/:id/feedback", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    const user = requireRole(ctx, [...ANY_ROLE]);
    const a = await visibleAssignment(ctx, id);
    if (!a.feedbackReleased) throw new ApiError(403, "feedback_not_released", `the feedback on ${a.title} is not released yet`);
    const counted = (await mySubmissions(ctx.app, a, user)).find((s) => s.counts);
    const result = counted ? await resultOf(ctx.app.db, counted.id) : null;
    const manual = counted && result ? (await manualSummaries(ctx.app.db, a, { studentId: user })).get(counted.id) : undefined;
    sendJson(ctx.res, 200, {
      score: scoreJson(counted),
      submission: counted ? submissionJson(counted, false) : null,
      tests: result ? studentTests(result.tests) : [],
      manual: (manual?.answers ?? []).map((m) => { const { gradedBy, ...rest } = manualAnswerJson(m); return rest; }),
      problems: result?.problems ?? [],
    });
  });

  router.on("GET", "feedback/:id", async (ctx, [id]) => {
    const q = checkQuery(ctx.url, ["student"], isStaff(ctx));
    const me = requireRole(ctx, [...ANY_ROLE]);
    const a = await visibleAssignment(ctx, id);
    const student = (isStaff(ctx) && q.get("student")) || me;
    if (!a.feedbackReleased && !isStaff(ctx)) throw new ApiError(403, "feedback_not_released", `the feedback on ${a.title} is not released yet`);
    const ext = await extensionOf(ctx.app.db, a.id, student);
    const counted = ((await submissionsOf(ctx.app.db, a, new Map(ext ? [[student, ext]] : []), student)).get(student) ?? []).find((s) => s.counts);
    const result = counted ? await resultOf(ctx.app.db, counted.id) : null;
    if (!counted || !result) throw notFound(`a graded submission of ${student} for ${a.title}`);
    const manual = (await manualSummaries(ctx.app.db, a, { studentId: student })).get(counted.id);
    sendHtml(ctx.res, 200, feedbackFor(a, student, counted, result, manual));
  });
}

export function feedbackFor(a: Assignment, student: string, s: SubmissionView, result: NonNullable<Awaited<ReturnType<typeof resultOf>>>, manual: ManualSummary | undefined): string {
  const totalMax = result.max_points + (manual?.max ?? 0);
  const notes = [
    `${a.title}: submitted ${formatInZone(s.submittedAt, a.timeZone)}${s.late ? `, ${s.lateDays} day(s) late: −${s.penaltyPercent} % on the whole submission, written answers included` : ", on time"}`,
  ];
  if (manual) {
    const waiting = manual.answers.filter((m) => m.status === "awaiting hand grading");
    notes.push(
      `Total: ${s.final} / ${totalMax} points (tests ${result.points} / ${result.max_points}, written answers ${manual.points} / ${manual.max}${s.late ? `, −${s.penaltyPercent} % late` : ""})` +
        (waiting.length ? `; awaiting hand grading: ${waiting.map((m) => `${m.title} (${m.max} points)`).join(", ")}, not in the total yet` : ""),
    );
  } else if (s.late) notes.push(`Final score ${s.final} / ${totalMax}`);
  const written = (manual?.answers ?? []).map((m): ManualScore => ({
    exercise: a.exercise,
    manualId: m.manualId,
    title: m.title,
    max: m.max,
    points: m.status === "awaiting hand grading" ? null : m.points,
    status: m.status === "awaiting hand grading" ? "manual, ungraded" : "manual, graded",
    comment: m.comment,
    answer: m.answered ? (m.answer ?? "") : null,
  }));
  return feedbackPage(student, s.submittedAt, { points: result.points, max: result.max_points, tests: result.tests, items: result.items, problems: result.problems, graderErrors: [], manual: written }, notes);
}
