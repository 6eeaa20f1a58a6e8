// One note's page. The author's share switch saves at once (and flips back if it could not);
// Edit opens the editor filled with the note as saved now. A note deleted, or made private by
// its author, while it is open here sends this page back to the list.
import { ApiError, callApi } from "../api.js";
import { announce } from "../announce.js";
import { showMessage } from "../forms.js";
import { refreshTopics } from "../regions.js";

export function init() {
  const article = document.querySelector("[data-note]");
  const note = { article, id: article.dataset.note, view: article.querySelector("[data-note-view]") };
  document.addEventListener("atom:event", ({ detail }) => {
    if (detail.topic === "notes" && detail.id === note.id) leaveIfGone(note);
  });
  note.view.addEventListener("atom:region-updated", () => followSaved(note));
  const editor = article.querySelector("[data-note-editor]");
  if (editor) wireAuthor(note, editor);
}

async function leaveIfGone(note) {
  try {
    await callApi("GET", `/api/notes/${note.id}`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) location.assign("/notes");
  }
}

// The view was re-rendered: the share switch and the tab's title follow what was saved.
function followSaved(note) {
  const state = note.view.querySelector("[data-note-state]");
  if (!state) return;
  const shared = note.article.querySelector("#note-shared");
  if (shared) shared.checked = state.dataset.shared === "true";
  document.title = `${state.dataset.title} · Atom`;
}

function wireAuthor(note, editor) {
  const openButton = note.article.querySelector("[data-edit-open]");
  const toggle = note.article.querySelector("[data-share-toggle]");
  toggle.addEventListener("submit", (event) => event.preventDefault());
  toggle.elements.shared.addEventListener("change", () => saveSharing(note, toggle));
  openButton.addEventListener("click", () => openEditor(note, editor, openButton));
  editor.querySelector("[data-edit-cancel]").addEventListener("click", () => closeEditor(note, editor, openButton));
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeEditor(note, editor, openButton);
  });
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form === editor) closeEditor(note, editor, openButton);
  });
}

async function saveSharing(note, toggle) {
  const box = toggle.elements.shared;
  showMessage(toggle, "", "");
  try {
    await callApi("PATCH", `/api/notes/${note.id}`, { shared: box.checked }, toggle.elements.csrf_token.value);
    announce(box.checked ? "Shared with the household" : "Private to you now");
    refreshTopics(["notes"]);
  } catch (error) {
    box.checked = !box.checked; // the switch shows what is saved, never what was only wished
    showMessage(toggle, error instanceof ApiError ? error.message : "That did not work. Try again.", "error");
  }
}

async function openEditor(note, editor, openButton) {
  try {
    const saved = await callApi("GET", `/api/notes/${note.id}`);
    editor.elements.title.value = saved.title;
    editor.elements.body.value = saved.body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return location.assign("/notes");
  }
  showMessage(editor, "", "");
  editor.hidden = false;
  note.view.hidden = true;
  openButton.setAttribute("aria-expanded", "true");
  editor.elements.title.focus();
}

function closeEditor(note, editor, openButton) {
  editor.hidden = true;
  note.view.hidden = false;
  openButton.setAttribute("aria-expanded", "false");
  openButton.focus();
}
