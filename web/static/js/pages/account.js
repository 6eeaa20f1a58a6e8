// A new token's secret is shown once, here, and never stored by the page.
export function init() {
  const box = document.querySelector("[data-secret-box]");
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.hasAttribute("data-show-secret")) showSecret(box, detail.result.secret);
  });
  box.querySelector("[data-copy-secret]").addEventListener("click", () => copySecret(box));
  box.querySelector("[data-hide-secret]").addEventListener("click", () => hideSecret(box));
}

function showSecret(box, secret) {
  box.querySelector("[data-secret-value]").textContent = secret;
  box.hidden = false;
  box.querySelector("[data-secret-value]").focus();
}

async function copySecret(box) {
  const value = box.querySelector("[data-secret-value]");
  const button = box.querySelector("[data-copy-secret]");
  try {
    await navigator.clipboard.writeText(value.textContent);
    button.textContent = "Copied";
  } catch (error) {
    window.getSelection().selectAllChildren(value); // no clipboard on plain http: select it for Ctrl+C
    button.textContent = "Selected: press Ctrl+C";
  }
}

function hideSecret(box) {
  box.querySelector("[data-secret-value]").textContent = "";
  box.querySelector("[data-copy-secret]").textContent = "Copy";
  box.hidden = true;
  document.getElementById("token-name").focus();
}
