// AI settings: the key forms show the fields the chosen provider needs, Test shows whether a key
// works, Edit opens the dialog filled from the key's row, and the fallback chain is reordered in place.
// The admins' "Add a GGUF chat model" form asks for a path or a web address and says when it is busy.
import { announce } from "../announce.js";
import { showMessage } from "../forms.js";

// Both settings pages run this: "My AI" has the key forms, "Models & prices" (admins) the model form.
export function init() {
  const adding = document.querySelector("form[data-add-key]");
  const select = adding && adding.querySelector("[data-provider-select]");
  if (adding) {
    const applyChosen = () => applyProvider(adding, select.selectedOptions[0], true);
    select.addEventListener("change", applyChosen);
    adding.addEventListener("reset", () => window.setTimeout(applyChosen)); // after the reset has happened
    applyChosen();
  }
  document.addEventListener("atom:submitted", ({ detail }) => {
    if (detail.form.hasAttribute("data-key-test")) showTestResult(detail.form, detail.result);
    if (detail.form.hasAttribute("data-add-model")) showModelAdded(detail.form, detail.result);
  });
  document.addEventListener("click", (event) => onClick(event, select));
  const addingModel = document.querySelector("form[data-add-model]"); // admins only
  if (addingModel) initModelForm(addingModel);
}

function onClick(event, select) {
  const edit = event.target.closest("[data-edit-key]");
  if (edit) openEditor(edit.dataset, select);
  const move = event.target.closest("[data-move]");
  if (move) moveFallback(move);
  if (event.target.closest("[data-close-dialog]")) event.target.closest("dialog").close();
}

// Shown and required as the provider's manifest says; hidden option fields are disabled, so not sent.
function applyProvider(form, option, adding) {
  const needs = option.dataset;
  const offered = needs.options.split(" ").filter(Boolean);
  for (const wrapper of form.querySelectorAll("[data-provider-option]")) {
    const shown = offered.includes(wrapper.dataset.providerOption);
    wrapper.hidden = !shown;
    wrapper.querySelector("input").disabled = !shown;
  }
  // A provider with a fixed official address takes none: the field is hidden and not sent.
  const baseUrl = form.elements.base_url;
  baseUrl.required = needs.needsBaseUrl === "true";
  baseUrl.disabled = !baseUrl.required;
  baseUrl.closest(".field").hidden = baseUrl.disabled;
  if (adding) form.elements.api_key.required = needs.needsKey === "true";
  // "On our own network" is offered for a server a household runs itself (admins only; the server checks).
  const ownNetwork = form.querySelector("[data-own-network-field]");
  if (ownNetwork) {
    ownNetwork.hidden = needs.householdServer !== "true";
    ownNetwork.querySelector("input").disabled = ownNetwork.hidden;
  }
  const model = form.querySelector("[data-model-input]");
  model.setAttribute("list", `models-${option.value}`);
  model.required = adding && needs.hasModels === "false"; // a house server's models have no names Atom knows
}

function openEditor(key, select) {
  const dialog = document.getElementById("edit-key");
  const form = dialog.querySelector("form");
  form.reset();
  form.dataset.api = `/api/ai/keys/${key.id}`;
  form.elements.label.value = key.label;
  form.elements.base_url.value = key.baseUrl;
  form.elements.default_model.value = key.defaultModel;
  if (form.elements.on_own_network) form.elements.on_own_network.checked = key.ownNetwork === "true";
  for (const [name, value] of Object.entries(JSON.parse(key.options))) {
    const input = form.elements[`options.${name}`];
    if (input) input.value = value;
  }
  applyProvider(form, [...select.options].find((option) => option.value === key.provider), false);
  showMessage(form, "", "");
  dialog.querySelector("[data-edit-key-name]").textContent = key.label;
  dialog.showModal();
  form.elements.label.focus();
}

// The server words the verdict ("No internet on this box: …", "Key rejected: …") and keeps it on the key.
function showTestResult(form, result) {
  showMessage(form, result.detail || "", result.ok ? "ok" : "error");
}

function moveFallback(button) {
  const item = button.closest("[data-fallback]");
  const up = button.dataset.move === "up";
  const neighbour = up ? item.previousElementSibling : item.nextElementSibling;
  if (!neighbour) return;
  neighbour.insertAdjacentElement(up ? "beforebegin" : "afterend", item);
  button.focus(); // moving an element can drop its focus
  const place = [...item.parentElement.children].indexOf(item) + 1;
  announce(`${item.querySelector("label").textContent} is now number ${place} in the chain.`);
}

// Only the chosen source's field is shown and sent; forms.js marks the form busy while the server
// hashes and copies the file, which can take a while, so the form says so.
function initModelForm(form) {
  const applySource = () => {
    const chosen = form.querySelector("input[name='model_source']:checked").value;
    for (const wrapper of form.querySelectorAll("[data-model-source]")) {
      const shown = wrapper.dataset.modelSource === chosen;
      wrapper.hidden = !shown;
      wrapper.querySelector("input").disabled = !shown;
    }
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "model_source") applySource();
    if (event.target.name === "sha256") event.target.value = event.target.value.trim().toLowerCase();
  });
  form.addEventListener("reset", () => window.setTimeout(applySource)); // after the reset has happened
  applySource();
  new MutationObserver(() => showBusy(form)).observe(form, { attributeFilter: ["aria-busy"] });
}

function showBusy(form) {
  const note = form.querySelector("[data-model-busy]");
  const busy = form.hasAttribute("aria-busy");
  if (busy === !note.hidden) return;
  note.hidden = !busy;
  if (busy) announce(note.textContent);
}

function showModelAdded(form, model) {
  const text = `Added ${model.name}. Chat offers it as local/${model.name}.`;
  showMessage(form, text, "ok");
}
