/** The instructor's JSON endpoints (API.md, "Instructor endpoints"). */
import { checkCsrf, Ctx, requireRole } from "./app";
import { courseRegistry } from "./grading";
import { getAssignment, listStudents } from "./gradebook";
import { ApiError, checkQuery, notFound, readBody, readJson, requireMediaType, Router, sendJson } from "./http";
import { ASSIGNMENT_FIELDS, changeAssignment, extension, gradebook, gradesCsv, importRoster, manualAnswers, regradeAssignment, releaseAssignment, setFeedbackReleased } from "./instructor";
import { manualMaxOf, setManualScore } from "./manualGrading";
import { notebookOf, requeue, resultOf, submissionById, submissionsOf } from "./submissions";
import { extensionsFor } from "./gradebook";
import { assignmentAdminJson } from "./views";

const STAFF = ["instructor", "ta"] as const;
/** What a score's grader and time look like in a response: named in a request, they are refused. */
const SERVER_FIELDS = ["gradedBy", "gradedAt", "changedBy", "changedAt"];

export function instructorRoutes(router: Router<Ctx>): void {
  router.on("GET", "api/instructor/exercises", async (ctx) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    sendJson(ctx.res, 200, { exercises: courseRegistry().exercises.map((e) => ({ name: e.name, title: e.title, notebook: e.notebook, maxPoints: e.graded.reduce((s, g) => s + g.points, 0) })) });
  });

  router.on("POST", "api/instructor/roster", async (ctx) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    requireMediaType(ctx.req, ["text/csv"]);
    const text = (await readBody(ctx.req, ctx.app.limits.jsonBytes)).toString("utf8");
    sendJson(ctx.res, 200, await importRoster(ctx.app, text));
  });

  router.on("GET", "api/instructor/roster", async (ctx) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    sendJson(ctx.res, 200, { students: await listStudents(ctx.app.db) });
  });

  router.on("POST", "api/instructor/assignments", async (ctx) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    const a = await releaseAssignment(ctx.app, await readJson(ctx.req, ASSIGNMENT_FIELDS));
    sendJson(ctx.res, 201, assignmentAdminJson(a));
  });

  router.on("PUT", "api/instructor/assignments/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    const fields = await readJson(ctx.req, ASSIGNMENT_FIELDS.filter((f) => f !== "id" && f !== "exercise"));
    sendJson(ctx.res, 200, assignmentAdminJson(await changeAssignment(ctx.app, id, fields)));
  });

  router.on("POST", "api/instructor/assignments/:id/extensions", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    const by = requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    const body = await readJson(ctx.req, ["student", "dueAt"], undefined, true);
    if (typeof body.student !== "string" || typeof body.dueAt !== "string") throw new ApiError(400, "bad_request", 'send {"student": "<id>", "dueAt": "YYYY-MM-DDTHH:MM"}');
    sendJson(ctx.res, 200, await extension(ctx.app, by, id, body.student.toLowerCase(), body.dueAt));
  });

  router.on("DELETE", "api/instructor/assignments/:id/extensions/:student", async (ctx, [id, student]) => {
    checkQuery(ctx.url, []);
    const by = requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    sendJson(ctx.res, 200, await extension(ctx.app, by, id, student.toLowerCase(), null));
  });

  router.on("POST", "api/instructor/assignments/:id/regrade", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    checkCsrf(ctx);
    const body = await readJson(ctx.req, ["student"], undefined, true);
    if (body.student !== undefined && typeof body.student !== "string") throw new ApiError(400, "bad_request", "student must be a student id");
    sendJson(ctx.res, 200, { queued: await regradeAssignment(ctx.app, id, body.student as string | undefined) });
  });

  router.on("POST", "api/instructor/submissions/:id/regrade", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    checkCsrf(ctx);
    await readJson(ctx.req, []);
    if (!(await submissionById(ctx.app.db, id))) throw notFound(`submission ${id}`);
    sendJson(ctx.res, 200, { queued: await requeue(ctx.app.db, [id]) });
  });

  router.on("POST", "api/instructor/assignments/:id/release-feedback", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor"]);
    checkCsrf(ctx);
    const body = await readJson(ctx.req, ["released"]);
    if (typeof body.released !== "boolean") throw new ApiError(400, "bad_request", 'send {"released": true} or {"released": false}');
    sendJson(ctx.res, 200, assignmentAdminJson(await setFeedbackReleased(ctx.app, id, body.released)));
  });

  router.on("GET", "api/instructor/gradebook", async (ctx) => {
    const q = checkQuery(ctx.url, ["assignment"]);
    requireRole(ctx, [...STAFF]);
    const a = await getAssignment(ctx.app.db, q.get("assignment") ?? "");
    if (!a) throw notFound(`assignment "${q.get("assignment") ?? ""}" (pass ?assignment=<id>)`);
    const rows = (await gradebook(ctx.app, a)).map((r) => ({
      student: r.student,
      name: r.name,
      email: r.email,
      submission: r.submission ? { id: r.submission.id, submittedAt: r.submission.submittedAt.toISOString(), sha256: r.submission.sha256, status: r.submission.status, attempts: r.submission.attempts, reason: r.submission.reason } : null,
      points: r.submission?.points ?? null,
      max: a.maxPoints,
      late: r.submission?.late ?? false,
      lateDays: r.submission?.lateDays ?? 0,
      penaltyPercent: r.submission?.penaltyPercent ?? 0,
      manualPoints: r.submission?.manualPoints ?? null,
      manualMax: manualMaxOf(a.exercise),
      awaitingHandGrading: r.submission?.awaiting ?? [],
      total: r.submission?.total ?? null,
      totalMax: a.maxPoints + manualMaxOf(a.exercise),
      final: r.submission?.final ?? null,
      extensionDueAt: r.extensionDueAt ? r.extensionDueAt.toISOString() : null,
      submissions: r.submissions,
    }));
    sendJson(ctx.res, 200, { assignment: assignmentAdminJson(a), rows });
  });

  router.on("GET", "api/instructor/submissions/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    const row = await submissionById(ctx.app.db, id);
    if (!row) throw notFound(`submission ${id}`);
    const a = (await getAssignment(ctx.app.db, row.assignment_id))!;
    const view = ((await submissionsOf(ctx.app.db, a, await extensionsFor(ctx.app.db, a.id), row.student_id)).get(row.student_id) ?? []).find((s) => s.id === id)!;
    const result = await resultOf(ctx.app.db, id);
    sendJson(ctx.res, 200, { ...view, submittedAt: view.submittedAt.toISOString(), result });
  });

  router.on("GET", "api/instructor/submissions/:id/notebook", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    const nb = await notebookOf(ctx.app.db, id).catch(() => null);
    if (!nb) throw notFound(`submission ${id}`);
    ctx.res.writeHead(200, { "Content-Type": "application/x-ipynb+json", "Content-Disposition": `attachment; filename="submission-${id}.ipynb"`, "X-Content-Type-Options": "nosniff" });
    ctx.res.end(nb);
  });

  router.on("GET", "api/instructor/assignments/:id/manual", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, [...STAFF]);
    const a = await getAssignment(ctx.app.db, id);
    if (!a) throw notFound(`assignment "${id}"`);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const questions = (await manualAnswers(ctx.app, a)).map((q) => ({
      ...q,
      answers: q.answers.map((x) => ({
        ...x,
        submission: { ...x.submission, submittedAt: x.submission.submittedAt.toISOString() },
        gradedAt: iso(x.gradedAt),
        history: x.history.map((h) => ({ ...h, changedAt: h.changedAt.toISOString() })),
      })),
    }));
    sendJson(ctx.res, 200, { assignment: assignmentAdminJson(a), questions });
  });

  router.on("PUT", "api/instructor/submissions/:id/manual/:manualId", async (ctx, [id, manualId]) => {
    checkQuery(ctx.url, []);
    const by = requireRole(ctx, [...STAFF]);
    checkCsrf(ctx);
    const body = await readJson(ctx.req, ["points", "comment", ...SERVER_FIELDS]);
    const forged = SERVER_FIELDS.filter((f) => f in body);
    if (forged.length) throw new ApiError(400, "identity_in_request", `the request names ${forged.map((f) => `"${f}"`).join(", ")}: who scored and when come from your login and the server's clock, never from the request; remove them`);
    sendJson(ctx.res, 200, await setManualScore(ctx.app.db, by, { submissionId: id, manualId, points: body.points, comment: body.comment }));
  });

  router.on("GET", "api/instructor/grades.csv", async (ctx) => {
    const q = checkQuery(ctx.url, ["assignment"]);
    requireRole(ctx, [...STAFF]);
    const csv = await gradesCsv(ctx.app, q.get("assignment") ?? undefined);
    ctx.res.writeHead(200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="grades.csv"', "Cache-Control": "no-store" });
    ctx.res.end(csv);
  });
}
