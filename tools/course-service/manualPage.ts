/**
 * The instructor's page for the written answers of one assignment: per question its points and
 * model answer, then each student's answer (the counting submission's, escaped, never rendered)
 * with a score field and a comment. Plain forms, no script: Tab moves between fields, Enter in the
 * score field saves, and the page comes back at the answer just scored.
 */
import type { Ctx } from "./app";
import { requireRole } from "./app";
import { escapeHtml as e } from "./grading";
import { getAssignment } from "./gradebook";
import { checkQuery, notFound, Router, sendHtml } from "./http";
import { manualAnswers } from "./instructor";
import { setManualScore } from "./manualGrading";
import { back, csrfField, layout, nav, readForm } from "./pages";
import { formatInZone } from "./policy";

const STYLE = `<style>.answer{white-space:pre-wrap;background:#f7f7f9;border-left:3px solid #bbb;padding:.4rem .7rem;margin:.3rem 0;max-height:24rem;overflow:auto}
article{border-bottom:1px solid #ddd;padding:.6rem 0}article h3{font-size:1rem;margin:.2rem 0}.awaiting{color:#b3261e;font-weight:600}
form.score input[type=number]{width:5rem}form.score textarea{vertical-align:top}:focus{outline:2px solid #1a73e8;outline-offset:1px}</style>`;

/** An id for anchors and labels: the manual id and the student id use a-z 0-9 . _ - only. */
const anchor = (manualId: string, student: string) => `${manualId}--${student}`.replace(/[^a-z0-9_.-]/gi, "_");

async function manualPage(ctx: Ctx, id: string): Promise<string> {
  const base = ctx.app.hub.config.prefix;
  const a = await getAssignment(ctx.app.db, id);
  if (!a) throw notFound(`assignment "${id}"`);
  const questions = await manualAnswers(ctx.app, a);
  const act = `${base}instructor/assignments/${a.id}/manual`;
  const parts = [nav(ctx), STYLE, `<h1>Written answers: ${e(a.title)} <span class="muted">(${e(a.id)})</span></h1>`];
  parts.push(`<p><a href="${e(base)}instructor/assignments/${e(a.id)}">Back to the assignment</a>. Each student's counting submission is shown. Score from 0 to the question's points; an answer left as released counts 0 unless you score it. Every save is kept with your name and the server's time${a.latePolicy.kind === "per-day" ? "; the late penalty applies to the written answers too" : ""}.</p>`);
  if (!questions.length) parts.push(`<p>This exercise has no written questions.</p>`);
  for (const q of questions) {
    const waiting = q.answers.filter((x) => x.status === "awaiting hand grading").length;
    parts.push(`<section aria-labelledby="q-${e(q.manualId)}"><h2 id="q-${e(q.manualId)}">${e(q.title)} <code>${e(q.manualId)}</code>: ${q.max} point(s)</h2>`);
    parts.push(q.modelAnswer ? `<details><summary>Model answer</summary><div class="answer">${e(q.modelAnswer)}</div></details>` : `<p class="muted">No model answer on this server.</p>`);
    parts.push(`<p class="muted">${q.answers.length} counting submission(s); ${waiting} awaiting hand grading.</p>`);
    for (const x of q.answers) {
      const key = anchor(q.manualId, x.student);
      const status = x.status === "awaiting hand grading" ? `<span class="awaiting">awaiting hand grading</span>` : e(x.status);
      parts.push(`<article id="${e(key)}"><h3>${e(x.student)} <span class="muted">${e(x.name)}</span> · ${status}</h3>`);
      parts.push(`<p class="muted">Submitted ${e(formatInZone(x.submission.submittedAt, a.timeZone))}${x.submission.late ? `, late: −${x.submission.penaltyPercent} %` : ""} · <a href="${e(base)}instructor/submissions/${e(x.submission.id)}">feedback page</a></p>`);
      if (x.status === "not graded yet") {
        parts.push(`<p class="muted">Not graded yet (${e(x.submission.status)}): the answer is read when the submission is graded.</p></article>`);
        continue;
      }
      parts.push(x.answer != null ? `<div class="answer">${e(x.answer)}</div>` : `<p class="muted">No answer: the cell was left as released.</p>`);
      parts.push(`<form class="score" method="post" action="${e(act)}#${e(key)}">${csrfField(ctx)}<input type="hidden" name="submission" value="${e(x.submission.id)}"><input type="hidden" name="manualId" value="${e(q.manualId)}">
<label for="p-${e(key)}">Points (0–${q.max})</label> <input id="p-${e(key)}" type="number" name="points" min="0" max="${q.max}" step="any" required value="${x.status === "scored" ? e(String(x.points)) : ""}">
<label for="c-${e(key)}">Comment</label> <textarea id="c-${e(key)}" name="comment" rows="2" cols="50" maxlength="2000">${e(x.comment)}</textarea>
<button>Save score for ${e(x.student)}</button></form>`);
      if (x.gradedBy) parts.push(`<p class="muted">Scored ${x.points} by ${e(x.gradedBy)} at ${e(formatInZone(x.gradedAt!, a.timeZone))}.</p>`);
      if (x.history.length > 1) {
        const items = x.history.map((h) => `<li>${e(formatInZone(h.changedAt, a.timeZone))}: ${e(h.changedBy)} set ${h.points}${h.previousPoints != null ? ` (was ${h.previousPoints})` : ""}${h.comment ? `: ${e(h.comment)}` : ""}</li>`);
        parts.push(`<details><summary>${x.history.length} changes</summary><ul>${items.join("")}</ul></details>`);
      }
      parts.push(`</article>`);
    }
    parts.push(`</section>`);
  }
  return layout(`Written answers: ${a.title}`, parts.join("\n"));
}

export function manualRoutes(router: Router<Ctx>): void {
  router.on("GET", "instructor/assignments/:id/manual", async (ctx, [id]) => {
    checkQuery(ctx.url, []);
    requireRole(ctx, ["instructor", "ta"]);
    sendHtml(ctx.res, 200, await manualPage(ctx, id));
  });

  router.on("POST", "instructor/assignments/:id/manual", async (ctx, [id]) => {
    const by = requireRole(ctx, ["instructor", "ta"]);
    const f = await readForm(ctx);
    const raw = (f.get("points") ?? "").trim();
    const points = raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    const submissionId = f.get("submission") ?? "";
    const manualId = f.get("manualId") ?? "";
    const r = await setManualScore(ctx.app.db, by, { assignmentId: id, submissionId, manualId, points, comment: f.get("comment") ?? "" });
    back(ctx, `instructor/assignments/${id}/manual#${anchor(manualId, r.student)}`);
  });
}
