// A job run by hand: its form's message follows the run (queued → running → done or failed) as the
// Recent runs table updates live, instead of saying "queued" for good.
import { showMessage } from "../forms.js";

const SAID = {
  queued: ["Queued; the worker runs it next.", "ok"],
  running: ["Running now…", "ok"],
  succeeded: ["Done.", "ok"],
  failed: ["It failed; see Recent runs below for why.", "error"],
};

export function init() {
  document.addEventListener("atom:submitted", (event) => {
    const { form, result } = event.detail;
    if (!form.hasAttribute("data-follow-run") || !result || !result.id) return;
    form.dataset.following = result.id;
    follow();
  });
  document.addEventListener("atom:region-updated", follow);
}

function follow() {
  for (const form of document.querySelectorAll("form[data-following]")) {
    const row = document.querySelector(`tr[data-run-id="${CSS.escape(form.dataset.following)}"]`);
    const said = SAID[row ? row.dataset.state : "queued"];
    if (said) showMessage(form, said[0], said[1]);
  }
}
