// The error summary of a refused form (core/_error_summary.html, the GOV.UK pattern).
// It takes focus when the page loads (its autofocus attribute does it too, once per page;
// this covers a page where something else took focus first), and each of its links moves
// focus to the field, with the field's label or legend scrolled into view above it.

function labelOf(field) {
  const group = field.closest("fieldset");
  if (group && field.type && (field.type === "checkbox" || field.type === "radio")) {
    return group.querySelector("legend") || field;
  }
  return (field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`)) || field;
}

for (const summary of document.querySelectorAll("[data-error-summary]")) {
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    labelOf(field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}

const first = document.querySelector("[data-error-summary]");
if (first && !first.contains(document.activeElement)) {
  first.focus();
}
