// Calendar: calendar colours, an .ics import sent as it is, and the subscription address shown once
// when it is made.
import { ApiError, callApi } from "../api.js";
import { announce } from "../announce.js";
import { refreshTopics } from "../regions.js";

export function init() {
  paintSwatches(document);
  document.addEventListener("atom:region-updated", (event) => {
    paintSwatches(event.target);
    const linker = event.target.querySelector("form[data-caldav-link]");
    if (linker) initLinking(linker);
  });
  document.addEventListener("atom:submitted", (event) => {
    if (event.detail.form.hasAttribute("data-feed-make")) showAddress(event.detail.result);
  });
  const importer = document.querySelector("form[data-ics-import]");
  if (importer) importer.addEventListener("submit", (event) => importFile(event, importer));
  const linker = document.querySelector("form[data-caldav-link]");
  if (linker) initLinking(linker);
  const account = document.querySelector("form[data-caldav-account]");
  if (account) initTrust(account);
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-sync-interval]")) saveInterval(event.target);
  });
}

// First contact with an https server (or the one DNS names for a domain or email address): its certificate
// is looked at before the password is sent. One that no known authority vouches for is shown by its
// fingerprint, and trusted only when the member says it matches (the account then trusts that one
// certificate alone). The form's own sending does the rest. A plain http:// address has nothing to look at.
function initTrust(form) {
  const pin = form.querySelector("[data-cert-pin]");
  const panel = form.querySelector("[data-cert-panel]");
  form.addEventListener("submit", async (event) => {
    const url = form.elements.url.value.trim();
    if (!url || /^http:\/\//i.test(url) || form.dataset.certLooked === url) return;
    event.preventDefault();
    event.stopPropagation();
    const shared = form.elements.shared ? form.elements.shared.checked : false;
    try {
      const seen = await callApi("POST", "/api/caldav/certificate", { url, shared }, form.elements.csrf_token.value);
      form.dataset.certLooked = url;
      pin.value = "";
      if (seen.trusted) form.requestSubmit();
      else showCertificate(panel, seen);
    } catch (error) {
      const message = form.querySelector("[data-form-message]");
      message.textContent = error instanceof ApiError ? error.message : "The server could not be reached.";
      message.dataset.kind = "error";
    }
  });
  form.querySelector("[data-cert-trust]").addEventListener("click", () => {
    pin.value = panel.dataset.sha256;
    panel.hidden = true;
    form.requestSubmit();
  });
  form.elements.url.addEventListener("input", () => { panel.hidden = true; pin.value = ""; delete form.dataset.certLooked; });
  form.addEventListener("atom:submitted", () => { panel.hidden = true; pin.value = ""; delete form.dataset.certLooked; });
}

function showCertificate(panel, seen) {
  panel.dataset.sha256 = seen.sha256;
  panel.querySelector("[data-cert-fingerprint]").textContent = seen.sha256;
  panel.querySelector("[data-cert-url]").textContent = seen.url;
  panel.querySelector("[data-cert-subject]").textContent = seen.subject;
  panel.querySelector("[data-cert-issuer]").textContent = seen.issuer;
  panel.querySelector("[data-cert-until]").textContent = seen.not_after;
  panel.hidden = false;
  panel.querySelector("[data-cert-trust]").focus();
}

// How often a linked calendar syncs: saved as soon as it is chosen ("" is the household's setting).
async function saveInterval(select) {
  const calendarId = select.dataset.syncInterval;
  const minutes = select.value ? Number(select.value) : null;
  try {
    await callApi("PATCH", `/api/calendars/${encodeURIComponent(calendarId)}/caldav`, { sync_minutes: minutes }, csrfToken());
    announce("Sync interval saved");
  } catch (error) {
    announce(error instanceof ApiError ? error.message : "The interval could not be saved.");
  }
}

function csrfToken() {
  const field = document.querySelector("input[name=csrf_token]");
  return field ? field.value : "";
}

// Linking: the chosen calendar names the URL the form PUTs to; the chosen account lists its server's calendars.
function initLinking(form) {
  const calendar = form.querySelector("[data-link-calendar]");
  const aim = () => { form.dataset.api = `/api/calendars/${encodeURIComponent(calendar.value)}/caldav`; };
  calendar.addEventListener("change", aim);
  aim();
  form.querySelector("[data-link-account]").addEventListener("change", (event) => listRemote(form, event.target.value));
}

async function listRemote(form, accountId) {
  const remote = form.querySelector("[data-link-remote]");
  const message = form.querySelector("[data-form-message]");
  remote.replaceChildren(new Option(accountId ? "Looking…" : "Choose an account first", ""));
  if (!accountId) return;
  try {
    const found = await callApi("GET", `/api/caldav/accounts/${encodeURIComponent(accountId)}/calendars`);
    remote.replaceChildren(...found.map((item) => new Option(item.name, item.url)));
    if (!found.length) remote.replaceChildren(new Option("No calendars on that account", ""));
    message.textContent = "";
  } catch (error) {
    remote.replaceChildren(new Option("Not available", ""));
    message.textContent = error instanceof ApiError ? error.message : "The server could not be asked.";
    message.dataset.kind = "error";
  }
}

// Colours come from members' own choices: set through the DOM, never as markup (the CSP allows no inline styles).
function paintSwatches(root) {
  for (const swatch of root.querySelectorAll("[data-color]")) {
    if (/^#[0-9a-fA-F]{6}$/.test(swatch.dataset.color)) swatch.style.backgroundColor = swatch.dataset.color;
  }
}

function showAddress(result) {
  const shown = document.querySelector("[data-feed-shown]");
  shown.hidden = false;
  const field = shown.querySelector("input");
  field.value = result.url;
  field.focus();
  field.select();
}

async function importFile(event, form) {
  event.preventDefault();
  const file = form.querySelector("input[type=file]").files[0];
  const calendarId = form.querySelector("select").value;
  const message = form.querySelector("[data-form-message]");
  if (!file) return;
  try {
    const report = await send(calendarId, await file.arrayBuffer(), form.elements.csrf_token.value);
    const skipped = report.skipped.length ? ` Left out: ${report.skipped.join("; ")}.` : "";
    message.textContent = `Imported ${report.created} new and ${report.updated} updated events.${skipped}`;
    message.dataset.kind = "ok";
    announce("Calendar imported");
    refreshTopics(["calendar"]);
  } catch (error) {
    message.textContent = error instanceof ApiError ? error.message : "The file could not be sent.";
    message.dataset.kind = "error";
  }
}

async function send(calendarId, body, csrfToken) {
  const response = await fetch(`/api/calendars/${encodeURIComponent(calendarId)}/import`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "text/calendar", "X-CSRF-Token": csrfToken, Accept: "application/json" },
    body,
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, (payload && payload.detail) || `Import failed (${response.status}).`);
  return payload;
}
