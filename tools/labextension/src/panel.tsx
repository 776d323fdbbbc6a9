/**
 * The course panel in JupyterLab's left sidebar: one entry per assignment with its due date (zone
 * spelled out), status, score, and buttons for Fetch, Check, Submit and Feedback; results and
 * receipts appear under the assignment. Plain HTML controls: every button has a label that names
 * its assignment and file, Tab reaches each, and results are announced (aria-live).
 */
import { VDomRenderer } from '@jupyterlab/ui-components';
import * as React from 'react';
import { describeDue, describeLatePolicy, describeScore, formatInstant, round, statusLabel } from './format';
import type { CourseModel, RowState } from './model';
import type { Assignment, CheckResult, Receipt } from './types';

export class CoursePanel extends VDomRenderer<CourseModel> {
  constructor(model: CourseModel) {
    super(model);
    this.addClass('jp-CoursePanel');
    this.id = 'course-panel';
    this.title.caption = 'Course: assignments, check, submit, feedback';
  }

  protected render(): React.ReactElement {
    return <PanelView model={this.model} />;
  }
}

const viewerZone = (() => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return '';
  }
})();

function PanelView({ model }: { model: CourseModel }): React.ReactElement {
  const me = model.me;
  return (
    <section className="jp-CoursePanel-body" aria-labelledby="jp-CoursePanel-heading">
      <header className="jp-CoursePanel-header">
        <h2 id="jp-CoursePanel-heading">Course</h2>
        <button type="button" className="jp-CoursePanel-button" onClick={() => void model.refresh()} disabled={model.loading || model.panelError?.kind === 'no-hub'} aria-label="Refresh the list of assignments">
          {model.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </header>
      {me && (
        <p className="jp-CoursePanel-who">
          Signed in as <strong>{me.name ?? me.user}</strong> ({me.user}, {me.role}). Times are the server's.
        </p>
      )}
      {model.panelError && (
        <div className="jp-CoursePanel-error" role="alert">
          <p>{model.panelError.message}</p>
          {model.panelError.kind === 'session' && (
            <p>
              <a href={model.client.hubLoginUrl} target="_blank" rel="noopener noreferrer">
                Log in to JupyterHub again
              </a>
            </p>
          )}
          {model.panelError.kind !== 'no-hub' && (
            <button type="button" className="jp-CoursePanel-button" onClick={() => void model.refresh()}>
              Try again
            </button>
          )}
        </div>
      )}
      {me && !model.assignments.length && !model.loading && <p>No assignments have been released to you yet.</p>}
      <ul className="jp-CoursePanel-list" aria-label="Your assignments">
        {model.assignments.map(a => (
          <AssignmentItem key={a.id} model={model} a={a} row={model.row(a.id)} />
        ))}
      </ul>
    </section>
  );
}

function AssignmentItem({ model, a, row }: { model: CourseModel; a: Assignment; row: RowState }): React.ReactElement {
  const due = describeDue(a, model.serverNow(), viewerZone);
  const target = model.targetFile(a);
  const feedback = model.feedbackHref(a);
  const busy = row.busy !== null;
  const headingId = `jp-CourseAssignment-${a.id}`;
  const past = model.serverNow() > Date.parse(a.effectiveDueAt);
  return (
    <li className="jp-CourseAssignment" data-assignment-id={a.id} aria-labelledby={headingId}>
      <h3 id={headingId}>{a.title}</h3>
      <dl className="jp-CourseAssignment-facts">
        <dt>Due</dt>
        <dd data-field="due">
          {due.due} <span className="jp-CourseAssignment-relative">({past ? `passed ${due.relative}` : due.relative})</span>
          {due.yourTime && <div>Your time: {due.yourTime}</div>}
          {due.extension && <div data-field="extension">{due.extension}</div>}
        </dd>
        <dt>Status</dt>
        <dd data-field="status">
          {statusLabel(a.status)}
          {a.submission && (
            <div>
              Counted submission: {formatInstant(a.submission.submittedAt, a.timeZone)}
              {a.submission.late ? ' (late)' : ''}
            </div>
          )}
        </dd>
        <dt>Score</dt>
        <dd data-field="score">{a.score ? describeScore(a.score) : a.feedbackReleased ? '—' : `Not released yet (out of ${round(a.maxPoints + (a.manualMaxPoints ?? 0))})`}</dd>
        <dt>Late work</dt>
        <dd>{describeLatePolicy(a.latePolicy)}</dd>
        <dt>Notebook</dt>
        <dd data-field="file">{target ? `${target} in your home folder` : `${a.notebook}: not fetched yet`}</dd>
      </dl>
      <div className="jp-CourseAssignment-actions" role="group" aria-label={`Actions for ${a.title}`}>
        <button type="button" className="jp-CoursePanel-button" disabled={busy} onClick={() => void model.fetchNotebook(a.id)} aria-label={`Fetch ${a.notebook} for ${a.title} into your home folder`}>
          {row.busy === 'fetch' ? 'Fetching…' : 'Fetch'}
        </button>
        <button type="button" className="jp-CoursePanel-button" disabled={busy || !target} onClick={() => void model.check(a.id)} aria-label={target ? `Check ${target} with the public tests` : `Check (fetch ${a.notebook} first)`}>
          {row.busy === 'check' ? 'Checking…' : 'Check'}
        </button>
        <button type="button" className="jp-CoursePanel-button jp-mod-accept" disabled={busy || !target} onClick={() => void model.submit(a.id)} aria-label={target ? `Submit ${target} for ${a.title}` : `Submit (fetch ${a.notebook} first)`}>
          {row.busy === 'submit' ? 'Submitting…' : 'Submit'}
        </button>
        {feedback ? (
          <a className="jp-CoursePanel-button" href={feedback} target="_blank" rel="noopener noreferrer" aria-label={`Open your feedback for ${a.title} (new tab)`}>
            Feedback
          </a>
        ) : (
          <button type="button" className="jp-CoursePanel-button" disabled aria-label={`Feedback for ${a.title}: not released yet`}>
            Feedback
          </button>
        )}
      </div>
      <div className="jp-CourseAssignment-result" aria-live="polite">
        {row.busy && <p className="jp-CourseAssignment-busy">{busyText(row, target)}</p>}
        {row.notice && <p className="jp-CourseAssignment-notice">{row.notice}</p>}
        {row.problem && (
          <div className="jp-CourseAssignment-problem" role="alert">
            <p>{row.problem.message}</p>
            {row.problem.problems.length > 0 && (
              <ul>
                {row.problem.problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            )}
            {row.problem.recover && !row.problem.message.includes(row.problem.recover) && <p>{row.problem.recover}</p>}
            {row.problem.offerRefetch && (
              <button type="button" className="jp-CoursePanel-button" onClick={() => void model.fetchNotebook(a.id)} aria-label={`Fetch the original ${a.notebook} again, beside yours`}>
                Fetch the original
              </button>
            )}
          </div>
        )}
        {row.check && <CheckView result={row.check.result} file={row.check.file} />}
        {row.receipt && <ReceiptView receipt={row.receipt.receipt} file={row.receipt.file} matchesLocal={row.receipt.matchesLocal} timeZone={a.timeZone} />}
      </div>
    </li>
  );
}

function busyText(row: RowState, target: string | null): string {
  if (row.busy === 'fetch') return 'Fetching the notebook…';
  if (row.busy === 'check') return `Saving and checking ${target ?? 'the notebook'} (the public tests take up to half a minute)…`;
  return `Saving and submitting ${target ?? 'the notebook'}…`;
}

function CheckView({ result, file }: { result: CheckResult; file: string }): React.ReactElement {
  return (
    <div className="jp-CourseCheck" data-points={result.points} data-max={result.max}>
      <p>
        <strong>
          Public tests on {file}: {round(result.points)} / {round(result.max)} points.
        </strong>{' '}
        {result.hiddenPoints > 0 && `${round(result.hiddenPoints)} more points come from hidden tests when your submission is graded.`}
      </p>
      {result.problems.length > 0 && (
        <ul>
          {result.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
      <table className="jp-CourseCheck-tests">
        <caption className="jp-CoursePanel-visuallyHidden">Public tests</caption>
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Points</th>
          </tr>
        </thead>
        <tbody>
          {result.tests.map(t => (
            <tr key={`${t.gradeId}:${t.title}`} className={t.passed ? 'jp-mod-passed' : 'jp-mod-failed'}>
              <td>
                <span aria-hidden="true">{t.passed ? '✓ ' : '✗ '}</span>
                <span className="jp-CoursePanel-visuallyHidden">{t.passed ? 'Passed: ' : 'Failed: '}</span>
                {t.title}
                {t.message && <div className="jp-CourseCheck-message">{t.message}</div>}
              </td>
              <td>{round(t.points)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReceiptView({ receipt, file, matchesLocal, timeZone }: { receipt: Receipt; file: string; matchesLocal: boolean | null; timeZone: string }): React.ReactElement {
  return (
    <div className="jp-CourseReceipt" data-sha256={receipt.sha256}>
      <p>
        <strong>{receipt.duplicate ? `Already submitted: ${file} is identical to your last submission, so no new one was made.` : `Submitted ${file}.`}</strong>
      </p>
      <dl>
        <dt>Received (server time)</dt>
        <dd data-field="submitted-at">
          {formatInstant(receipt.submittedAt, timeZone, { seconds: true })}
          <div>= {formatInstant(receipt.submittedAt, 'UTC', { seconds: true })}</div>
        </dd>
        <dt>SHA-256</dt>
        <dd className="jp-CourseReceipt-hash" data-field="sha256">
          {receipt.sha256}
          {matchesLocal === true && ' (matches the file you sent)'}
          {matchesLocal === false && ' (does NOT match the file you sent: submit again)'}
        </dd>
        <dt>Size</dt>
        <dd>{receipt.bytes} bytes</dd>
        <dt>Late</dt>
        <dd data-field="late">{receipt.late ? `Yes, ${receipt.lateDays} day${receipt.lateDays === 1 ? '' : 's'}: −${round(receipt.penaltyPercent)} %` : 'No'}</dd>
        <dt>Receipt id</dt>
        <dd>{receipt.id}</dd>
      </dl>
    </div>
  );
}
