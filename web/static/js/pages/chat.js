// The chat page: send a message, stream the reply into the thread word by word, stop it, and
// remember the picked model in this browser. The server keeps the history; a reload shows it.
import { ApiError, callApi, failureOf, signInAgain, unreachable } from "../api.js";
import { refreshUrl } from "../regions.js";
import { readEvents } from "../sse.js";

const MODEL_KEY = "atom-chat-model";
const CUT_SHORT = "The reply stopped before it was finished. Try again.";
const NEAR_END_PX = 80;

export function init() {
  const form = document.querySelector("[data-chat-form]");
  const chat = { form, thread: document.querySelector("[data-thread]"), input: form.elements.content, controller: null };
  const picker = form.elements.model;
  restoreModel(picker);
  picker.addEventListener("change", () => remember(picker.value));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(chat);
  });
  chat.input.addEventListener("keydown", (event) => onKey(chat, event));
  form.querySelector("[data-stop]").addEventListener("click", () => stop(chat));
  document.addEventListener("atom:submitted", ({ detail }) => leaveIfGone(chat, detail.form.dataset.conversationDelete));
  document.addEventListener("atom:event", ({ detail }) => {
    if (detail.topic === "conversations" && detail.action === "deleted") leaveIfGone(chat, detail.id);
  });
  chat.thread.scrollTop = chat.thread.scrollHeight;
  form.querySelector("[data-send]").disabled = false;
  initConversationsToggle();
  if (!TOUCH.matches) chat.input.focus({ preventScroll: true }); // ready to type; a phone's keyboard waits for a tap
}

const TOUCH = window.matchMedia("(pointer: coarse)");

// On phones the conversations list is folded away; this button shows it (and Escape folds it again).
function initConversationsToggle() {
  const button = document.querySelector("[data-conversations-toggle]");
  const side = document.getElementById(button.getAttribute("aria-controls"));
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Hide conversations" : "Conversations";
    side.toggleAttribute("data-open", open);
  };
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  side.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    setOpen(false);
    button.focus();
  });
}

function onKey(chat, event) {
  if (event.key === "Escape" && chat.controller) {
    event.preventDefault();
    stop(chat);
  } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    chat.form.requestSubmit();
  }
}

// Enter pressed while a reply still streams is kept and sent once that reply ends, not dropped.
async function send(chat) {
  const text = chat.input.value.trim();
  if (!text) return;
  if (chat.controller) {
    chat.waiting = true;
    return;
  }
  const body = { content: text, model: chat.form.elements.model.value };
  chat.controller = new AbortController();
  setStreaming(chat, true);
  chat.input.value = ""; // taken now: what is typed while a new conversation is made is the next message
  try {
    const id = await conversationKeeping(chat, text);
    appendMessage(chat, "user", text);
    await streamReply(chat, id, body);
  } catch (error) {
    showProblem(chat, error);
  } finally {
    chat.controller = null;
    setStreaming(chat, false);
    sendWaiting(chat);
  }
}

function sendWaiting(chat) {
  if (!chat.waiting) return;
  chat.waiting = false;
  send(chat);
}

function stop(chat) {
  chat.waiting = false;
  if (chat.controller) chat.controller.abort(); // the server stops generating when we hang up
}

// A conversation that could not be made gives the message back to the box (unless more was typed).
async function conversationKeeping(chat, text) {
  try {
    return await conversationFor(chat);
  } catch (error) {
    if (!chat.input.value) chat.input.value = text;
    throw error;
  }
}

async function conversationFor(chat) {
  if (chat.form.dataset.conversation) return chat.form.dataset.conversation;
  const created = await callApi("POST", "/api/chat/conversations", {}, chat.form.elements.csrf_token.value);
  adopt(chat, created.id);
  return created.id;
}

// A new conversation gets its own address, so a reload (or a bookmark) opens it with its history.
function adopt(chat, id) {
  chat.form.dataset.conversation = id;
  history.replaceState(null, "", `/chat/${id}`);
  document.querySelector("a[href='/chat'][aria-current]")?.removeAttribute("aria-current");
  const list = document.querySelector("[data-conversations]");
  list.dataset.region = `/fragments/conversations?current=${id}`;
  refreshUrl(list.dataset.region);
}

async function streamReply(chat, id, body) {
  const reply = appendMessage(chat, "assistant", "");
  try {
    const response = await postMessage(chat, id, body);
    if (!(await readReply(chat, response, reply))) throw new ApiError(0, CUT_SHORT);
  } catch (error) {
    if (chat.controller.signal.aborted) return markReply(reply, "stopped");
    if (textOf(reply).textContent) markReply(reply, "incomplete");
    else reply.remove();
    throw error;
  }
}

async function postMessage(chat, id, body) {
  let response;
  try {
    response = await fetch(`/api/chat/conversations/${id}/messages`, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body), signal: chat.controller.signal,
      headers: { "Content-Type": "application/json", Accept: "text/event-stream",
                 "X-CSRF-Token": chat.form.elements.csrf_token.value },
    });
  } catch (error) {
    throw chat.controller.signal.aborted ? error : unreachable();
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) throw await failureOf(response);
  return response;
}

