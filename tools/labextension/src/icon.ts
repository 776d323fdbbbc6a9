/** The panel's tab icon (a mortarboard), themed by JupyterLab through the jp-icon3 class. */
import { LabIcon } from '@jupyterlab/ui-components';

export const courseIcon = new LabIcon({
  name: 'ts-course:icon',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24"><path class="jp-icon3" fill="#616161" d="M12 3 1 9l11 6 9-4.91V17h2V9L12 3zM5 13.18v4L12 21l7-3.82v-4L12 17l-7-3.82z"/></svg>'
});
