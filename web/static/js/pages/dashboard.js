// The greeting and date follow the reader's clock, not the server's.
export function init() {
  const heading = document.querySelector("[data-greeting]");
  const now = new Date();
  heading.textContent = `${greeting(now.getHours())}, ${heading.dataset.name}`;
  const day = now.toLocaleDateString(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  document.querySelector("[data-today]").textContent = `${day}. Here is your household today.`;
}

function greeting(hour) {
  if (hour < 5) return "Good night";
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}
