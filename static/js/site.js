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

// Campaign progress: refresh the numbers every two seconds while a newsletter is being sent.
// Without JavaScript the page has a link to reload it.
const progress = document.querySelector("[data-progress-url]");
if (progress) {
  const bar = progress.querySelector("progress");
  const update = async () => {
    try {
      const response = await fetch(progress.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      for (const [key, value] of Object.entries(data.progress)) {
        const field = progress.querySelector(`[data-field="${key}"]`);
        if (field) field.textContent =
          key === "rate" ? Number(value).toFixed(1) : key === "status" ? data.shown_status : String(value);
      }
      const end = progress.querySelector('[data-field="expected_end"]');
      if (end) end.textContent = data.expected_end || "–";
      if (bar) {
        bar.value = data.percent;
        bar.textContent = `${data.percent}%`;
      }
      if (data.progress.status === "bezig") setTimeout(update, 2000);
    } catch {
      setTimeout(update, 5000);
    }
  };
  setTimeout(update, 2000);
}

// Kennisbank: a button that copies a reference. Hidden without JavaScript (the reference can
// be selected by hand); shown only where the clipboard can be written.
for (const button of document.querySelectorAll("button[data-copy]")) {
  if (!navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const status = button.parentElement.querySelector(".copy-status");
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      if (status) status.textContent = "Gekopieerd.";
    } catch {
      if (status) status.textContent = "Kopiëren lukte niet; selecteer de verwijzing en kopieer die zelf.";
    }
  });
}
