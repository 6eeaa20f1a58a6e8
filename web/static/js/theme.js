// Light or dark: the system's choice until the member picks one; the pick is kept in this browser.
const KEY = "atom-theme";
const root = document.documentElement;
const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

export function initTheme() {
  for (const button of document.querySelectorAll("[data-theme-toggle]")) {
    button.addEventListener("click", toggleTheme);
  }
  systemDark.addEventListener("change", showTheme);
  showTheme();
}

function currentTheme() {
  return root.dataset.theme || (systemDark.matches ? "dark" : "light");
}

function toggleTheme() {
  const next = currentTheme() === "dark" ? "light" : "dark";
  root.dataset.theme = next;
  try {
    localStorage.setItem(KEY, next);
  } catch (error) {
    // Not kept across visits when storage is blocked; still applies now.
  }
  showTheme();
}

function showTheme() {
  const dark = currentTheme() === "dark";
  for (const button of document.querySelectorAll("[data-theme-toggle]")) {
    button.setAttribute("aria-pressed", String(dark));
  }
}
