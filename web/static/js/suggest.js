// New-member forms suggest a user name from the name typed above it ("Zoë Smith" → "zoe"), until
// the user name is typed by hand. The suggestion keeps to the rule the server checks.
export function initSuggestions() {
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.form) return;
    const username = field.form.elements.username;
    if (!username || !username.pattern) return; // only forms that create a user name (not sign-in)
    if (field === username) username.dataset.typed = username.value ? "yes" : "";
    else if (field.name === "display_name" && !username.dataset.typed) username.value = suggestion(field.value);
  });
}

export function suggestion(name) {
  const first = name.trim().split(/\s+/)[0] || "";
  const plain = first.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  return plain.replace(/[^a-z0-9._-]/g, "").replace(/^[._-]+/, "").slice(0, 64);
}
