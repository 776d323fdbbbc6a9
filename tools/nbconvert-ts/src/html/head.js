// Runs before the page paints: the saved theme, else the system's.
(function () {
  var theme = null;
  try { theme = localStorage.getItem("nbconvert-ts-theme"); } catch (e) {}
  if (theme !== "light" && theme !== "dark") theme = window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  document.documentElement.setAttribute("data-theme", theme);
})();
