// Times are rendered in UTC by the server; show them in the reader's own time zone and language.
const FORMAT = { dateStyle: "medium", timeStyle: "short" };

export function localizeTimes(root) {
  for (const element of root.querySelectorAll("time[data-local-time]")) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime())) element.textContent = moment.toLocaleString(undefined, FORMAT);
  }
}
