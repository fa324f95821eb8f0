// Drag an accepted abstract onto a free cell of the timetable: fills in the same room and
// slot selects that place it without drag, and submits that form. An enhancement only: the
// selects work alone (phones, in-app browsers).
(function () {
  "use strict";
  var dragged = null;
  document.querySelectorAll("[data-testid=placeable]").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      e.dataTransfer.setData("text/plain", card.dataset.abstract);
    });
  });
  document.querySelectorAll("td.slot.free").forEach(function (cell) {
    cell.addEventListener("dragover", function (e) { e.preventDefault(); cell.classList.add("drop"); });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop"); });
    cell.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!dragged) { return; }
      var form = dragged.querySelector("form[data-testid=place-form]");
      var room = form.querySelector("select[name$=room]");
      var slot = form.querySelector("select[name$=slot]");
      room.value = cell.dataset.room;
      slot.value = cell.dataset.slot;
      form.requestSubmit();
    });
  });
})();
