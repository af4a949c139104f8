// The console's only script: asks before forms marked data-confirm (rollback, batch actions).
// Everything works without it; it never builds HTML from data.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question !== undefined && !window.confirm(question)) event.preventDefault();
});
