// Every <form data-api="/api/..."> is sent as JSON with its CSRF token; the answer is shown in
// the form's alert line. What happens after success is declared on the form:
//   data-method       HTTP method (default POST)
//   data-confirm      ask first
//   data-after        redirect (to data-redirect) | reset (what was sent) | close (its dialog)
//   data-success      a message to show; data-announce: one for screen readers only
//   data-refresh      live topics whose regions reload now; data-refresh-url: one region's URL
// Page modules hear "atom:submitted" (detail: {form, result}) for anything more.
import { ApiError, callApi, markSigningOut, signInAgain } from "./api.js";
import { announce } from "./announce.js";
import { isTyped, markSaved, refreshTopics, refreshUrl } from "./regions.js";

const PUBLIC_FORMS = new Set(["/api/auth/login", "/api/setup"]);
let pageReady = Promise.resolve(); // the page's own module, which may listen for "atom:submitted"

// Forms work from the first moment; what the page module does after a submission waits until that
// module has loaded (a quick click on a slow box once answered before anyone listened).
export function initForms(pageModuleReady = Promise.resolve()) {
  pageReady = pageModuleReady.catch(() => {});
  document.addEventListener("submit", onSubmit);
  document.addEventListener("input", (event) => clearFieldProblem(event.target));
}

async function onSubmit(event) {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  if (!passwordsMatch(form)) return;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
  if (form.hasAttribute("aria-busy")) return;
  setBusy(form, true);
  showMessage(form, "", "");
  if (form.dataset.api === "/api/auth/logout") markSigningOut();
  try {
    const sent = new Map([...form.elements].map((element) => [element, element.value]));
    const result = await callApi(form.dataset.method || "POST", form.dataset.api, bodyOf(form), csrfOf(form));
    await afterSuccess(form, result, sent);
  } catch (error) {
    showFailure(form, error);
  } finally {
    setBusy(form, false);
  }
}

// Field names shape the JSON: "options.deployment" nests, checkboxes marked data-list gather their ticked
// values into an array (in page order), a radio group sends its choice, number inputs send numbers.
function bodyOf(form) {
  const body = {};
  for (const element of form.elements) {
    if (!isSent(element)) continue;
    if (element.hasAttribute("data-list")) gather(body, element);
    else if (element.type === "checkbox") place(body, element.name, element.checked);
    else if (element.value !== "" || element.required) place(body, element.name, valueOf(element));
  }
  return Object.keys(body).length ? body : undefined;
}

function gather(body, checkbox) {
  body[checkbox.name] = body[checkbox.name] || [];
  if (checkbox.checked) body[checkbox.name].push(checkbox.value);
}

function place(body, name, value) {
  const [outer, inner] = name.split(".", 2);
  if (inner === undefined) body[outer] = value;
  else body[outer] = { ...body[outer], [inner]: value };
}

function valueOf(element) {
  return element.type === "number" && element.value !== "" ? Number(element.value) : element.value;
}

function isSent(element) {
  const skipped = !element.name || element.name === "csrf_token" || element.name.endsWith("_confirm");
  const unchosen = element.type === "radio" && !element.checked;
  return !skipped && !unchosen && !element.disabled && !element.hasAttribute("data-skip") && element.tagName !== "BUTTON";
}

function csrfOf(form) {
  return form.elements.csrf_token ? form.elements.csrf_token.value : "";
}

function passwordsMatch(form) {
  for (const repeat of form.querySelectorAll("input[name$='_confirm']")) {
    const original = form.elements[repeat.name.slice(0, -"_confirm".length)];
    repeat.setCustomValidity(original && original.value !== repeat.value ? "The two passwords do not match." : "");
  }
  return form.reportValidity();
}

async function afterSuccess(form, result, sent) {
  await pageReady;
  // A live refresh may have replaced the form's region meanwhile: the page still hears of it.
  const target = form.isConnected ? form : document;
  target.dispatchEvent(new CustomEvent("atom:submitted", { bubbles: true, detail: { form, result } }));
  const after = form.dataset.after;
  if (after === "redirect") {
    location.assign(form.dataset.redirect || "/");
    return;
  }
  if (after === "reset") resetWhatWasSent(form, sent);
  else keepAsSaved(form, sent);
  if (after === "close") form.closest("dialog")?.close();
  if (form.dataset.success) showMessage(form, form.dataset.success, "ok");
  announce(form.dataset.announce);
  if (form.dataset.refresh) refreshTopics(form.dataset.refresh.split(" "));
  if (form.dataset.refreshUrl) refreshUrl(form.dataset.refreshUrl);
}

// What was typed while the form was on its way (the next item, the next question) is not wiped.
function resetWhatWasSent(form, sent) {
  const newer = [...form.elements].filter((element) => isTyped(element) && element.value !== sent.get(element));
  const values = newer.map((element) => element.value);
  form.reset();
  newer.forEach((element, index) => { element.value = values[index]; });
}

// A form that stays filled holds what is saved now, not typing to carry through a live redraw.
function keepAsSaved(form, sent) {
  for (const element of form.elements) {
    if (isTyped(element) && element.value === sent.get(element)) markSaved(element);
  }
}

function showFailure(form, error) {
  if (!(error instanceof ApiError)) {
    console.error(error);
    showMessage(form, "Something went wrong in this page. Reload it and try again.", "error");
    return;
  }
  if (error.status === 401 && !PUBLIC_FORMS.has(form.dataset.api)) {
    signInAgain();
    return;
  }
  const lines = error.fieldProblems.map((item) => markField(form, item));
  showMessage(form, [error.message, ...lines].join(" "), "error");
}

function markField(form, { field, problem }) {
  const input = field && form.elements[field];
  if (!input || !input.labels) return problem.endsWith(".") ? problem : `${problem}.`;
  input.setAttribute("aria-invalid", "true");
  return `${input.labels[0].textContent.trim()} ${problem}.`;
}

function clearFieldProblem(target) {
  if (!(target instanceof HTMLElement)) return;
  target.removeAttribute("aria-invalid");
  for (const repeat of target.form ? target.form.querySelectorAll("input[name$='_confirm']") : []) {
    repeat.setCustomValidity("");
  }
}

export function showMessage(form, text, kind) {
  const line = form.querySelector("[data-form-message]");
  if (!line) return;
  line.textContent = text;
  line.dataset.kind = kind;
}

// Busy forms ignore further submits; buttons stay enabled so keyboard focus is not lost.
function setBusy(form, busy) {
  if (busy) form.setAttribute("aria-busy", "true");
  else form.removeAttribute("aria-busy");
}
