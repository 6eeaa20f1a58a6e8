// The home page: the greeting follows the reader's clock; "Ask Atom" shows the reply in place,
// with a link to what the command changed and to the conversation it was kept in.
export function init() {
  const heading = document.querySelector("[data-greeting]");
  const now = new Date();
  heading.textContent = `${greeting(now.getHours())}, ${heading.dataset.name}`;
  const day = now.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  document.querySelector("[data-today]").textContent = `${day}. Here is your household today.`;
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.hasAttribute("data-ask")) showReply(detail.form, detail.result);
  });
}

function showReply(form, answer) {
  const box = document.querySelector("[data-ask-reply]");
  box.querySelector("[data-ask-reply-text]").textContent = answer.reply || "Done.";
  const note = box.querySelector("[data-ask-reply-note]"); // the chosen AI failed: never a silent swap
  note.textContent = answer.fallback || "";
  note.hidden = !answer.fallback;
  const link = box.querySelector("[data-ask-link]");
  const ownPage = typeof answer.link === "string" && answer.link.startsWith("/") && !answer.link.startsWith("//");
  link.hidden = !ownPage;
  if (ownPage) link.href = answer.link;
  box.querySelector("[data-ask-chat]").href = `/chat/${encodeURIComponent(answer.conversation_id)}`;
  box.hidden = false;
  form.elements.text.focus(); // forms.js then empties it, keeping anything typed since it was sent
}

function greeting(hour) {
  if (hour < 5) return "Good night";
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}
