// Push-to-talk: hold the button (or Space) and speak; Atom acts as you and answers aloud. The page
// is a satellite of its own over /api/voice/talk (see appliance/server/talk.py for the messages):
// audio goes as binary frames of 16 kHz mono 16-bit PCM, the spoken reply comes back as a WAV.
import { signInAgain } from "../api.js";
import { microphoneAvailable, openMicrophone } from "./voice-microphone.js";

const SIGNED_OUT = 4401;
const SAID = {
  "nothing heard": "Nothing heard. Hold the button while you speak.",
  "no command": "Heard only “Atom”. Say the command too.",
  "nothing to say": "Done.",
};

export function initTalk(card) {
  const button = card.querySelector("[data-talk-button]");
  if (button.disabled) return; // no speech model: the page says which to install
  if (!microphoneAvailable()) {
    card.querySelector("[data-talk-insecure]").hidden = false;
    button.disabled = true;
    return;
  }
  const talk = new Talk(card);
  button.addEventListener("pointerdown", (event) => {
    button.setPointerCapture(event.pointerId);
    talk.press();
  });
  button.addEventListener("pointerup", () => talk.release());
  button.addEventListener("pointercancel", () => talk.release());
  button.addEventListener("contextmenu", (event) => event.preventDefault()); // a long touch is talking
  card.querySelector("[data-talk-stop]").addEventListener("click", () => talk.stop());
  document.addEventListener("keydown", (event) => spaceKey(event, () => talk.press()));
  document.addEventListener("keyup", (event) => spaceKey(event, () => talk.release()));
  card.dataset.ready = "true";
}

function spaceKey(event, action) {
  if (event.code !== "Space" || event.repeat || typing(event.target)) return;
  event.preventDefault();
  action();
}

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

class Talk {
  constructor(card) {
    this.card = card;
    this.button = card.querySelector("[data-talk-button]");
    this.maxSeconds = Number(card.dataset.maxSeconds);
    this.socket = null;
    this.opening = null;
    this.microphone = null;
    this.sending = false;
    this.pressed = false;
    this.player = null; // an AudioContext, made on the first press (browsers play only after a gesture)
    this.playing = null;
    this.awaitingReplyAudio = false;
    this.followUp = 0;
    this.limit = 0;
    this.reason = "push-to-talk";
  }

  async press() {
    if (this.pressed) return;
    this.pressed = true;
    this.button.setAttribute("aria-pressed", "true"); // its name stays: the status line says what happens
    this.silencePlayback();
    this.player = this.player || new AudioContext();
    try {
      await this.ready();
      await this.listen("push-to-talk");
    } catch (error) {
      this.show(error.message || String(error));
      this.unpress();
      return;
    }
    if (!this.pressed) this.finish(); // let go while the microphone was opening
    else this.limit = window.setTimeout(() => this.release(), this.maxSeconds * 1000);
  }

  release() {
    if (!this.pressed) return;
    this.unpress();
    this.finish();
  }

  // What was said while the button was held is the command.
  finish() {
    if (!this.sending) return;
    this.sending = false;
    this.send({ type: "end" });
    this.show("Thinking…");
  }

  unpress() {
    this.pressed = false;
    window.clearTimeout(this.limit);
    this.button.setAttribute("aria-pressed", "false");
  }

  stop() {
    this.sending = false;
    this.silencePlayback();
    this.send({ type: "stop" });
    this.letMicrophoneGo();
    this.show("Stopped.");
  }

  async listen(reason) {
    this.microphone = this.microphone || (await openMicrophone((chunk) => this.audio(chunk)));
    this.send({ type: "listen", reason });
    this.reason = reason;
    this.sending = true;
    this.show(reason === "follow-up" ? "Listening for your answer…" : "Listening… let go when you are done.");
  }

  audio(chunk) {
    if (this.sending && this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(chunk);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  // The socket opens on the first press and stays for the page's life (or until Atom closes it).
  ready() {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve();
    if (this.opening) return this.opening;
    this.opening = new Promise((resolve, reject) => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const socket = new WebSocket(`${scheme}://${location.host}/api/voice/talk`);
      socket.binaryType = "arraybuffer";
      socket.addEventListener("message", (message) => {
        const first = this.socket !== socket;
        this.receive(socket, message.data);
        if (first && this.socket === socket) resolve();
      });
      socket.addEventListener("close", (event) => {
        this.closed(socket, event);
        reject(new Error(this.lastError || "Atom could not be reached. Try again in a moment."));
      });
    }).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  receive(socket, data) {
    if (data instanceof ArrayBuffer) return this.play(data);
    const message = JSON.parse(data);
    if (message.type === "ready") {
      this.socket = socket;
      this.followUp = message.follow_up_seconds;
      return undefined;
    }
    return this.handle(message);
  }

  handle(message) {
    switch (message.type) {
      case "voice-started":
        return this.show("Hearing you…");
      case "voice-stopped":
        this.sending = false;
        return this.show("Thinking…");
      case "transcript":
        return this.result(message.text, "");
      case "reply":
        this.awaitingReplyAudio = true;
        this.followUp = message.follow_up_seconds;
        this.result(null, message.text);
        return this.show("Atom is answering.");
      case "announce":
        return this.show(message.text);
      case "idle":
        this.letMicrophoneGo();
        if (this.reason === "follow-up" && message.reason === "nothing heard") return this.show("Ready.");
        return this.show(SAID[message.reason] || "Ready.");
      case "stop":
        this.silencePlayback();
        this.letMicrophoneGo();
        return this.show("Stopped.");
      case "error":
        this.lastError = message.text;
        return this.show(message.text);
      default:
        return undefined;
    }
  }

  closed(socket, event) {
    if (this.socket === socket) this.socket = null;
    this.sending = false;
    this.letMicrophoneGo();
    if (event.code === SIGNED_OUT) signInAgain();
  }

  async play(wav) {
    const isReply = this.awaitingReplyAudio;
    this.awaitingReplyAudio = false;
    this.silencePlayback();
    const buffer = await this.player.decodeAudioData(wav);
    const source = this.player.createBufferSource();
    source.buffer = buffer;
    source.connect(this.player.destination);
    this.playing = source;
    this.card.dataset.playing = "true";
    if (isReply) this.card.dataset.replies = String(Number(this.card.dataset.replies || 0) + 1);
    source.addEventListener("ended", () => this.played(source, isReply));
    source.start();
  }

  // After a reply, listen a little longer without the button, as a satellite does.
  played(source, isReply) {
    if (this.playing !== source) return; // stopped, or another one began
    this.playing = null;
    delete this.card.dataset.playing;
    if (!isReply || this.pressed) return;
    if (this.followUp > 0 && this.microphone) this.listen("follow-up").catch(() => this.letMicrophoneGo());
    else this.letMicrophoneGo();
  }

  silencePlayback() {
    const playing = this.playing;
    this.playing = null;
    delete this.card.dataset.playing;
    if (playing) playing.stop();
  }

  letMicrophoneGo() {
    if (this.pressed) return;
    this.sending = false;
    if (this.microphone) this.microphone.close();
    this.microphone = null;
  }

  result(heard, reply) {
    const box = this.card.querySelector("[data-talk-result]");
    box.hidden = false;
    if (heard !== null) box.querySelector("[data-talk-heard]").textContent = heard;
    box.querySelector("[data-talk-reply]").textContent = reply;
  }

  show(text) {
    this.card.querySelector("[data-talk-status]").textContent = text;
  }
}
