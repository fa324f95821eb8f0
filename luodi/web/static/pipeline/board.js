// Pipeline board: drag a card to another column. The drop only fills in the card's own
// "Move to" form and submits it (htmx posts it and swaps the board), so dragging and the
// keyboard alternative take the same path and the server decides what is legal.
(() => {
  let dragged = null;

  const columnOf = (node) => (node instanceof Element ? node.closest(".pl-col") : null);
  const clearMarks = () => {
    document.querySelectorAll(".pl-col").forEach((col) => {
      col.classList.remove("drop-ok", "drop-over");
    });
  };

  document.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element
      ? event.target.closest(".pl-card[draggable=true]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.project || "");
    const allowed = (card.dataset.allowed || "").split(" ");
    document.querySelectorAll(".pl-col").forEach((col) => {
      col.classList.toggle("drop-ok", allowed.includes(col.dataset.stage));
    });
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });

  document.addEventListener("dragover", (event) => {
    const col = columnOf(event.target);
    if (!col || !dragged) return;
    // Every column accepts the drop; an illegal move is refused by the server with a reason.
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    col.classList.add("drop-over");
  });

  document.addEventListener("dragleave", (event) => {
    const col = columnOf(event.target);
    if (col && !col.contains(event.relatedTarget)) col.classList.remove("drop-over");
  });

  document.addEventListener("drop", (event) => {
    const col = columnOf(event.target);
    const card = dragged;
    if (!col || !card) return;
    event.preventDefault();
    clearMarks();
    if (card.closest(".pl-col") === col) return;
    const form = card.querySelector("form.pl-move");
    const select = form ? form.querySelector("select[name=to_stage]") : null;
    if (!form || !select) return;
    const stage = col.dataset.stage;
    if (![...select.options].some((option) => option.value === stage)) {
      const option = document.createElement("option");
      option.value = stage;
      option.textContent = stage;
      select.appendChild(option);
    }
    select.value = stage;
    form.requestSubmit();
  });
})();
