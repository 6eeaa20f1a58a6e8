// Calls to Atom's JSON API, with every failure turned into a sentence a person can act on.
export class ApiError extends Error {
  constructor(status, message, fieldProblems = []) {
    super(message);
    this.status = status;
    this.fieldProblems = fieldProblems; // [{field, problem}]
  }
}

const UNREACHABLE = "Atom could not be reached. Check that this device is on your home network, then try again.";

export async function callApi(method, url, body, csrfToken) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, UNREACHABLE);
  }
  const payload = await readJson(response);
  if (!response.ok) throw errorFrom(response, payload);
  return payload;
}

// For callers that fetch by themselves (a streamed reply): the same sentences as callApi's failures.
export async function failureOf(response) {
  return errorFrom(response, await readJson(response));
}

export function unreachable() {
  return new ApiError(0, UNREACHABLE);
}

async function readJson(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    return null;
  }
}

function errorFrom(response, payload) {
  const detail = payload && typeof payload.detail === "string" ? payload.detail : "";
  const problems = payload && Array.isArray(payload.extra) ? payload.extra.map(fieldProblem) : [];
  if (problems.length) return new ApiError(response.status, "Please check the highlighted fields.", problems);
  return new ApiError(response.status, sentence(response, detail));
}

// A lock-out says its wait the way people count it: seconds under a minute, then whole minutes (rounded up).
function waitWords(seconds) {
  if (!Number.isFinite(seconds) || seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function sentence(response, detail) {
  if (response.status === 429) {
    const wait = response.headers.get("Retry-After");
    return `${capitalize(detail || "Too many attempts")}.${wait ? ` Try again in ${waitWords(Number(wait))}.` : ""}`;
  }
  if (response.status >= 500) return capitalize(detail || `Atom had a problem (error ${response.status}). Try again in a moment.`);
  if (detail) return capitalize(detail) + (/[.!?]$/.test(detail) ? "" : ".");
  return `That did not work (error ${response.status}).`;
}

function fieldProblem(item) {
  const field = typeof item.key === "string" ? item.key : "";
  return { field, problem: friendlyProblem(String(item.message || "is not valid")) };
}

function friendlyProblem(message) {
  const atLeast = message.match(/length >= (\d+)/);
  if (atLeast) return `needs at least ${atLeast[1]} characters`;
  const atMost = message.match(/length <= (\d+)/);
  if (atMost) return `can have at most ${atMost[1]} characters`;
  if (message.includes("matching regex")) return "has characters that are not allowed";
  const missing = message.match(/missing required field `(\w+)`/);
  if (missing) return `${missing[1]} is required`;
  return message;
}

function capitalize(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

// Set while this page signs out on purpose, so the live channel closing is not taken for an expiry.
let signingOut = false;

export function markSigningOut() {
  signingOut = true;
}

export function signInAgain() {
  if (signingOut) return;
  const here = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(here)}`);
}
