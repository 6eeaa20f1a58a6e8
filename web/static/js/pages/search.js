// The search page: results as you type (debounced, stale requests aborted), filter chips with
// counts, arrow keys through the results, and Ask Atom for an answer citing its sources. Live: a
// note or document saved anywhere (another tab, another member sharing it) searches again.
import { ApiError, failureOf, signInAgain, unreachable } from "../api.js";
import { FACETS, showAnswer, showAnswerProblem, showAsking, showResults } from "./search-view.js";

const DEBOUNCE_MS = 150;
const RECHECK_MS = 1500; // while records are still being indexed by meaning, search again this often
const LIMIT = 20;
const LIVE_TOPICS = new Set(["notes", "documents"]);

export function init() {
  const form = document.querySelector("[data-search-form]");
  const page = {
    form,
    box: form.elements.q,
    list: document.querySelector("[data-results]"),
    picked: Object.fromEntries(FACETS.map((facet) => [facet, new Set()])),
    mine: false,
    timer: 0,
    searching: null,
    asking: null,
    csrf: document.querySelector("[data-csrf-token]").dataset.csrfToken,
  };
  form.addEventListener("submit", (event) => onSubmit(page, event));
  page.box.addEventListener("input", () => schedule(page));
  page.box.addEventListener("search", () => schedule(page)); // the box's own clear button, or Escape
  page.box.addEventListener("keydown", (event) => onBoxKey(page, event));
  page.list.addEventListener("keydown", (event) => onResultKey(page, event));
  document.querySelector("[data-filters]").addEventListener("click", (event) => onChip(page, event));
  document.querySelector("[data-mine]").addEventListener("change", (event) => {
    page.mine = event.target.checked;
    search(page);
  });
  document.addEventListener("keydown", (event) => focusOnSlash(page, event));
  document.addEventListener("atom:event", ({ detail }) => LIVE_TOPICS.has(detail.topic) && schedule(page));
  document.addEventListener("atom:resync", () => schedule(page));
  if (page.box.value.trim()) search(page);
  page.box.focus();
}

function onSubmit(page, event) {
  event.preventDefault();
  if (event.submitter && event.submitter.value === "ask") ask(page);
  else search(page);
}

function schedule(page) {
  window.clearTimeout(page.timer);
  page.timer = window.setTimeout(() => search(page), DEBOUNCE_MS);
}

// One search at a time: a newer one aborts the older, so a slow answer never replaces a newer one.
async function search(page) {
  window.clearTimeout(page.timer);
  if (page.searching) page.searching.abort();
  const text = page.box.value.trim();
  rememberQuery(text);
  const controller = new AbortController();
  page.searching = controller;
  try {
    const found = text ? await fetchResults(page, text, controller.signal) : null;
    if (page.searching === controller) {
      showResults(page, text, found, LIMIT);
      if (found && found.meaning === "ready" && found.indexing) recheck(page);
    }
  } catch (error) {
    if (!controller.signal.aborted) showResults(page, text, { problem: problemText(error) }, LIMIT);
  } finally {
    if (page.searching === controller) page.searching = null;
  }
}

// Once they are indexed, those records may rank differently: look again, unless the member is
// moving through the results (replacing them would take the focus away).
function recheck(page) {
  page.timer = window.setTimeout(() => {
    if (!page.list.contains(document.activeElement)) search(page);
  }, RECHECK_MS);
}

// A picked kind or source narrows the results, yet its chips go on counting the other kinds:
// their counts come from the same search without that one filter.
async function fetchResults(page, text, signal) {
  const widened = FACETS.filter((facet) => page.picked[facet].size).map(async (facet) => {
    const other = await getJson(searchUrl(page, text, facet, 1), signal);
    return [facet, other.facets[facet] || {}];
  });
  const [found, ...counts] = await Promise.all([getJson(searchUrl(page, text, null, LIMIT), signal), ...widened]);
  return { ...found, facets: { ...found.facets, ...Object.fromEntries(counts) } };
}

function searchUrl(page, text, without, limit) {
  const params = new URLSearchParams({ q: text, limit: String(limit) });
  for (const facet of FACETS) {
    if (facet === without) continue;
    for (const value of page.picked[facet]) params.append(facet, value);
  }
  if (page.mine) params.set("mine", "true");
  return `/api/search?${params}`;
}

async function getJson(url, signal) {
  return readAnswer(() => fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal }), signal);
}

async function readAnswer(send, signal) {
  let response;
  try {
    response = await send();
  } catch (error) {
    throw signal.aborted ? error : unreachable();
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) throw await failureOf(response);
  return response.json();
}

async function ask(page) {
  const question = page.box.value.trim();
  if (!question) {
    page.box.focus();
    return;
  }
  if (page.asking) page.asking.abort();
  const controller = new AbortController();
  page.asking = controller;
  showAsking(question);
  try {
    const answer = await readAnswer(() => fetch("/api/ask", {
      method: "POST", credentials: "same-origin", signal: controller.signal, body: JSON.stringify({ question }),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": page.csrf },
    }), controller.signal);
    if (page.asking === controller) showAnswer(answer);
  } catch (error) {
    if (!controller.signal.aborted) showAnswerProblem(problemText(error));
  } finally {
    if (page.asking === controller) page.asking = null;
  }
}

function onChip(page, event) {
  const chip = event.target.closest("button[data-facet-value]");
  if (!chip) return;
  const picked = page.picked[chip.dataset.facetName];
  const value = chip.dataset.facetValue;
  if (picked.has(value)) picked.delete(value);
  else picked.add(value);
  chip.setAttribute("aria-pressed", String(picked.has(value)));
  search(page);
}

function onBoxKey(page, event) {
  if (event.key === "ArrowDown" && results(page).length) {
    event.preventDefault();
    results(page)[0].focus();
  }
}

// Focus moves through the result links; Enter follows the focused one as any link does.
function onResultKey(page, event) {
  const links = results(page);
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  const target = {
    ArrowDown: links[Math.min(at + 1, links.length - 1)],
    ArrowUp: at === 0 ? page.box : links[at - 1],
    Home: links[0],
    End: links[links.length - 1],
    Escape: page.box,
  }[event.key];
  if (!target) return;
  event.preventDefault();
  target.focus();
}

function focusOnSlash(page, event) {
  const typing = event.target.closest("input, textarea, select, [contenteditable]");
  if (event.key !== "/" || typing || event.ctrlKey || event.metaKey || event.altKey) return;
  event.preventDefault();
  page.box.focus();
  page.box.select();
}

const results = (page) => [...page.list.querySelectorAll("a[data-result]")];

// The address keeps its #fragment: a search finishing after a citation was followed must not undo it.
function rememberQuery(text) {
  const url = text ? `/search?q=${encodeURIComponent(text)}` : "/search";
  if (location.pathname + location.search !== url) history.replaceState(null, "", url + location.hash);
}

function problemText(error) {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return "Something went wrong in this page. Reload it and try again.";
}
