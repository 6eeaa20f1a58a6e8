// Live regions: <div data-region="/fragments/x" data-topics="members"> re-fetch their server-rendered
// HTML when an event on one of their topics arrives, so the markup has one source: the templates.
import { signInAgain } from "./api.js";
import { announce } from "./announce.js";
import { localizeTimes } from "./times.js";

const loading = new WeakMap(); // region -> {again: boolean} while a fetch runs

export function initRegions() {
  document.addEventListener("atom:event", (event) => refreshTopics([event.detail.topic], true));
  document.addEventListener("atom:resync", () => refreshAll());
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-refresh-now]");
    if (button) refreshUrl(button.dataset.refreshNow);
  });
}

export function refreshTopics(topics, fromElsewhere = false) {
  for (const region of document.querySelectorAll("[data-region]")) {
    const wanted = (region.dataset.topics || "").split(" ");
    if (topics.some((topic) => topic && wanted.includes(topic))) refreshRegion(region, fromElsewhere);
  }
}

export function refreshUrl(url) {
  for (const region of document.querySelectorAll("[data-region]")) {
    if (region.dataset.region === url) refreshRegion(region, false);
  }
}

function refreshAll() {
  for (const region of document.querySelectorAll("[data-region]")) refreshRegion(region, false);
}

// One fetch per region at a time; a change during a fetch triggers one more, so the last word wins.
function refreshRegion(region, fromElsewhere) {
  const running = loading.get(region);
  if (running) {
    running.again = true;
    return;
  }
  const state = { again: true };
  loading.set(region, state);
  (async () => {
    while (state.again) {
      state.again = false;
      await load(region);
    }
    loading.delete(region);
    if (fromElsewhere) announce(region.dataset.announce);
  })();
}

async function load(region) {
  let response;
  try {
    response = await fetch(region.dataset.region, { headers: { Accept: "text/html" }, credentials: "same-origin" });
  } catch (error) {
    return; // offline: the live channel resyncs every region when it is back
  }
  if (response.status === 401) return signInAgain();
  if (!response.ok) return;
  replaceKeepingFocus(region, await response.text());
}

function replaceKeepingFocus(region, html) {
  const focused = region.contains(document.activeElement) ? focusKey(document.activeElement) : null;
  const typed = typedValues(region);
  const open = [...region.querySelectorAll("details[open][data-keep-open]")].map((details) => details.dataset.keepOpen);
  region.innerHTML = html;
  keepTyped(region, typed);
  keepOpen(region, new Set(open));
  localizeTimes(region);
  if (focused) refocus(region, focused);
  region.dispatchEvent(new CustomEvent("atom:region-updated", { bubbles: true }));
}

// What a member has typed and not yet sent survives a redraw caused by someone else (another member
// ticked an item while this one typed the next). Fields match by id, or by their form's address and
// name; a form being sent is left alone, since forms.js resets or keeps it when the answer comes.
const TYPED = new Set(["text", "search", "url", "email", "tel", "number", "password", "date", "time", "textarea"]);

const saved = new WeakMap(); // field -> the value a successful send saved (not in the markup: it may be a secret)

export const isTyped = (field) => TYPED.has(field.type);

export function markSaved(field) {
  saved.set(field, field.value);
}

function typedValues(region) {
  const typed = new Map();
  for (const field of region.querySelectorAll("input, textarea")) {
    const key = fieldKey(field);
    const sending = field.form && field.form.hasAttribute("aria-busy");
    const changed = field.value !== field.defaultValue && field.value !== saved.get(field);
    if (key && isTyped(field) && changed && !sending) typed.set(key, field.value);
  }
  return typed;
}

function keepTyped(region, typed) {
  if (!typed.size) return;
  for (const field of region.querySelectorAll("input, textarea")) {
    const value = typed.get(fieldKey(field));
    if (value === undefined || !isTyped(field)) continue;
    field.value = value;
    field.closest("details")?.setAttribute("open", ""); // still where the member left it
  }
}

// A panel the member opened (an event's details, a connection's sign-in) stays open through a redraw.
function keepOpen(region, open) {
  for (const details of region.querySelectorAll("details[data-keep-open]")) {
    if (open.has(details.dataset.keepOpen)) details.open = true;
  }
}

function fieldKey(field) {
  if (field.id) return `#${field.id}`;
  return field.form && field.name ? `${field.form.dataset.api} ${field.name}` : null;
}

function focusKey(element) {
  return element.id ? `#${CSS.escape(element.id)}` : element.getAttribute("aria-label") || null;
}

function refocus(region, key) {
  const byLabel = [...region.querySelectorAll("[aria-label]")].find((el) => el.getAttribute("aria-label") === key);
  const target = key.startsWith("#") ? region.querySelector(key) : byLabel;
  if (target) {
    target.focus();
    return;
  }
  region.setAttribute("tabindex", "-1");
  region.focus();
}
