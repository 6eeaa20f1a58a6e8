// One document's page: when it is deleted elsewhere, go back to the list instead of showing it.
export function init() {
  const id = document.querySelector("[data-document]").dataset.document;
  document.addEventListener("atom:event", ({ detail }) => {
    if (detail.topic === "documents" && detail.action === "deleted" && detail.id === id) location.assign("/documents");
  });
}
