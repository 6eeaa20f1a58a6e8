// The Voice page: push-to-talk, the device token of a newly paired satellite (shown once), and
// teaching the wake word one's voice. The satellites list and address list are live regions.
import { initEnrolment } from "./voice-enrolment.js";
import { initTalk } from "./voice-talk.js";

export function init() {
  initTalk(document.querySelector("[data-talk]"));
  initEnrolment(document.querySelector("[data-enrolment]"));
  const box = document.querySelector("[data-device-token-box]");
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.hasAttribute("data-show-device-token")) showToken(box, detail.result);
  });
  box.querySelector("[data-hide-device-token]").addEventListener("click", () => hideToken(box));
}

function showToken(box, paired) {
  const command = box.querySelector("[data-device-command]");
  const port = command.dataset.port || "10300";
  box.querySelector("[data-device-token]").textContent = paired.token;
  command.textContent = [
    "umask 077; cat > satellite.token   # paste the token, then Ctrl+D",
    `atom satellite --server tcp://${location.hostname}:${port} --token-file satellite.token`,
  ].join("\n");
  box.hidden = false;
  box.querySelector("[data-device-token]").focus();
}

function hideToken(box) {
  box.querySelector("[data-device-token]").textContent = "";
  box.hidden = true;
  document.getElementById("pair-name").focus();
}
