// On phones the navigation folds behind the Menu button (see the stylesheet's narrow layout).
export function initMenu() {
  const button = document.querySelector("[data-menu-toggle]");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  button.addEventListener("click", () => setOpen(button, menu, button.getAttribute("aria-expanded") !== "true"));
  menu.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    setOpen(button, menu, false);
    button.focus();
  });
}

function setOpen(button, menu, open) {
  button.setAttribute("aria-expanded", String(open));
  menu.toggleAttribute("data-open", open);
}
