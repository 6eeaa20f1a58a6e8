// On phones the navigation folds behind the Menu button (see the stylesheet's narrow layout); the
// button then reads "Close". "More" is a <details> that works without scripts; this closes it (and
// the phone menu) on Escape and when a click lands elsewhere, as people expect of a menu.
export function initMenu() {
  const button = document.querySelector("[data-menu-toggle]");
  const menu = button && document.getElementById(button.getAttribute("aria-controls"));
  const more = document.querySelector("[data-nav-more]");
  if (button && menu) {
    button.addEventListener("click", () => setOpen(button, menu, button.getAttribute("aria-expanded") !== "true"));
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (more && more.open) {
      more.open = false;
      more.querySelector("summary").focus();
    } else if (button && menu && button.getAttribute("aria-expanded") === "true") {
      setOpen(button, menu, false);
      button.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (more && more.open && !more.contains(event.target)) more.open = false;
  });
}

function setOpen(button, menu, open) {
  button.setAttribute("aria-expanded", String(open));
  button.textContent = open ? "Close" : "Menu";
  menu.toggleAttribute("data-open", open);
}
