// What the search page shows: result items, filter chips, the meaning notice and Ask's answer.
// All of it is built as elements holding text; only snippets carry markup, and only <mark>.
import { markedText } from "../marked.js";
import { localizeTimes } from "../times.js";

export const FACETS = ["type", "source"];
const OPENERS = {
  note: (id) => `/notes/${encodeURIComponent(id)}`,
  document: (id) => `/documents/${encodeURIComponent(id)}`,
};
const KINDS = { note: "Note", document: "Document", connected: "From a connection" };
const LABELS = {
  type: { note: "Notes", document: "Documents", connected: "From connections" },
  source: { notes: "Written here", upload: "Uploaded" },
};

export function showResults(page, text, found, limit) {
  const status = document.querySelector("[data-search-status]");
  status.dataset.kind = found && found.problem ? "error" : "";
  if (!found || found.problem) {
    replaceResults(page.list, []);
    status.textContent = found ? found.problem : "";
    document.querySelector("[data-filters]").hidden = true;
    showMeaning("ready");
    return;
  }
  replaceResults(page.list, found.results);
  status.textContent = countSentence(found.results.length, text, limit, isFiltered(page));
  showChips(page, found.facets);
  showMeaning(found.meaning, found.indexing);
}

function countSentence(count, text, limit, filtered) {
  const narrowed = filtered ? " with these filters" : "";
  if (!count) return `Nothing found for “${text}”${narrowed}.`;
  if (count >= limit) return `The best ${count} results for “${text}”${narrowed}.`;
  return `${count} ${count === 1 ? "result" : "results"} for “${text}”${narrowed}.`;
}

const isFiltered = (page) => page.mine || FACETS.some((facet) => page.picked[facet].size);

// A live re-search keeps focus on the result it was on, when that result is still there.
function replaceResults(list, hits) {
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  list.replaceChildren(...hits.map(resultItem));
  localizeTimes(list);
  if (!focused) return;
  const again = [...list.querySelectorAll("a[data-result]")].find((link) => link.dataset.key === focused);
  (again || document.querySelector("[data-search-box]")).focus();
}

function resultItem(hit) {
  const item = element("li", "result");
  const outside = webLink(hit.url);
  const open = OPENERS[hit.type] ? OPENERS[hit.type](hit.id) : outside;
  const title = element(open ? "a" : "span", "result-title", hit.title);
  if (open) {
    title.href = open;
    title.dataset.result = "";
    title.dataset.key = `${hit.type}:${hit.id}`;
  }
  if (open && open === outside) {
    // At the service, in a new tab: Atom's page is not handed to it (noopener, no referrer).
    title.target = "_blank";
    title.rel = "noopener noreferrer";
  }
  const snippet = element("p", "result-snippet");
  snippet.append(markedText(hit.snippet));
  const meta = element("p", "result-meta muted", `${KINDS[hit.type] || label("type", hit.type)} · `
    + `${label("source", hit.source)} · ${hit.shared ? "shared" : "private"} · `);
  meta.append(timeOf(hit.updated_at));
  item.append(title, snippet, meta);
  return item;
}

