/**
 * The course's JupyterLab extension: the course panel in the left sidebar and the same actions
 * in the command palette ("Course: …"). It talks to the course service that the hub runs at
 * /services/course/ (tools/course-service/API.md); outside a hub it says so and does nothing.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { round } from './format';
import { HomeFiles } from './homeFiles';
import { courseIcon } from './icon';
import { Asker, CourseModel } from './model';
import { CoursePanel } from './panel';
import { CourseServiceClient } from './serviceClient';
import type { Assignment } from './types';

const PLUGIN_ID = '@ts-course/jupyterlab:plugin';
const CATEGORY = 'Course';

export const CommandIds = {
  show: 'course:show-panel',
  refresh: 'course:refresh',
  fetch: 'course:fetch',
  check: 'course:check',
  submit: 'course:submit',
  feedback: 'course:feedback'
} as const;

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The course panel: assignments, fetch, check, submit and feedback.',
  autoStart: true,
  requires: [IDocumentManager, INotebookTracker],
  optional: [ICommandPalette, ISettingRegistry, ILayoutRestorer],
  activate: async (
    app: JupyterFrontEnd,
    docs: IDocumentManager,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null
  ) => {
    const settings = settingRegistry ? await settingRegistry.load(PLUGIN_ID).catch(() => null) : null;
    const configured = (settings?.get('serviceUrl').composite as string | undefined) ?? '';
    const refreshSeconds = (settings?.get('refreshSeconds').composite as number | undefined) ?? 60;
    const hubPrefix = PageConfig.getOption('hubPrefix'); // "/hub/" under JupyterHub, "" otherwise
    const serviceUrl = configured || (hubPrefix ? URLExt.join(hubPrefix.replace(/hub\/?$/, ''), 'services/course/') : '');
    // After logging in again the student lands on the hub's home page, not in a second JupyterLab.
    const hubLogin = `${URLExt.join(hubPrefix || '/hub/', 'login')}?next=${encodeURIComponent(URLExt.join(hubPrefix || '/hub/', 'home'))}`;

    const asker: Asker = {
      confirm: async (title, body, accept) => (await showDialog({ title, body, buttons: [Dialog.cancelButton(), Dialog.okButton({ label: accept })] })).button.accept
    };
    const model = new CourseModel(new CourseServiceClient(serviceUrl, hubLogin), new HomeFiles(app.serviceManager.contents, docs, notebooks), asker);
    const panel = new CoursePanel(model);
    panel.title.icon = courseIcon;
    app.shell.add(panel, 'left', { rank: 150 });
    restorer?.add(panel, 'course-panel');
    // The panel's labels name the notebook that Check and Submit would send: follow the focus.
    notebooks.currentChanged.connect(() => panel.update());

    if (!serviceUrl) {
      model.panelError = { kind: 'no-hub', message: 'This JupyterLab is not running on the course\'s JupyterHub, so there is no course service to talk to. Start the class with `npm run hub` and log in there.' };
      model.stateChanged.emit();
    } else {
      void model.refresh();
      if (refreshSeconds > 0) {
        // New statuses and scores while the panel is in view; none while it is hidden.
        window.setInterval(() => {
          if (panel.isVisible && !model.loading) void model.refresh();
        }, refreshSeconds * 1000);
      }
    }

    addCommands(app, model, notebooks, panel);
    for (const command of Object.values(CommandIds)) palette?.addItem({ command, category: CATEGORY });
  }
};

function addCommands(app: JupyterFrontEnd, model: CourseModel, notebooks: INotebookTracker, panel: CoursePanel): void {
  const { commands } = app;
  /** The assignment named by the command's `id` argument, else the one the current notebook belongs to. */
  const forCurrent = (args: { id?: unknown }): Assignment | undefined =>
    typeof args.id === 'string' ? model.find(args.id) : model.assignmentForFile(notebooks.currentWidget?.context.path ?? null);
  const choose = async (label: string, among: Assignment[]): Promise<Assignment | undefined> => {
    if (!among.length) {
      Notification.warning(`Course: no assignment to ${label.toLowerCase()}.`, { autoClose: 5000 });
      return undefined;
    }
    const titles = among.map(a => `${a.title} (${a.notebook})`);
    const picked = await InputDialog.getItem({ title: label, items: titles, okLabel: label });
    return picked.button.accept && picked.value ? among[titles.indexOf(picked.value)] : undefined;
  };
  const notInNotebook = () =>
    Notification.warning('Course: open one of your assignment notebooks first (or use the course panel).', { autoClose: 6000 });

  commands.addCommand(CommandIds.show, {
    label: 'Show the Course Panel',
    icon: courseIcon,
    execute: () => app.shell.activateById(panel.id)
  });
  commands.addCommand(CommandIds.refresh, {
    label: 'Refresh Course Assignments',
    execute: () => model.refresh()
  });
  commands.addCommand(CommandIds.fetch, {
    label: 'Fetch an Assignment…',
    execute: async args => {
      const a = typeof args.id === 'string' ? model.find(args.id) : await choose('Fetch', model.assignments);
      if (a) await model.fetchNotebook(a.id);
    }
  });
  /** Check and Submit act on the assignment of the notebook in front of the student. */
  const onCurrentNotebook = (label: string, act: (a: Assignment) => Promise<void>) => ({
    label,
    isEnabled: () => !!forCurrent({}),
    execute: async (args: { id?: unknown }) => {
      const a = forCurrent(args);
      if (!a) return notInNotebook();
      app.shell.activateById(panel.id);
      await act(a);
    }
  });
  commands.addCommand(
    CommandIds.check,
    onCurrentNotebook('Check This Notebook (Public Tests)', async a => {
      const result = await model.check(a.id);
      if (result) Notification.info(`Course: ${a.title}: ${round(result.points)} / ${round(result.max)} points on the public tests.`, { autoClose: 8000 });
    })
  );
  commands.addCommand(
    CommandIds.submit,
    onCurrentNotebook('Submit This Notebook', async a => {
      const receipt = await model.submit(a.id);
      if (receipt) Notification.success(`Course: ${a.title} submitted; receipt SHA-256 ${receipt.sha256.slice(0, 12)}…`, { autoClose: 8000 });
    })
  );
  commands.addCommand(CommandIds.feedback, {
    label: 'Open My Feedback…',
    execute: async args => {
      const released = model.assignments.filter(x => model.feedbackHref(x));
      const a = typeof args.id === 'string' ? model.find(args.id) : await choose('Open feedback', released);
      const href = a ? model.feedbackHref(a) : null;
      if (a && !href) Notification.warning(`Course: feedback for ${a.title} is not released yet.`, { autoClose: 5000 });
      if (href) window.open(href, '_blank', 'noopener');
    }
  });
}

export default plugin;
