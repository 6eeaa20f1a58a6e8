// Entry point of every page: wire the shared behaviour, then the page's own module if it has one.
import { initForms } from "./forms.js";
import { registerServiceWorker } from "./install.js";
import { connectLive } from "./live.js";
import { initMenu } from "./menu.js";
import { initRegions } from "./regions.js";
import { initReminders } from "./reminders.js";
import { initSuggestions } from "./suggest.js";
import { initTheme } from "./theme.js";
import { localizeTimes } from "./times.js";
import { initWhenFields } from "./when-fields.js";

const PAGE_MODULES = {
  account: "./pages/account.js",
  "ai-settings": "./pages/ai-settings.js",
  calendar: "./pages/calendar.js",
  chat: "./pages/chat.js",
  connections: "./pages/connections.js",
  dashboard: "./pages/dashboard.js",
  document: "./pages/document.js",
  documents: "./pages/documents.js",
  members: "./pages/members.js",
  note: "./pages/note.js",
  search: "./pages/search.js",
  setup: "./pages/setup.js",
  system: "./pages/system.js",
  tasks: "./pages/tasks.js",
  voice: "./pages/voice.js",
};

const pageModule = PAGE_MODULES[document.body.dataset.page];
const pageReady = pageModule ? import(pageModule).then((module) => module.init()) : Promise.resolve();

// Controls only the page's own module can work (an Edit that opens its dialog) are disabled in the
// markup with data-needs-module until it has loaded: clicked before then, they did nothing.
function enableModuleControls(root) {
  for (const control of root.querySelectorAll("[data-needs-module]")) control.disabled = false;
}
pageReady.then(() => {
  enableModuleControls(document);
  document.addEventListener("atom:region-updated", (event) => enableModuleControls(event.target));
});

initTheme();
initMenu();
initWhenFields(); // before forms.js reads a form, from the first moment (not when the page module loads)
initForms(pageReady);
initSuggestions();
initRegions();
localizeTimes(document);
if (document.body.hasAttribute("data-live")) {
  initReminders(); // before the channel opens, so no reminder is missed
  connectLive();
}
registerServiceWorker();
