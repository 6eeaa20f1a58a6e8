// One document's page: when it is deleted elsewhere, go back to the list instead of showing it;
// when its title changes here, the tab's title follows.
export function init() {
  const id = document.querySelector("[data-document]").dataset.document;
  document.addEventListener("atom:event", ({ detail }) => {
    if (detail.topic === "documents" && detail.action === "deleted" && detail.id === id) location.assign("/documents");
  });
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.hasAttribute("data-document-editor")) document.title = `${detail.result.title} · Atom`;
  });
}
