// The planner's workspace: choose every priority on the page at once, and say how many are
// chosen (a polite live region in the bulk bar). Without JavaScript the boxes work one by one.
const table = document.getElementById("priority-table");
const all = document.getElementById("pick-all");
const counter = document.getElementById("picked-count");
const matching = document.getElementById("all-matching");

if (table && all && counter) {
  const boxes = () => [...table.querySelectorAll("input[name=ids]")];
  const say = () => {
    const picked = boxes().filter((box) => box.checked).length;
    counter.textContent = picked
      ? counter.dataset.labelSome.replace("{n}", String(picked))
      : counter.dataset.labelNone;
    all.checked = picked > 0 && picked === boxes().length;
    all.indeterminate = picked > 0 && picked < boxes().length;
  };
  all.hidden = false;
  counter.closest(".bulk-strip").hidden = false;
  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
    say();
  });
  table.addEventListener("change", (event) => {
    if (event.target.name === "ids") say();
  });
  // Answering all that match the filter does not need boxes ticked.
  matching?.addEventListener("change", () => {
    for (const box of boxes()) box.disabled = matching.checked;
    all.disabled = matching.checked;
  });
  say();
}
