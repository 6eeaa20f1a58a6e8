// Tasks: date and time pickers joined for the API, and the offer to show reminders as notifications.
import { offerNotifications } from "../reminders.js";
import { initWhenFields } from "../when-fields.js";

export function init() {
  initWhenFields();
  const allow = document.querySelector("[data-allow-notifications]");
  if (allow) offerNotifications(allow);
}
