// The handout's only behaviour: the theme toggle, the current section in the table of
// contents, and drawing plotly figures (their JSON sits in <script type="application/json">).
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
        figures.push({ el: el, layout: layout });
        Plotly.newPlot(el, fig.data || [], themed(layout), config);
      } catch (e) {
        el.textContent = "could not draw this figure: " + e.message;
        el.className += " plot-error";
      }
    });
  }

  function setTheme(theme) {
    root.setAttribute("data-theme", theme);
    try { localStorage.setItem("nbconvert-ts-theme", theme); } catch (e) {}
    document.querySelectorAll(".theme-toggle").forEach(function (b) { b.textContent = theme === "dark" ? "☀ Light" : "☾ Dark"; });
    if (window.Plotly) figures.forEach(function (f) { Plotly.relayout(f.el, themed(f.layout)); });
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
})();