// True when the server finished the reply; an error event is thrown as a sentence for the thread.
async function readReply(chat, response, reply) {
  for await (const { event, data } of readEvents(response.body)) {
    if (event === "turn") {
      showTitle(data.conversation.title); // the server titles a conversation by its first message
    } else if (event === "chunk") {
      const following = nearEnd(chat.thread);
      textOf(reply).append(data.text);
      if (data.model) metaOf(reply).textContent = data.model;
      if (data.fallback) showFallback(reply, data.fallback);
      if (following) chat.thread.scrollTop = chat.thread.scrollHeight;
    } else if (event === "action") {
      showAction(reply, data);
    } else if (event === "done") {
      if (data.message) {
        metaOf(reply).textContent = `${data.message.provider}/${data.message.model}`;
        await showFormatted(chat, reply, data.message.id);
      }
      return true;
    } else if (event === "error") {
      throw new ApiError(502, sentence(data.detail));
    }
  }
  return false;
}

// The chosen AI failed and another answered: said in the reply, never a silent swap.
function showFallback(reply, note) {
  const line = reply.querySelector("[data-message-note]");
  line.textContent = note;
  line.hidden = false;
}

// A finished reply streamed as plain text; the server renders its Markdown (the safe subset notes use)
// and that HTML replaces the text. If the fetch fails the plain text stays, which is still right.
async function showFormatted(chat, reply, messageId) {
  const id = chat.form.dataset.conversation;
  try {
    const response = await fetch(`/fragments/chat-reply/${encodeURIComponent(id)}/${encodeURIComponent(messageId)}`, {
      headers: { Accept: "text/html" }, credentials: "same-origin",
    });
    if (!response.ok) return;
    const text = textOf(reply);
    text.innerHTML = await response.text();
    text.classList.add("markdown");
  } catch (error) {
    // offline for a moment: the plain words are already there
  }
}

// What a command did, linked to where it shows ("Added oat milk to Shopping" → the list).
function showAction(reply, action) {
  if (!action.link || !action.link.startsWith("/")) return; // only Atom's own pages
  const link = document.createElement("a");
  link.href = action.link;
  link.className = "chat-action";
  link.textContent = action.acted ? "Show me" : "See it";
  textOf(reply).after(link);
}

function showTitle(title) {
  document.querySelector("[data-chat-title]").textContent = title;
  document.title = `${title} · Atom`;
}

// Each role's empty message comes from the server's template, so "You" and "Atom" are written once.
function appendMessage(chat, role, text) {
  const item = fromTemplate(`chat-${role}-template`);
  textOf(item).textContent = text;
  document.querySelector("[data-thread-empty]").hidden = true;
  chat.thread.append(item);
  chat.thread.scrollTop = chat.thread.scrollHeight;
  return item;
}

function showProblem(chat, error) {
  if (!(error instanceof ApiError)) console.error(error);
  const item = fromTemplate("chat-error-template");
  textOf(item).textContent = error instanceof ApiError ? error.message : CUT_SHORT;
  chat.thread.append(item);
  chat.thread.scrollTop = chat.thread.scrollHeight;
}

function markReply(reply, how) {
  const meta = metaOf(reply);
  meta.textContent = meta.textContent ? `${meta.textContent} · ${how}` : how;
  reply.classList.add("message-cut");
}

// While a reply streams: the log is busy (screen readers wait for the whole reply) and Stop replaces Send.
function setStreaming(chat, streaming) {
  const send = chat.form.querySelector("[data-send]");
  const stopButton = chat.form.querySelector("[data-stop]");
  const focused = document.activeElement;
  chat.thread.setAttribute("aria-busy", String(streaming));
  send.hidden = streaming;
  stopButton.hidden = !streaming;
  if (streaming && focused === send) stopButton.focus();
  if (!streaming && (focused === stopButton || focused === document.body)) chat.input.focus();
}

function leaveIfGone(chat, id) {
  if (id && id === chat.form.dataset.conversation) location.assign("/chat");
}

function restoreModel(picker) {
  let saved = null;
  try {
    saved = localStorage.getItem(MODEL_KEY);
  } catch (error) {
    return; // storage blocked: "auto" it is
  }
  if (saved && [...picker.options].some((option) => option.value === saved)) picker.value = saved;
}

function remember(model) {
  try {
    localStorage.setItem(MODEL_KEY, model);
  } catch (error) {
    // Not kept when storage is blocked; the picker still applies to this page.
  }
}

function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

const textOf = (item) => item.querySelector("[data-message-text]");
const metaOf = (item) => item.querySelector("[data-message-meta]");
const nearEnd = (thread) => thread.scrollHeight - thread.scrollTop - thread.clientHeight < NEAR_END_PX;

function sentence(detail) {
  const text = String(detail || "Atom could not answer");
  return text[0].toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}
