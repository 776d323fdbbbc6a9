import { strict as assert } from "assert";
import * as zlib from "zlib";
import { DisplayMessage, setDisplaySink } from "../../../lib/viz/display";
import { barChart, figureBundle, heatmap, histograms, lossCurves, scatter, show, PLOTLY_MIME } from "../../../lib/viz/plot";
import { imageGridPng, showImages } from "../../../lib/viz/images";
import { encodePng } from "../../../lib/viz/png";
import { dfd, showTable, tableBundle } from "../../../lib/viz/table";
import { Progress } from "../../../lib/train/progress";

describe("display helpers", () => {
  let shown: { message: DisplayMessage; update: boolean }[] = [];
  beforeEach(() => {
    shown = [];
    setDisplaySink((message, update) => shown.push({ message, update }));
  });
  afterEach(() => setDisplaySink(null));

  it("sends a plotly figure as one bundle: plotly JSON and a text summary", () => {
    show(lossCurves({ train: [3, 2, 1], test: [3.5, 2.5, 2] }, { title: "loss" }));
    assert.equal(shown.length, 1);
    const data = shown[0].message.data;
    const fig = data[PLOTLY_MIME] as { data: { name: string; y: number[] }[]; layout: { title: { text: string } } };
    assert.deepEqual(fig.data.map((t) => t.name), ["train", "test"]);
    assert.deepEqual(fig.data[1].y, [3.5, 2.5, 2]);
    assert.equal(fig.layout.title.text, "loss");
    assert.equal(data["text/plain"], '[figure "loss": scatter "train", scatter "test"]');
  });

  it("groups a scatter by class and keeps heatmap rows", () => {
    const fig = scatter([0, 1, 2, 3], [1, 1, 2, 2], { groups: [1, 0, 1, 0] });
    assert.deepEqual(fig.data.map((t) => t.name), ["0", "1"]);
    assert.deepEqual(fig.data[1].x, [0, 2]);
    const h = heatmap([[1, 2], [3, 4]], { x: ["a", "b"] });
    assert.deepEqual(h.data[0].z, [[1, 2], [3, 4]]);
    assert.ok(figureBundle(h)[PLOTLY_MIME]);
  });

  it("labels every bar and every cell of a short heatmap axis; histograms say their y axis is a density", () => {
    // Digits as labels: plotly reads "0".."9" as numbers and, on a linear axis, labels every other bar.
    const bars = barChart([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { xTitle: "digit", yTitle: "count" });
    assert.equal((bars.layout.xaxis as { type: string }).type, "category");
    const named = heatmap([[1, 2, 3]], { x: [0, 1, 2], y: ["round 1"] });
    assert.equal((named.layout.xaxis as { type: string }).type, "category");
    const unnamed = heatmap(Array.from({ length: 12 }, () => new Array(10).fill(0)));
    assert.equal((unnamed.layout.xaxis as { dtick: number }).dtick, 1);
    assert.equal((unnamed.layout.yaxis as { dtick: number }).dtick, 1);
    const wide = heatmap([new Array(64).fill(0)]);
    assert.equal((wide.layout.xaxis as { dtick?: number }).dtick, undefined, "64 columns: plotly chooses the ticks");
    assert.equal((histograms({ a: [1, 2, 3] }).layout.yaxis as { title: { text: string } }).title.text, "density");
  });

  it("encodes a valid PNG whose pixels decode back", () => {
    const png = encodePng([0, 0.5, 1, 0.25], 2, 2);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const idatStart = png.indexOf("IDAT") + 4;
    const idatLength = png.readUInt32BE(idatStart - 8);
    const raw = zlib.inflateSync(png.subarray(idatStart, idatStart + idatLength));
    assert.deepEqual([...raw], [0, 0, 128, 0, 255, 64]);
  });

  it("lays images out in a grid and shows it as PNG", () => {
    const grid = imageGridPng(new Float32Array(5 * 4), { height: 2, width: 2, cols: 3, scale: 1, pad: 1 });
    assert.equal(grid.count, 5);
    assert.equal(grid.width, 3 * 3 + 1);
    assert.equal(grid.height, 2 * 3 + 1);
    showImages(new Float32Array(2 * 784), { title: "two" });
    assert.ok(typeof shown[0].message.data["image/png"] === "string");
    assert.throws(() => imageGridPng(new Float32Array(5)), /not a whole number of 28×28 images/);
  });

  it("shows a danfojs DataFrame as an HTML table", () => {
    const df = new dfd.DataFrame({ digit: [0, 1], count: [5923, 6742] });
    showTable(df, { title: "counts" });
    const html = shown[0].message.data["text/html"] as string;
    assert.match(html, /<table class="dataframe"><caption>counts<\/caption>/);
    assert.match(html, /<th>digit<\/th><th>count<\/th>/);
    assert.match(html, /<td>6742<\/td>/);
    assert.match(tableBundle({ columns: ["x"], values: [["<b>"]] })["text/html"] as string, /&lt;b&gt;/);
  });

  it("updates one progress display in place", () => {
    const p = new Progress(3, { label: "train", intervalMs: 0 });
    p.tick(1, { loss: 0.5 });
    p.tick(2);
    const ids = new Set(shown.map((s) => s.message.transient.display_id));
    assert.equal(ids.size, 1);
    assert.deepEqual(shown.map((s) => s.update), [false, true, true]);
  });
});
