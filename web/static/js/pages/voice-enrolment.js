// "Teach Atom your voice": a few recordings of "Atom", sent one by one, then the wake word adapted to
// them, with how well it heard them before and after. The recordings are the member's own.
import { ApiError, callApi, failureOf, unreachable } from "../api.js";
import { microphoneAvailable, openMicrophone, wavOf } from "./voice-microphone.js";

const ROUTE = "/api/voice/enrolment";
const SAMPLE_MS = 1500; // "Atom" takes well under a second; the route takes up to 3 s

export function initEnrolment(card) {
  const enrolment = new Enrolment(card);
  card.querySelector("[data-enrol-record]").addEventListener("click", () => enrolment.record());
  card.querySelector("[data-enrol-train]").addEventListener("click", () => enrolment.train());
  card.querySelector("[data-enrol-forget]").addEventListener("click", () => enrolment.forget());
  enrolment.load();
}

class Enrolment {
  constructor(card) {
    this.card = card;
    this.state = null;
    this.busy = false;
  }

  async load() {
    try {
      this.render(await callApi("GET", ROUTE));
    } catch (error) {
      this.unavailable(error);
    }
  }

  async record() {
    await this.step("Say “Atom” now…", async () => {
      const chunks = [];
      const microphone = await openMicrophone((chunk) => chunks.push(chunk));
      await new Promise((resolve) => window.setTimeout(resolve, SAMPLE_MS));
      microphone.close();
      await this.send(wavOf(chunks));
      return callApi("GET", ROUTE);
    });
  }

  async train() {
    await this.step("Adapting to your voice… this takes a few seconds.", () => callApi("POST", `${ROUTE}/train`, undefined, csrf()));
  }

  async forget() {
    if (!window.confirm("Delete your recordings and Atom's adaptation to your voice?")) return;
    await this.step("Deleting…", async () => {
      await callApi("DELETE", ROUTE, undefined, csrf());
      return callApi("GET", ROUTE);
    });
  }

  async step(saying, work) {
    if (this.busy) return;
    this.busy = true;
    this.say(saying, "");
    this.render(this.state);
    try {
      const state = await work();
      this.say("", "");
      this.busy = false;
      this.render(state);
    } catch (error) {
      this.busy = false;
      this.render(this.state);
      this.say(error.message || String(error), "error");
    }
  }

  async send(wav) {
    let response;
    try {
      response = await fetch(`${ROUTE}/samples`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "audio/wav", "X-CSRF-Token": csrf(), Accept: "application/json" },
        body: wav,
      });
    } catch (error) {
      throw unreachable();
    }
    if (!response.ok) throw await failureOf(response);
  }

  render(state) {
    if (!state) return;
    this.state = state;
    const buttons = this.buttons();
    const count = this.card.querySelector("[data-enrol-count]");
    count.textContent = `${state.samples} of ${state.min_samples} recordings${stateWords(state)}`;
    buttons.record.disabled = this.busy || state.samples >= state.max_samples || !microphoneAvailable();
    buttons.train.disabled = this.busy || state.samples < state.min_samples || state.state === "training";
    buttons.forget.disabled = this.busy || (state.samples === 0 && !state.after);
    this.scores(state);
  }

  scores(state) {
    const box = this.card.querySelector("[data-enrol-scores]");
    box.hidden = !state.before && !state.after;
    box.querySelector("[data-enrol-before]").textContent = measure(state.before);
    box.querySelector("[data-enrol-after]").textContent = measure(state.after);
  }

  unavailable(error) {
    const notice = this.card.querySelector("[data-enrol-unavailable]");
    const missing = error instanceof ApiError && (error.status === 404 || error.status === 405);
    notice.textContent = missing ? "Teaching Atom your voice is not available on this Atom yet." : error.message;
    notice.hidden = false;
    this.card.querySelector("[data-enrol-count]").textContent = "";
  }

  buttons() {
    return {
      record: this.card.querySelector("[data-enrol-record]"),
      train: this.card.querySelector("[data-enrol-train]"),
      forget: this.card.querySelector("[data-enrol-forget]"),
    };
  }

  say(text, kind) {
    const line = this.card.querySelector("[data-enrol-message]");
    line.textContent = text;
    line.dataset.kind = kind;
  }
}

function stateWords(state) {
  if (state.state === "trained") return ": adapted to your voice.";
  if (state.state === "training") return ": adapting…";
  if (state.state === "failed") return `: adapting failed${state.detail ? ` (${state.detail})` : ""}.`;
  if (state.samples >= state.min_samples) return ": ready to adapt.";
  return ".";
}

function measure(found) {
  if (!found) return "—";
  return `heard “Atom” in ${found.detected} of ${found.samples} recordings (average score ${found.mean_score.toFixed(2)})`;
}

function csrf() {
  const input = document.querySelector("input[name='csrf_token']");
  return input ? input.value : "";
}
