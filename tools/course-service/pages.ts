/**
 * The instructor's web pages: server-rendered HTML, every value escaped, no script. Forms post
 * urlencoded bodies with the session's _csrf field to the same operations as the JSON API, then
 * redirect back (303).
 */
import type { Ctx } from "./app";
import { checkCsrf, requireRole } from "./app";
import { courseRegistry, escapeHtml as e } from "./grading";
import { getAssignment, listAssignments, listStudents } from "./gradebook";
import { ApiError, checkQuery, notFound, readBody, requireMediaType, Router, sendHtml } from "./http";
import { extension, gradebook, importRoster, regradeAssignment, releaseAssignment, setFeedbackReleased } from "./instructor";
import { describeLatePolicy, formatInZone } from "./policy";
import { queueStats } from "./queue";
import { requeue, resultOf, submissionById, submissionsOf } from "./submissions";
import { extensionsFor } from "./gradebook";
import { feedbackFor } from "./studentApi";
import { manualMaxOf, manualSummaries } from "./manualGrading";

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}.num{text-align:right;white-space:nowrap}.warn{color:#b3261e}.muted{color:#666}form.inline{display:inline}
fieldset{border:1px solid #ddd;margin:1rem 0;padding:.5rem 1rem}label{display:inline-block;margin:.2rem 1rem .2rem 0}nav a{margin-right:1rem}`;

export function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** "awaiting hand grading", linking to the page where it is done. */
function awaitingNote(ctx: Ctx, assignmentId: string, awaiting: string[]): string {
  return awaiting.length ? ` <a class="warn" href="${e(ctx.app.hub.config.prefix)}instructor/assignments/${e(assignmentId)}/manual">awaiting hand grading</a>` : "";
}

export function errorPage(status: number, message: string): string {
  return layout(`Error ${status}`, `<h1>Error ${status}</h1><p>${e(message)}</p><p><a href="./">Back</a></p>`);
}

export const csrfField = (ctx: Ctx) => `<input type="hidden" name="_csrf" value="${e(ctx.session?.csrf ?? "")}">`;

export function button(ctx: Ctx, action: string, label: string, fields: Record<string, string> = {}): string {
  const hidden = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${e(k)}" value="${e(v)}">`).join("");
  return `<form class="inline" method="post" action="${e(action)}">${csrfField(ctx)}${hidden}<button>${e(label)}</button></form>`;
}

export function nav(ctx: Ctx): string {
  const base = ctx.app.hub.config.prefix;
  return `<nav><a href="${e(base)}instructor/">Gradebook</a><a href="${e(base)}api/instructor/grades.csv">Export grades (Canvas CSV)</a><span class="muted">${e(ctx.user ?? "")} (${e(ctx.role)})</span></nav>`;
}

async function indexPage(ctx: Ctx): Promise<string> {
  const base = ctx.app.hub.config.prefix;
  const assignments = await listAssignments(ctx.app.db);
  const students = await listStudents(ctx.app.db);
  const books = new Map<string, Awaited<ReturnType<typeof gradebook>>>();
  for (const a of assignments) books.set(a.id, await gradebook(ctx.app, a));
  const q = await queueStats(ctx.app.db);
  const parts = [nav(ctx), `<h1>Gradebook</h1>`, `<p class="muted">Grading queue: ${q.queued} waiting, ${q.running} grading, ${q.failed} need attention, ${q.done} done. Times in each assignment's zone.</p>`];
  parts.push(`<table><tr><th>Student</th>${assignments.map((a) => `<th><a href="${e(base)}instructor/assignments/${e(a.id)}">${e(a.title)}</a><br><span class="muted">due ${e(formatInZone(a.dueAt, a.timeZone))}</span></th>`).join("")}</tr>`);
  const ids = [...new Set([...students.map((s) => s.id), ...[...books.values()].flatMap((rows) => rows.map((r) => r.student))])].sort();
  for (const id of ids) {
    const name = students.find((s) => s.id === id)?.name ?? "";
    const cells = assignments.map((a) => {
      const r = books.get(a.id)!.find((x) => x.student === id)?.submission;
      if (!r) return `<td class="muted">—</td>`;
      const score = r.final != null ? `${r.final} / ${r.totalMax}` : e(r.status);
      const late = (r.late ? ` <span class="warn">late ${r.lateDays} d, −${r.penaltyPercent} %</span>` : "") + awaitingNote(ctx, a.id, r.awaiting);
      const reason = r.reason ? `<br><span class="warn">${e(r.reason)}</span>` : "";
      return `<td><a href="${e(base)}instructor/submissions/${e(r.id)}">${score}</a>${late}<br><span class="muted">${e(formatInZone(r.submittedAt, a.timeZone))}</span>${reason}</td>`;
    });
    parts.push(`<tr><td>${e(id)}<br><span class="muted">${e(name)}</span></td>${cells.join("")}</tr>`);
  }
  parts.push(`</table>`);
  const exercises = courseRegistry().exercises.map((x) => `<option value="${e(x.name)}">${e(x.title)} (${e(x.name)})</option>`).join("");
  parts.push(`<form method="post" action="${e(base)}instructor/assignments"><fieldset><legend>Release an assignment</legend>${csrfField(ctx)}
<label>id <input name="id" required pattern="[a-z0-9][a-z0-9-]{0,62}"></label><label>exercise <select name="exercise">${exercises}</select></label><label>title <input name="title"></label><br>
<label>opens <input type="datetime-local" name="opensAt" required></label><label>due <input type="datetime-local" name="dueAt" required></label><label>time zone <input name="timeZone" value="${e(ctx.app.timeZone)}" required></label><br>
<label>late work <select name="lateKind"><option value="per-day">penalty per started day</option><option value="none">not accepted</option></select></label><label>% per day <input name="percentPerDay" value="10" size="4"></label><label>cap % <input name="capPercent" value="100" size="4"></label><label>max days late <input name="maxDaysLate" size="4" placeholder="none"></label><br>
<label>resubmissions <select name="resubmission"><option value="last">last counts</option><option value="best">best before the deadline</option></select></label>
<button>Release</button></fieldset></form>`);
  parts.push(`<form method="post" action="${e(base)}instructor/roster" enctype="application/x-www-form-urlencoded"><fieldset><legend>Import a roster (CSV with columns id, name, email)</legend>${csrfField(ctx)}<textarea name="csv" rows="5" cols="70" placeholder="id,name,email&#10;alice,Alice Liddell,alice@example.edu"></textarea><br><button>Import</button></fieldset></form>`);
  return layout("Gradebook", parts.join("\n"));
}

async function assignmentPage(ctx: Ctx, id: string): Promise<string> {
  const base = ctx.app.hub.config.prefix;
  const a = await getAssignment(ctx.app.db, id);
  if (!a) throw notFound(`assignment "${id}"`);
  const rows = await gradebook(ctx.app, a);
  const act = `${base}instructor/assignments/${a.id}`;
  const parts = [nav(ctx), `<h1>${e(a.title)} <span class="muted">(${e(a.id)}, exercise ${e(a.exercise)})</span></h1>`];
  parts.push(`<p>Opens ${e(formatInZone(a.opensAt, a.timeZone))}; due ${e(formatInZone(a.dueAt, a.timeZone))}. Late work: ${e(describeLatePolicy(a.latePolicy))}. Resubmissions: ${a.resubmission === "last" ? "the last counts" : "the best before the deadline counts"}. ${a.released ? "Released to students." : "Not released to students."} Feedback ${a.feedbackReleased ? "released" : "not released"}.</p>`);
  const manualMax = manualMaxOf(a.exercise);
  const waiting = rows.filter((r) => r.submission?.counts && r.submission.awaiting.length).length;
  parts.push(`<p>${button(ctx, `${act}/release-feedback`, a.feedbackReleased ? "Withdraw feedback" : "Release feedback", { released: String(!a.feedbackReleased) })} ${button(ctx, `${act}/regrade`, "Re-grade all")} <a href="${e(base)}api/instructor/grades.csv?assignment=${e(a.id)}">Export this assignment (Canvas CSV)</a></p>`);
  if (manualMax) parts.push(`<p><a href="${e(act)}/manual">Grade the written answers</a> (${manualMax} points by hand). ${waiting ? `<span class="warn">${waiting} student(s) awaiting hand grading</span>: their final scores leave the written answers out, and their cells in the Canvas export stay empty until scored.` : "Nothing awaits hand grading."}</p>`);
  parts.push(`<table><tr><th>Student</th><th>Status</th><th class="num">Tests</th><th>Late</th><th class="num">Written</th><th class="num">Final / ${a.maxPoints + manualMax}</th><th>Submitted</th><th>Extension</th><th></th></tr>`);
  for (const r of rows) {
    const s = r.submission;
    parts.push(`<tr><td>${e(r.student)}<br><span class="muted">${e(r.name)}</span></td>
<td>${s ? `<a href="${e(base)}instructor/submissions/${e(s.id)}">${e(s.status)}</a>${s.reason ? `<br><span class="warn">${e(s.reason)}</span>` : ""}` : `<span class="muted">not submitted</span>`}</td>
<td class="num">${s?.points != null ? `${s.points} / ${a.maxPoints}` : ""}</td><td>${s?.late ? `${s.lateDays} d, −${s.penaltyPercent} %` : s ? "on time" : ""}</td><td class="num">${s?.manualPoints != null && manualMax ? `${s.manualPoints} / ${manualMax}${awaitingNote(ctx, a.id, s.awaiting)}` : ""}</td><td class="num">${s?.final ?? ""}</td>
<td>${s ? e(formatInZone(s.submittedAt, a.timeZone)) + ` <span class="muted">(${r.submissions})</span>` : ""}</td>
<td><form class="inline" method="post" action="${e(act)}/extensions">${csrfField(ctx)}<input type="hidden" name="student" value="${e(r.student)}"><input type="datetime-local" name="dueAt" value="${r.extensionDueAt ? e(formatInZone(r.extensionDueAt, a.timeZone).slice(0, 16).replace(" ", "T")) : ""}"><button>Set</button></form>${r.extensionDueAt ? button(ctx, `${act}/extensions/${r.student}/delete`, "Remove") : ""}</td>
<td>${s ? button(ctx, `${act}/regrade`, "Re-grade", { student: r.student }) : ""}</td></tr>`);
  }
  parts.push(`</table>`);
  return layout(a.title, parts.join("\n"));
}

/** The urlencoded form of a page's POST, with its CSRF token checked. */
export async function readForm(ctx: Ctx): Promise<URLSearchParams> {
  requireMediaType(ctx.req, ["application/x-www-form-urlencoded"]);
  const form = new URLSearchParams((await readBody(ctx.req, ctx.app.limits.jsonBytes)).toString("utf8"));
  checkCsrf(ctx, form.get("_csrf"));
  return form;
}

export function back(ctx: Ctx, to: string): void {
  ctx.res.writeHead(303, { Location: `${ctx.app.hub.config.prefix}${to}` });
  ctx.res.end();
}

export function pageRoutes(router: Router<Ctx>): void {
  router.on("GET", "", async (ctx) => {
    requireRole(ctx, ["student", "ta", "instructor"]);
    back(ctx, ctx.role === "student" ? "api/assignments" : "instructor/");
  });
  router.on("GET", "instructor/", async (ctx) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor", "ta"]);
    sendHtml(ctx.res, 200, await indexPage(ctx));
  });
  router.on("GET", "instructor/assignments/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor", "ta"]);
    sendHtml(ctx.res, 200, await assignmentPage(ctx, id));
  });
  router.on("GET", "instructor/submissions/:id", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor", "ta"]);
    const row = await submissionById(ctx.app.db, id);
    if (!row) throw notFound(`submission ${id}`);
    const a = (await getAssignment(ctx.app.db, row.assignment_id))!;
    const view = ((await submissionsOf(ctx.app.db, a, await extensionsFor(ctx.app.db, a.id), row.student_id)).get(row.student_id) ?? []).find((s) => s.id === id)!;
    const result = await resultOf(ctx.app.db, id);
    if (!result) {
      sendHtml(ctx.res, 200, layout("Submission", `${nav(ctx)}<h1>${e(row.student_id)}: ${e(a.title)}</h1><p>Status: ${e(view.status)}${view.reason ? ` <span class="warn">${e(view.reason)}</span>` : ""}. ${button(ctx, `${ctx.app.hub.config.prefix}instructor/submissions/${id}/regrade`, "Re-grade")}</p>`));
      return;
    }
    sendHtml(ctx.res, 200, feedbackFor(a, row.student_id, view, result, (await manualSummaries(ctx.app.db, a, { studentId: row.student_id })).get(id)));
  });

  router.on("POST", "instructor/roster", async (ctx) => {
    requireRole(ctx, ["instructor"]);
    const form = await readForm(ctx);
    const r = await importRoster(ctx.app, form.get("csv") ?? "");
    if (r.errors.length) throw new ApiError(400, "bad_request", `imported ${r.added.length + r.updated.length + r.unchanged.length} student(s); refused: ${r.errors.map((x) => `line ${x.line}: ${x.message}`).join("; ")}`);
    back(ctx, "instructor/");
  });
  router.on("POST", "instructor/assignments", async (ctx) => {
    requireRole(ctx, ["instructor"]);
    const f = await readForm(ctx);
    const latePolicy = f.get("lateKind") === "none" ? { kind: "none" } : { kind: "per-day", percentPerDay: Number(f.get("percentPerDay")), capPercent: Number(f.get("capPercent") || 100), maxDaysLate: f.get("maxDaysLate") ? Number(f.get("maxDaysLate")) : null };
    const a = await releaseAssignment(ctx.app, { id: f.get("id"), exercise: f.get("exercise"), title: f.get("title") || undefined, opensAt: f.get("opensAt"), dueAt: f.get("dueAt"), timeZone: f.get("timeZone"), latePolicy, resubmission: f.get("resubmission") });
    back(ctx, `instructor/assignments/${a.id}`);
  });
  router.on("POST", "instructor/assignments/:id/release-feedback", async (ctx, [id]) => {
    requireRole(ctx, ["instructor"]);
    const f = await readForm(ctx);
    await setFeedbackReleased(ctx.app, id, f.get("released") === "true");
    back(ctx, `instructor/assignments/${id}`);
  });
  router.on("POST", "instructor/assignments/:id/regrade", async (ctx, [id]) => {
    requireRole(ctx, ["instructor", "ta"]);
    const f = await readForm(ctx);
    await regradeAssignment(ctx.app, id, f.get("student") ?? undefined);
    back(ctx, `instructor/assignments/${id}`);
  });
  router.on("POST", "instructor/assignments/:id/extensions", async (ctx, [id]) => {
    const by = requireRole(ctx, ["instructor"]);
    const f = await readForm(ctx);
    await extension(ctx.app, by, id, (f.get("student") ?? "").toLowerCase(), f.get("dueAt") || null);
    back(ctx, `instructor/assignments/${id}`);
  });
  router.on("POST", "instructor/assignments/:id/extensions/:student/delete", async (ctx, [id, student]) => {
    const by = requireRole(ctx, ["instructor"]);
    await readForm(ctx);
    await extension(ctx.app, by, id, student, null);
    back(ctx, `instructor/assignments/${id}`);
  });
  router.on("POST", "instructor/submissions/:id/regrade", async (ctx, [id]) => {
    requireRole(ctx, ["instructor", "ta"]);
    await readForm(ctx);
    await requeue(ctx.app.db, [id]);
    back(ctx, `instructor/submissions/${id}`);
  });
}
