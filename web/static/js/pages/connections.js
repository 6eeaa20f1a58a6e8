// Signing in to a service: a device code to type (polled no faster than the service allows), or
// the PKCE link and a box for the address the browser lands on (or the code the service shows). Lists and buttons are forms.js's.
import { ApiError, callApi } from "../api.js";
import { announce } from "../announce.js";
import { refreshTopics } from "../regions.js";

let polling = null; // the device sign-in being polled: {id, timer}

export function init() {
  const panel = document.querySelector("[data-sign-in]");
  if (!panel) return;
  document.addEventListener("atom:submitted", (event) => {
    const { form, result } = event.detail;
    if (form.hasAttribute("data-connect")) started(panel, form, result);
    if (form.hasAttribute("data-pkce-form") && result.connection.state === "connected") finished(panel, result);
  });
  panel.querySelector("[data-sign-in-close]").addEventListener("click", () => close(panel));
}

function started(panel, form, step) {
  close(panel);
  const title = form.closest("[data-service]").querySelector("h2").textContent;
  if (!step.device && !step.pkce) {
    announce(`Connected to ${title}`);
    return;
  }
  panel.querySelector("[data-sign-in-title]").textContent = `Signing in to ${title}`;
  panel.querySelector("[data-sign-in-message]").textContent = "";
  panel.hidden = false;
  if (step.device) showDevice(panel, step);
  else showPkce(panel, step);
  panel.scrollIntoView({ block: "nearest" });
}

function showDevice(panel, step) {
  const box = panel.querySelector("[data-device]");
  const link = box.querySelector("[data-device-link]");
  link.href = safeLink(step.device.verification_uri);
  link.textContent = step.device.verification_uri;
  box.querySelector("[data-device-code]").textContent = step.device.user_code;
  box.querySelector("[data-device-status]").textContent = "Waiting for you to enter the code…";
  box.hidden = false;
  schedulePoll(panel, step.connection.id, step.device.interval);
}

function showPkce(panel, step) {
  const box = panel.querySelector("[data-pkce]");
  const link = box.querySelector("[data-pkce-link]");
  link.href = safeLink(step.pkce.authorize_url);
  box.querySelector("[data-pkce-redirect]").textContent = step.pkce.redirect_uri;
  const form = box.querySelector("[data-pkce-form]");
  form.reset();
  askFor(box, step.pkce.redirect_uri ? "landed" : "shown");
  form.dataset.api = `/api/connections/${step.connection.id}/sign-in/paste`;
  box.hidden = false;
}

// A service without a redirect (an empty redirect_uri) shows a code to paste, not an address.
function askFor(box, what) {
  box.querySelector("[data-pkce-landed]").hidden = what !== "landed";
  box.querySelector("[data-pkce-shown]").hidden = what !== "shown";
  const label = box.querySelector("[data-pkce-label]");
  label.textContent = label.dataset[what];
  const input = box.querySelector("#pkce-address");
  input.type = what === "landed" ? "url" : "text";
  input.spellcheck = false;
  input.autocapitalize = "off";
}

function schedulePoll(panel, id, seconds) {
  polling = { id, timer: window.setTimeout(() => poll(panel, id), Math.max(1, seconds) * 1000) };
}

async function poll(panel, id) {
  if (!polling || polling.id !== id) return;
  const csrf = panel.querySelector("input[name=csrf_token]").value;
  try {
    const step = await callApi("POST", `/api/connections/${id}/sign-in/poll`, undefined, csrf);
    if (step.connection.state === "connected") finished(panel, step);
    else schedulePoll(panel, id, step.device ? step.device.interval : 5);
  } catch (error) {
    polling = null;
    const text = error instanceof ApiError ? error.message : "The sign-in stopped; start again.";
    panel.querySelector("[data-sign-in-message]").textContent = text;
    refreshTopics(["connections"]);
  }
}

function finished(panel, step) {
  close(panel);
  announce(`Connected${step.connection.account ? ` as ${step.connection.account}` : ""}`);
  refreshTopics(["connections"]);
}

function close(panel) {
  if (polling) window.clearTimeout(polling.timer);
  polling = null;
  panel.hidden = true;
  for (const box of panel.querySelectorAll("[data-device], [data-pkce]")) box.hidden = true;
}

// Only web addresses become links: a service's answer never runs script in Atom's page.
function safeLink(address) {
  try {
    const url = new URL(address);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : "#";
  } catch {
    return "#";
  }
}
