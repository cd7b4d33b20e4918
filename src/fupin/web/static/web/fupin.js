// Page behaviour without inline scripts or event handlers (the Content-Security-Policy forbids them):
// elements declare what they do with data-* attributes and this file does it.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.submit();
});

document.addEventListener("click", (event) => {
  const el = event.target.closest("[data-action]");
  if (!el) return;
  if (el.dataset.action === "print") window.print();
  if (el.dataset.action === "back") { event.preventDefault(); history.back(); }
  if (el.dataset.action === "remove-row") el.closest("tr").remove();
});

// Progress bars carry their width in data-width (a percentage); set it on every page and htmx swap.
htmx.onLoad((root) => {
  const bars = root.matches && root.matches("[data-width]") ? [root] : [];
  bars.concat(Array.from(root.querySelectorAll("[data-width]")))
    .forEach((bar) => { bar.style.width = `${bar.dataset.width}%`; });
});
