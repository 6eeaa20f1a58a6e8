// The first-run wizard: welcome → the admin's account → other members (optional) → done.
export function init() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-goto]");
    if (button) showStep(button.dataset.goto);
  });
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.dataset.after === "setup-account") accountCreated(detail.result);
    else if (detail.form.dataset.api === "/api/members") memberAdded(detail.result);
  });
}

function showStep(name) {
  for (const step of document.querySelectorAll("[data-step]")) step.hidden = step.dataset.step !== name;
  for (const marker of document.querySelectorAll("[data-step-marker]")) {
    if (marker.dataset.stepMarker === name) marker.setAttribute("aria-current", "step");
    else marker.removeAttribute("aria-current");
  }
  document.querySelector(`[data-step="${name}"] h2`)?.focus();
}

// Setup signed the admin in: later forms need the new session's CSRF token.
function accountCreated(me) {
  for (const input of document.querySelectorAll("input[name=csrf_token]")) input.value = me.csrf_token;
  showStep("household");
}

function memberAdded(member) {
  const item = document.createElement("li");
  item.textContent = `${member.display_name} (@${member.username})`;
  document.querySelector("[data-added-members]").append(item);
}
