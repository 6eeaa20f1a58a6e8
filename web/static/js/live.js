// The live channel: one WebSocket per open page. Events arrive as {topic, action, id, data} and are
// re-dispatched on document as "atom:event" CustomEvents. After a drop it reconnects with backoff
// (1 s, 2 s, 4 s … 15 s) and asks every live region to resync, since events may have been missed; so
// does the first connection when events reached this member between the page's render and it.
import { signInAgain } from "./api.js";

const FIRST_DELAY = 1000;
const MAX_DELAY = 15000;
const SIGNED_OUT = 4401;
const LABELS = { connecting: "Connecting…", live: "Live", offline: "Reconnecting…" };

export function connectLive() {
  const channel = { socket: null, delay: FIRST_DELAY, timer: 0, everReady: false };
  const reconnectNow = () => {
    if (channel.socket) return;
    window.clearTimeout(channel.timer);
    channel.delay = FIRST_DELAY;
    open(channel);
  };
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && reconnectNow());
  open(channel);
}

function open(channel) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/live`);
  channel.socket = socket;
  showState("connecting");
  socket.addEventListener("message", (message) => receive(channel, message.data));
  socket.addEventListener("close", (event) => closed(channel, event));
}

function receive(channel, text) {
  let event;
  try {
    event = JSON.parse(text);
  } catch (error) {
    return;
  }
  if (event.topic === "live" && event.action === "ready") {
    ready(channel, event.id, event.data);
    return;
  }
  document.dispatchEvent(new CustomEvent("atom:event", { detail: event }));
  if (event.topic === "members" && event.id === document.body.dataset.userId) updateMe(event);
}

function ready(channel, userId, data) {
  document.body.dataset.userId = userId;
  const missedSinceRender = !channel.everReady && data && data.seen !== Number(document.body.dataset.liveSeen);
  if (channel.everReady || missedSinceRender) document.dispatchEvent(new CustomEvent("atom:resync"));
  channel.everReady = true;
  channel.delay = FIRST_DELAY;
  showState("live");
}

function closed(channel, event) {
  channel.socket = null;
  if (event.code === SIGNED_OUT) return signInAgain();
  showState("offline");
  channel.timer = window.setTimeout(() => retry(channel), channel.delay);
  channel.delay = Math.min(channel.delay * 2, MAX_DELAY);
}

// A refused handshake looks like a network drop; ask the API which one it was.
async function retry(channel) {
  try {
    const response = await fetch("/api/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401) return signInAgain();
  } catch (error) {
    // Atom is still away: try the socket anyway, it fails fast and backs off.
  }
  if (!channel.socket) open(channel);
}

// My own name or role changed (by the admin, elsewhere): show the name; a new role reloads the page.
function updateMe(event) {
  if (!event.data) return;
  if (event.data.role !== document.body.dataset.role) {
    location.reload();
    return;
  }
  for (const name of document.querySelectorAll("[data-me-name]")) name.textContent = event.data.display_name;
}

function showState(state) {
  const status = document.getElementById("live-status");
  if (!status || status.dataset.state === state) return;
  status.dataset.state = state;
  status.querySelector(".live-text").textContent = LABELS[state];
}
