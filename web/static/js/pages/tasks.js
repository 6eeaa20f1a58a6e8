// Tasks: the offer to show reminders as notifications.
import { offerNotifications } from "../reminders.js";

export function init() {
  const allow = document.querySelector("[data-allow-notifications]");
  if (allow) offerNotifications(allow);
}
