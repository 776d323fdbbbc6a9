/**
 * The course panel when things go wrong, in a student's real JupyterLab: the course service stops
 * answering (its process frozen), and the hub session ends (its cookies gone). Each time the panel
 * must say what happened and what to do, and come back once the cause is gone.
 */
import { strict as assert } from "assert";
import type { Page } from "playwright-core";
import type { TestHub } from "../../tools/hub/fixtures/hubHarness";
import { fillHubLogin } from "./labPage";

function panelAlert(page: Page) {
  return page.locator("#course-panel .jp-CoursePanel-error");
}

async function refreshAndRead(page: Page): Promise<string> {
  await page.locator("#course-panel").getByRole("button", { name: "Refresh the list of assignments" }).click();
  await panelAlert(page).waitFor({ timeout: 90_000 });
  return panelAlert(page).innerText();
}

async function tryAgainRecovers(page: Page, assignmentId: string): Promise<void> {
  await panelAlert(page).getByRole("button", { name: "Try again" }).click();
  await panelAlert(page).waitFor({ state: "detached", timeout: 60_000 });
  await page.locator(`#course-panel [data-assignment-id="${assignmentId}"]`).waitFor();
}

/** SIGSTOP the service: requests reach it and hang; the panel gives up and says so. */
export async function serviceStopsAnswering(hub: TestHub, page: Page, assignmentId: string): Promise<string> {
  const pid = hub.servicePid();
  process.kill(pid, "SIGSTOP");
  let message: string;
  try {
    message = await refreshAndRead(page);
  } finally {
    process.kill(pid, "SIGCONT");
  }
  assert.match(message, /The course service did not answer within \d+ s\. Your work is saved/);
  await tryAgainRecovers(page, assignmentId);
  return message;
}

/** The hub's login cookie and the service's session go: the panel asks the student to log in again. */
export async function hubSessionEnds(page: Page, user: string, password: string, assignmentId: string): Promise<string> {
  const context = page.context();
  await context.clearCookies({ name: "jupyterhub-hub-login" });
  await context.clearCookies({ name: "course-session" });
  const message = await refreshAndRead(page);
  assert.match(message, /Your JupyterHub session has ended.*Log in again/);
  const [login] = await Promise.all([context.waitForEvent("page"), panelAlert(page).getByRole("link", { name: "Log in to JupyterHub again" }).click()]);
  await fillHubLogin(login, user, password);
  assert.match(new URL(login.url()).pathname, /\/hub\/home$/);
  await login.close();
  await tryAgainRecovers(page, assignmentId);
  return message;
}
