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

// The label says the state ("Theme: dark"); the tooltip says what a press does.
function showTheme() {
  const theme = currentTheme();
  const other = theme === "dark" ? "light" : "dark";
  for (const button of document.querySelectorAll("[data-theme-toggle]")) {
    button.textContent = `Theme: ${theme}`;
    button.title = `Switch to the ${other} theme`;
  }
}
