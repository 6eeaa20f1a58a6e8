// Date and time pickers give "2025-03-24" and "09:00"; the API takes "09:00:00" and
// "2025-03-24T09:00:00". In forms marked data-when-fields, just before forms.js sends one, the
// pickers' values are joined into hidden fields of the API's names (empty ones are not sent):
//   <input type="time" data-time-of-day="due_time">                    -> due_time
//   <input type="date" data-moment-date="starts"> + data-moment-time  -> starts (midnight without a time)
//   data-moment-date-end="ends" on that date input, + a time for ends -> ends, the same day
export function initWhenFields() {
  document.addEventListener("submit", compose, true); // capture: before forms.js reads the form
}

function compose(event) {
  const form = event.target.closest("form[data-when-fields]");
  if (!form) return;
  for (const input of form.querySelectorAll("[data-time-of-day]")) {
    hidden(form, input.dataset.timeOfDay).value = input.value ? withSeconds(input.value) : "";
  }
  for (const input of form.querySelectorAll("[data-moment-date]")) {
    const time = timeFor(form, input.dataset.momentDate);
    hidden(form, input.dataset.momentDate).value = input.value ? `${input.value}T${withSeconds(time || "00:00")}` : "";
    const end = input.dataset.momentDateEnd;
    if (end) {
      const endTime = timeFor(form, end);
      hidden(form, end).value = input.value && endTime ? `${input.value}T${withSeconds(endTime)}` : "";
    }
  }
}

function timeFor(form, name) {
  const picker = form.querySelector(`[data-moment-time="${name}"]`);
  return picker ? picker.value : "";
}

function withSeconds(time) {
  return time.length === 5 ? `${time}:00` : time;
}

function hidden(form, name) {
  let field = form.querySelector(`input[type=hidden][data-composed="${name}"]`);
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = name;
    field.dataset.composed = name;
    form.append(field);
  }
  return field;
}
