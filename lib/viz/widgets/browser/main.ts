/**
 * The widgets' browser runtime, one per page: TensorFlow.js core with its cpu backend only (see
 * ../runtime.ts for why), and a mount function per kind of widget. Each widget's div hands itself
 * over with `courseWidgets.mount(div)`, or queues itself when it comes before this script (in a
 * handout the runtime is the page's last script). Mounting is synchronous: the cpu backend needs
 * no asynchronous start, so a widget draws as soon as it is mounted.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// What the full package adds to core and the lecture's code relies on: tensor methods such as
// x.reshape(…) (the translator's layers call them) and every op's gradient (the toy GAN trains).
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { mountVaeLatent } from "./vaeLatent";
import { mountDenoiser } from "./denoiser";
import { mountGenerator } from "./generator";
import { mountCharLstm } from "./charLstm";
import { mountToyGan } from "./toyGan";
import { mountAttention } from "./attention";

type Mount = (root: HTMLElement, payload: any) => void;

const MOUNTS: Record<string, Mount> = {
  "vae-latent": mountVaeLatent,
  denoiser: mountDenoiser,
  generator: mountGenerator,
  "char-lstm": mountCharLstm,
  "toy-gan": mountToyGan,
  attention: mountAttention,
};

function mount(root: HTMLElement): void {
  if (root.dataset.courseWidgetMounted) return;
  root.dataset.courseWidgetMounted = "true";
  const kind = root.dataset.courseWidget ?? "";
  const fallback = root.querySelector<HTMLElement>(".course-widget-fallback");
  try {
    const make = MOUNTS[kind];
    if (!make) throw new Error(`no widget of kind "${kind}" in this runtime`);
    const payload = JSON.parse(root.querySelector(".course-widget-payload")?.textContent ?? "null");
    if (!payload) throw new Error("the widget has no payload");
    const live = document.createElement("div");
    live.className = "course-widget-live";
    root.append(live);
    make(live, payload);
    if (fallback) fallback.hidden = true; // the live widget replaces the static figure
    root.dataset.courseWidgetMounted = "live";
  } catch (e) {
    // The static figure stays; say why the live one is missing, without breaking the page.
    const note = document.createElement("p");
    note.setAttribute("role", "note");
    note.textContent = `(live widget unavailable: ${(e as Error).message})`;
    root.append(note);
    root.dataset.courseWidgetMounted = "failed";
  }
}

tf.setBackend("cpu"); // the only backend registered: chosen synchronously on first use anyway

const api = { tf, mount, version: tf.version_core };
(window as any).courseWidgets = api;
const queued: HTMLElement[] = (window as any).courseWidgetQueue ?? [];
delete (window as any).courseWidgetQueue;
for (const root of queued) mount(root);
document.querySelectorAll<HTMLElement>("[data-course-widget]").forEach(mount);
