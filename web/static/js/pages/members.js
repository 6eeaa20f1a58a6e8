// The admin's edit dialog: filled from the row's data attributes, sent as PATCH by forms.js.
export function init() {
  const dialog = document.getElementById("edit-member");
  if (!dialog) return; // members who are not admins have no controls
  document.addEventListener("click", (event) => {
    const edit = event.target.closest("[data-edit-member]");
    if (edit) openEditor(dialog, edit.dataset);
    if (event.target.closest("[data-close-dialog]")) dialog.close();
  });
}

function openEditor(dialog, member) {
  const form = dialog.querySelector("form");
  form.reset();
  form.dataset.api = `/api/members/${member.id}`;
  form.elements.display_name.value = member.displayName;
  form.elements.role.value = member.role;
  form.elements.disabled.checked = member.disabled === "true";
  form.querySelector("[data-form-message]").textContent = "";
  dialog.querySelector("[data-edit-name]").textContent = member.displayName;
  dialog.showModal();
  form.elements.display_name.focus();
}
