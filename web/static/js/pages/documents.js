// Documents: upload with the form or by dropping files anywhere on the page. Each file is sent on
// its own, as multipart with the CSRF token, one after another; the log under the form says how
// each went, in the server's words when it refuses one (a format Atom cannot read, a broken file).
import { ApiError, failureOf, signInAgain, unreachable } from "../api.js";
import { announce } from "../announce.js";
import { refreshTopics } from "../regions.js";

const MIB = 1024 * 1024;

export function init() {
  const form = document.querySelector("[data-upload]");
  const page = {
    form,
    log: document.querySelector("[data-upload-log]"),
    overlay: document.querySelector("[data-drop-overlay]"),
    maxMb: Number(form.dataset.maxMb),
    queue: Promise.resolve(),
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (file) enqueue(page, [file], form.elements.title.value.trim(), true);
  });
  wireDrop(page);
  form.querySelector("[data-upload-button]").disabled = false;
}

function enqueue(page, files, title, fromForm) {
  for (const file of files) {
    page.queue = page.queue.then(() => uploadOne(page, file, files.length === 1 ? title : "", fromForm));
  }
}

async function uploadOne(page, file, title, fromForm) {
  const line = logLine(page, `Uploading ${file.name}…`);
  try {
    if (file.size > page.maxMb * MIB) {
      // Refused before sending: the server would stop it at the same size, after the wait.
      throw new ApiError(413, `The file is larger than the ${page.maxMb} MiB Atom accepts.`);
    }
    const saved = await send(page, file, title);
    setLine(line, `Uploaded ${file.name} as “${saved.title}”.`, "ok");
    if (fromForm) page.form.reset();
    refreshTopics(["documents"]);
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error);
    const why = error instanceof ApiError ? error.message : "Something went wrong in this page. Reload it and try again.";
    setLine(line, `${file.name} was not uploaded: ${why}`, "error");
  }
}

async function send(page, file, title) {
  const body = new FormData();
  if (title) body.append("title", title);
  body.append("shared", page.form.elements.shared.checked ? "true" : "false");
  body.append("file", file, file.name);
  let response;
  try {
    response = await fetch("/api/documents", {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": page.form.elements.csrf_token.value },
    });
  } catch (error) {
    throw unreachable();
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) throw await failureOf(response);
  return response.json();
}

function logLine(page, text) {
  const line = document.createElement("li");
  line.textContent = text;
  page.log.prepend(line);
  return line;
}

// A refusal is an alert (said at once); a success is announced politely.
function setLine(line, text, kind) {
  line.dataset.kind = kind;
  if (kind !== "error") {
    line.textContent = text;
    announce(text);
    return;
  }
  const alert = document.createElement("span");
  alert.setAttribute("role", "alert");
  alert.textContent = text;
  line.replaceChildren(alert);
}

// Files dragged over the page show where they will go; other drags (text, links) are left alone.
function wireDrop(page) {
  let depth = 0;
  const carriesFiles = (event) => Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes("Files");
  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth += 1;
    page.overlay.hidden = false;
  });
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("dragleave", (event) => {
    if (!carriesFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) page.overlay.hidden = true;
  });
  document.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth = 0;
    page.overlay.hidden = true;
    enqueue(page, [...event.dataTransfer.files], "", false);
  });
}
