// Progressive enhancement only: every page works without this file.
// Filter forms submit themselves when a facet changes, so a keyboard or mouse user sees the
// result without looking for the button (which stays for those without JavaScript).
document.addEventListener("change", (event) => {
  const field = event.target;
  const form = field.closest && field.closest("form[data-autosubmit]");
  if (form && (field.type === "checkbox" || field.tagName === "SELECT")) {
    form.requestSubmit();
  }
});
