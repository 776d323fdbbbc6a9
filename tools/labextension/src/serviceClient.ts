/**
 * The course service's HTTP API, as the browser of a logged-in student calls it
 * (tools/course-service/API.md): same origin as JupyterLab, the `course-session` cookie set by
 * the hub's OAuth flow, a CSRF header on every change. Identity is never sent: the service
 * takes it from the session.
 *
 * Every failure becomes a CourseServiceError of one of three kinds, each with a sentence for
 * the student: the service cannot be reached, the hub session has ended, or the service refused
 * (its own message, problems and recovery advice).
 */
import type { Assignment, CheckResult, ErrorBody, Me, SubmitResult } from './types';

export type FailureKind = 'unreachable' | 'session' | 'refused';

export class CourseServiceError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
    readonly details: Record<string, unknown> = {}
  ) {
    super(message);
    this.name = 'CourseServiceError';
  }

  /** The service's list of what is wrong with a refused notebook (empty otherwise). */
  get problems(): string[] {
    const p = this.details.problems;
    return Array.isArray(p) ? p.map(String) : [];
  }

  /** The service's advice on how to recover, if it gave one. */
  get recover(): string | null {
    return typeof this.details.recover === 'string' ? this.details.recover : null;
  }
}

const NOTEBOOK_TYPE = 'application/x-ipynb+json';
/** Reads answer within seconds; check and submit run tests in the service's sandbox first. */
const READ_TIMEOUT_MS = 30_000;
const GRADE_TIMEOUT_MS = 180_000;

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  timeoutMs?: number;
}

export class CourseServiceClient {
  private csrfToken: string | null = null;
  private loggingIn: Promise<Me> | null = null;

  /** `baseUrl`: the service's root, ending in "/", e.g. "/services/course/"; `hubLoginUrl`: where to log in again. */
  constructor(
    readonly baseUrl: string,
    readonly hubLoginUrl: string
  ) {}

  /** An absolute URL for a path under the service ("feedback/ae-1"). */
  url(relative: string): string {
    return new URL(relative, new URL(this.baseUrl, window.location.href)).href;
  }

  async me(): Promise<Me> {
    const me = await this.json<Me>('api/me');
    this.csrfToken = me.csrfToken;
    return me;
  }

  async assignments(): Promise<Assignment[]> {
    return (await this.json<{ assignments: Assignment[] }>('api/assignments')).assignments;
  }

  /** The released exercise notebook, as the exact text the service sent. */
  async notebook(assignmentId: string): Promise<string> {
    const response = await this.request(`api/assignments/${encodeURIComponent(assignmentId)}/notebook`);
    return response.text();
  }

  /** Public tests on the notebook's bytes, run now by the service. */
  check(assignmentId: string, notebookText: string): Promise<CheckResult> {
    return this.json<CheckResult>(`api/assignments/${encodeURIComponent(assignmentId)}/check`, {
      method: 'POST',
      body: notebookText,
      contentType: NOTEBOOK_TYPE,
      timeoutMs: GRADE_TIMEOUT_MS
    });
  }

  /** Hands the notebook in; the service stamps time and identity and answers with a receipt. */
  submit(assignmentId: string, notebookText: string): Promise<SubmitResult> {
    return this.json<SubmitResult>(`api/assignments/${encodeURIComponent(assignmentId)}/submissions`, {
      method: 'POST',
      body: notebookText,
      contentType: NOTEBOOK_TYPE,
      timeoutMs: GRADE_TIMEOUT_MS
    });
  }

  private async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request(path, options);
    try {
      return (await response.json()) as T;
    } catch {
      throw new CourseServiceError('unreachable', `The course service answered ${path} with something that is not JSON. Try again in a minute; if it persists, tell your instructor.`, response.status);
    }
  }

  /**
   * One call, with the two retries the API asks for: log in through the hub when the session is
   * missing (401 login_required), and fetch a fresh CSRF token when it went stale (403 csrf_failed).
   */
  private async request(path: string, options: RequestOptions = {}, retried = false): Promise<Response> {
    const method = options.method ?? 'GET';
    if (method !== 'GET' && !this.csrfToken) await this.me();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.contentType) headers['Content-Type'] = options.contentType;
    if (method !== 'GET' && this.csrfToken) headers['X-Course-CSRF'] = this.csrfToken;
    const response = await this.send(this.url(path), { method, headers, body: options.body, credentials: 'same-origin' }, options.timeoutMs ?? READ_TIMEOUT_MS);
    if (response.ok) return response;
    const failure = await this.failure(response);
    if (!retried && failure.code === 'login_required') {
      await this.login(failure.details.login);
      return this.request(path, options, true);
    }
    if (!retried && failure.code === 'csrf_failed') {
      await this.me();
      return this.request(path, options, true);
    }
    throw failure;
  }

  /** Follows the service's login URL: the hub's OAuth redirects set the session cookie on the way. */
  private login(loginUrl: unknown): Promise<Me> {
    this.loggingIn ??= (async () => {
      const target = typeof loginUrl === 'string' ? loginUrl : `login?next=${encodeURIComponent(new URL(this.url('api/me')).pathname)}`;
      const response = await this.send(this.url(target), { credentials: 'same-origin', headers: { Accept: 'application/json' } }, READ_TIMEOUT_MS);
      const isJson = (response.headers.get('Content-Type') ?? '').includes('application/json');
      if (!response.ok || !isJson) {
        // The hub answered with its login page: the hub session itself is over.
        throw new CourseServiceError('session', 'Your JupyterHub session has ended, so the course service cannot tell who you are. Log in again (the link opens a new tab), then come back and press Try again. Your saved work is safe.', response.status);
      }
      const me = (await response.json()) as Me;
      this.csrfToken = me.csrfToken;
      return me;
    })().finally(() => {
      this.loggingIn = null;
    });
    return this.loggingIn;
  }

  private async send(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    const abort = new AbortController();
    const timer = window.setTimeout(() => abort.abort(), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: abort.signal });
    } catch (e) {
      const why = abort.signal.aborted ? `did not answer within ${Math.round(timeoutMs / 1000)} s` : 'cannot be reached';
      throw new CourseServiceError('unreachable', `The course service ${why}. Your work is saved in your home folder; try again in a minute, and tell your instructor if it persists.`);
    } finally {
      window.clearTimeout(timer);
    }
  }

  /** Turns an error answer into a CourseServiceError, keeping the service's own sentence. */
  private async failure(response: Response): Promise<CourseServiceError> {
    let body: ErrorBody | null = null;
    try {
      body = (await response.json()) as ErrorBody;
    } catch {
      /* not JSON: the proxy or the hub answered, not the service */
    }
    const error = body?.error;
    if (error && typeof error.message === 'string') {
      const kind: FailureKind = error.code === 'unavailable' ? 'unreachable' : error.code === 'login_required' ? 'session' : 'refused';
      return new CourseServiceError(kind, error.message, response.status, error.code ?? null, error.details ?? {});
    }
    if ([404, 502, 503, 504].includes(response.status)) {
      // configurable-http-proxy answers 503 when the service is down; the hub 404 when it is not configured.
      return new CourseServiceError('unreachable', `The course service is not running (HTTP ${response.status} from the hub). Your work is saved in your home folder; try again in a minute, and tell your instructor if it persists.`, response.status);
    }
    return new CourseServiceError('refused', `The course service answered HTTP ${response.status} ${response.statusText}.`, response.status);
  }
}
