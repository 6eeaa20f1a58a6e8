// A reminder firing, or a timer ringing, reaches the member on whatever page they have open: a
// message on the page, read out by screen readers, and a system notification too where allowed.
const SHOWN_FOR = 20000;
// Atom may hand the same reminder over twice (a crash between delivering and recording it): the
// same id is shown and notified once per browser tab.
const SEEN_KEY = "atom-reminders-seen";

export function initReminders() {
  document.addEventListener("atom:event", (event) => {
    const { topic, action, data } = event.detail;
    if (topic === "reminders" && action === "created" && data && !seenBefore(data.id)) show(data);
    if (topic === "timers" && action === "updated" && data) show(ringing(event.detail.id, data));
  });
}

export function offerNotifications(button) {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  button.closest("[data-notify-offer]").hidden = false;
  button.addEventListener("click", async () => {
    await Notification.requestPermission();
    button.closest("[data-notify-offer]").hidden = true;
  });
}

function show(reminder) {
  const toast = document.createElement("div");
  toast.className = "toast";
  toast.setAttribute("role", "alert");
  toast.dataset.reminderToast = reminder.id;
  const title = document.createElement("strong");
  title.textContent = reminder.title;
  toast.append(title);
  if (reminder.note) {
    const note = document.createElement("p");
    note.textContent = reminder.note;
    toast.append(note);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "button button-quiet";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => toast.remove());
  toast.append(close);
  toasts().append(toast);
  window.setTimeout(() => toast.remove(), SHOWN_FOR);
  notify(reminder);
}

function seenBefore(id) {
  let seen = [];
  try {
    seen = JSON.parse(sessionStorage.getItem(SEEN_KEY) || "[]");
  } catch (error) {
    seen = [];
  }
  if (seen.includes(id)) return true;
  try {
    sessionStorage.setItem(SEEN_KEY, JSON.stringify([...seen.slice(-99), id]));
  } catch (error) {
    // Storage full or refused: showing it again is better than not at all.
  }
  return false;
}

// A timer that ran out is announced like a reminder ("updated" with nothing left means ringing).
function ringing(id, timer) {
  const what = timer.label ? `The ${timer.label} timer` : "Your timer";
  return { id: `timer-${id}`, title: `${what} is done`, note: timer.room ? `Set in the ${timer.room}.` : "" };
}

function toasts() {
  let shelf = document.getElementById("toasts");
  if (!shelf) {
    shelf = document.createElement("div");
    shelf.id = "toasts";
    shelf.className = "toasts";
    document.body.append(shelf);
  }
  return shelf;
}

function notify(reminder) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    new Notification(reminder.title, { body: reminder.note || "", tag: `atom-reminder-${reminder.id}` });
  } catch (error) {
    // Some browsers allow notifications only from a service worker; the message on the page stays.
  }
}