// The API gives http(s) links only; checked again so no other scheme ever becomes a link here.
function webLink(address) {
  if (!address) return null;
  try {
    const url = new URL(address);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function timeOf(moment) {
  const time = element("time", "", String(moment).replace("T", " ").slice(0, 16));
  time.setAttribute("datetime", /Z|[+-]\d\d:\d\d$/.test(moment) ? moment : `${moment}Z`);
  time.dataset.localTime = "";
  return time;
}

function showChips(page, facets) {
  const filters = document.querySelector("[data-filters]");
  for (const group of filters.querySelectorAll("[data-facet]")) {
    const facet = group.dataset.facet;
    const picked = page.picked[facet];
    const counts = { ...Object.fromEntries([...picked].map((value) => [value, 0])), ...(facets[facet] || {}) };
    syncChips(group, facet, counts, picked);
  }
  filters.hidden = false;
}

// Chips are updated in place, not rebuilt, so the one in focus keeps it.
function syncChips(group, facet, counts, picked) {
  const existing = new Map([...group.querySelectorAll("button[data-facet-value]")].map((b) => [b.dataset.facetValue, b]));
  for (const [value, count] of Object.entries(counts)) {
    let chip = existing.get(value);
    if (chip) existing.delete(value);
    else chip = group.appendChild(newChip(facet, value));
    chip.setAttribute("aria-pressed", String(picked.has(value)));
    chip.querySelector("[data-count]").textContent = String(count);
  }
  for (const chip of existing.values()) {
    if (chip === document.activeElement) document.querySelector("[data-search-box]").focus();
    chip.remove();
  }
}

function newChip(facet, value) {
  const chip = element("button", "chip");
  chip.type = "button";
  chip.dataset.facetName = facet;
  chip.dataset.facetValue = value;
  const count = element("span", "chip-count");
  count.dataset.count = "";
  chip.append(element("span", "", label(facet, value)), " ", count);
  return chip;
}

function label(facet, value) {
  const known = LABELS[facet] && LABELS[facet][value];
  return known || (value ? value[0].toUpperCase() + value.slice(1).replaceAll("_", " ") : "Other");
}

// Off or getting ready: said with the reason. Ready, but some records not read yet: how many,
// so a note saved a moment ago and found only by its words is no surprise.
function showMeaning(meaning, indexing = 0) {
  const notice = document.querySelector("[data-meaning]");
  notice.hidden = !meaning || (meaning === "ready" && !indexing);
  if (notice.hidden) return;
  if (meaning === "ready") {
    notice.textContent = indexing === 1
      ? "Still indexing 1 record by meaning; until then it is found by its words only."
      : `Still indexing ${indexing} records by meaning; until then they are found by their words only.`;
    return;
  }
  const why = String(meaning).replace(/[.\s]+$/, "");
  notice.textContent = meaning === "starting"
    ? "Search by meaning is getting ready; until then, results match your words."
    : `Search by meaning is off (${why}); results match your words only.`;
}

export function showAsking(question) {
  const body = answerBody(true);
  body.replaceChildren(element("p", "muted", `Looking through your notes and documents: “${question}”…`));
}

export function showAnswer(answer) {
  const body = answerBody(false);
  const text = element("p", "answer-text");
  text.append(...withCitationLinks(answer.answer, answer.citations));
  body.replaceChildren(text);
  if (answer.citations.length) {
    const sources = element("ol", "citations");
    sources.setAttribute("aria-label", "Sources");
    sources.append(...answer.citations.map(citationItem));
    body.append(sources);
  }
  if (answer.answered_by) body.append(element("p", "muted answer-by", `Answered by ${answer.answered_by}.`));
}

export function showAnswerProblem(text) {
  const problem = element("p", "form-message", text);
  problem.dataset.kind = "error";
  problem.setAttribute("role", "alert");
  answerBody(false).replaceChildren(problem);
}

function answerBody(busy) {
  const section = document.querySelector("[data-answer]");
  section.hidden = false;
  section.setAttribute("aria-busy", String(busy));
  return section.querySelector("[data-answer-body]");
}

// "[2]" in the answer becomes a link to source 2 below it (only numbers that are real sources).
function withCitationLinks(text, citations) {
  const numbers = new Set(citations.map((citation) => citation.number));
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    const number = Number(match[1]);
    if (!numbers.has(number)) continue;
    parts.push(text.slice(last, match.index));
    const link = element("a", "citation-link", `[${number}]`);
    link.href = `#citation-${number}`;
    link.setAttribute("aria-label", `source ${number}`);
    parts.push(link);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

function citationItem(citation) {
  const item = element("li", "citation");
  item.id = `citation-${citation.number}`;
  item.value = citation.number;
  const outside = webLink(citation.url);
  const open = OPENERS[citation.type] ? OPENERS[citation.type](citation.id) : outside;
  const title = element(open ? "a" : "span", "result-title", citation.title);
  if (open) title.href = open;
  if (open && open === outside) {
    title.target = "_blank"; // at the service, as a search result opens it
    title.rel = "noopener noreferrer";
  }
  const snippet = element("p", "result-snippet");
  snippet.append(markedText(citation.snippet));
  item.append(title, snippet);
  return item;
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}
