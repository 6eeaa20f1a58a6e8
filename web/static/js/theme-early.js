// Runs before the first paint (a classic script in <head>): apply the saved theme so pages
// never flash the wrong colours, and mark that scripts run so the phone menu may fold.
(function () {
  var root = document.documentElement;
  root.classList.add("js");
  try {
    var saved = localStorage.getItem("atom-theme");
    if (saved === "light" || saved === "dark") root.dataset.theme = saved;
  } catch (error) {
    // Storage blocked (private mode): the system theme applies.
  }
})();
