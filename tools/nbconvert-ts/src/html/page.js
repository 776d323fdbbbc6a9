// The handout's only behaviour: the theme toggle, the current section in the table of
// contents, drawing plotly figures (their JSON sits in <script type="application/json">), and
// fitting to the column what would be cut at its edge: long figure titles, wide display formulas.
(function () {
  var root = document.documentElement;
  var figures = [];

  function plotColors() {
    var css = getComputedStyle(root);
    return { fg: css.getPropertyValue("--fg").trim(), grid: css.getPropertyValue("--border").trim(), muted: css.getPropertyValue("--muted").trim() };
  }

  function themed(layout) {
    var c = plotColors();
    var out = Object.assign({}, layout, {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: Object.assign({ family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" }, layout.font || {}, { color: c.fg }),
    });
    Object.keys(out).forEach(function (k) {
      if (/^[xy]axis\d*$/.test(k) || k === "xaxis" || k === "yaxis") out[k] = Object.assign({}, out[k], { gridcolor: c.grid, zerolinecolor: c.grid, linecolor: c.grid });
    });
    if (!out.xaxis) out.xaxis = { gridcolor: c.grid, zerolinecolor: c.grid };
    if (!out.yaxis) out.yaxis = { gridcolor: c.grid, zerolinecolor: c.grid };
    return out;
  }

  function drawFigures() {
    if (!window.Plotly) return;
    document.querySelectorAll('script[type="application/json"][data-plotly]').forEach(function (script) {
      var el = document.getElementById(script.getAttribute("data-plotly"));
      if (!el) return;
      try {
        var fig = JSON.parse(script.textContent);
        var layout = fig.layout || {};
        var config = Object.assign({ responsive: true, displaylogo: false }, fig.config || {});
        var f = { el: el, layout: layout, lines: 1 };
        figures.push(f);
        Plotly.newPlot(el, fig.data || [], themed(layout), config).then(function () { fitTitle(f); });
      } catch (e) {
        el.textContent = "could not draw this figure: " + e.message;
        el.className += " plot-error";
      }
    });
  }

  function titleText(layout) {
    var t = layout.title;
    return typeof t === "string" ? t : t && typeof t.text === "string" ? t.text : "";
  }

  // Words into n lines of about equal length.
  function wrap(text, n) {
    var words = text.split(" "), target = text.length / n, lines = [""];
    words.forEach(function (w) {
      var last = lines.length - 1;
      if (lines[last] && lines[last].length + 1 + w.length > target && lines.length < n) lines.push(w);
      else lines[last] = lines[last] ? lines[last] + " " + w : w;
    });
    return lines;
  }

  // Plotly draws a title on one line, centred, and clips what is wider than the figure at both
  // edges: such a title is wrapped onto as many lines as it needs, and the top margin grows.
  function fitTitle(f) {
    var text = titleText(f.layout), node = f.el.querySelector("text.gtitle");
    if (!text || !node || !node.getBBox) return;
    if (f.lines === 1) f.width = node.getBBox().width; // the one-line width, measured as drawn
    var room = f.el.clientWidth - 24;
    var lines = room > 0 ? Math.min(4, Math.max(1, Math.ceil(f.width / room))) : 1;
    if (lines === f.lines) return;
    var top = (f.layout.margin && f.layout.margin.t) || 40;
    var size = (f.layout.title && f.layout.title.font && f.layout.title.font.size) || 17;
    f.lines = lines;
    Plotly.relayout(f.el, { "title.text": wrap(text, lines).join("<br>"), "margin.t": top + Math.round((lines - 1) * size * 1.25) });
  }

  // A display formula wider than the column is scaled down to fit (to 60% at most; beyond that it scrolls).
  function fitFormulas() {
    document.querySelectorAll(".math-display").forEach(function (d) {
      d.style.fontSize = "";
      var over = d.scrollWidth / Math.max(1, d.clientWidth);
      if (over > 1.001) d.style.fontSize = Math.max(60, Math.floor(98 / over)) + "%";
    });
  }

  function setTheme(theme) {
    root.setAttribute("data-theme", theme);
    try { localStorage.setItem("nbconvert-ts-theme", theme); } catch (e) {}
    document.querySelectorAll(".theme-toggle").forEach(function (b) { b.textContent = theme === "dark" ? "☀ Light" : "☾ Dark"; });
    if (window.Plotly) figures.forEach(function (f) { f.lines = 1; Plotly.relayout(f.el, themed(f.layout)).then(function () { fitTitle(f); }); });
  }

  function trackSections() {
    var links = {};
    document.querySelectorAll(".sidebar .toc a").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
    var headings = Array.prototype.filter.call(document.querySelectorAll("main h1[id], main h2[id], main h3[id]"), function (h) { return links[h.id]; });
    if (!headings.length || !("IntersectionObserver" in window)) return;
    var current = null;
    function mark(id) {
      if (current) current.classList.remove("current");
      current = links[id];
      if (current) current.classList.add("current");
    }
    var observer = new IntersectionObserver(function () {
      var top = null;
      headings.forEach(function (h) { if (h.getBoundingClientRect().top < window.innerHeight * 0.3) top = h; });
      mark((top || headings[0]).id);
    }, { rootMargin: "0px 0px -70% 0px", threshold: [0, 1] });
    headings.forEach(function (h) { observer.observe(h); });
  }

  document.querySelectorAll(".theme-toggle").forEach(function (b) {
    b.addEventListener("click", function () { setTheme(root.getAttribute("data-theme") === "dark" ? "light" : "dark"); });
    b.textContent = root.getAttribute("data-theme") === "dark" ? "☀ Light" : "☾ Dark";
  });
  drawFigures();
  trackSections();
  fitFormulas();
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(fitFormulas); // KaTeX's widths need its fonts
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      fitFormulas();
      if (window.Plotly) figures.forEach(fitTitle);
    }, 250);
  });
})();
