// Runs in <head> before the first paint: marks that JavaScript runs (html.js shows the
// interactive controls) and applies the reader's saved theme, so a dark choice never flashes light.
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var theme = localStorage.getItem("papers.theme");
    if (theme === "dark" || theme === "light") root.dataset.theme = theme;
  } catch (e) {
    /* storage disabled: follow the system */
  }
})();
