// Behaviour every page shares. Loaded as a module from base.html; the pages add their own modules.

// A form that asks before it is sent: <form data-confirm="Really merge?">. The question is the page's
// own text (a data attribute), never built from report content by this script.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Buttons that send a form disable themselves so a slow ingest is not sent twice.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  for (const button of form.querySelectorAll("button[type=submit][data-busy-label]")) {
    button.disabled = true;
    button.textContent = button.dataset.busyLabel;
  }
});
