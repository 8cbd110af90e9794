// Progressive enhancement only: every page works without this script.
// "Copy" buttons put a handle on the clipboard.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = button.dataset.copied || button.textContent;
  });
});
