// Photos of a listing reordered by dragging their rows (HTML5 drag and drop, no library).
// The new order goes into the hidden "photo_order" field; saving the listing hands it
// to services.photos_reorder. The position inputs follow, so what is shown is what is saved.
"use strict";
(function () {
  function rows(body) {
    return Array.prototype.filter.call(body.querySelectorAll("tr.form-row.has_original"),
      function (row) { return row.querySelector("input[name$='-id']"); });
  }
  function record(body) {
    var order = document.getElementById("id_photo_order");
    var ids = rows(body).map(function (row, index) {
      var position = row.querySelector("input[name$='-position']");
      if (position) position.value = index;
      return row.querySelector("input[name$='-id']").value;
    });
    if (order) order.value = ids.join(",");
  }
  function setUp() {
    var group = document.getElementById("photos-group");
    if (!group) return;
    var body = group.querySelector("tbody");
    var dragged = null;
    rows(body).forEach(function (row) {
      row.setAttribute("draggable", "true");
      var cell = row.querySelector("td.original") || row.firstElementChild;
      var handle = document.createElement("span");
      handle.className = "hearth-drag-handle";
      handle.title = "Drag to reorder";
      handle.textContent = "⠿";
      cell.insertBefore(handle, cell.firstChild);
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("hearth-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "photo");
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("hearth-dragging");
        body.querySelectorAll(".hearth-drop-target").forEach(function (r) {
          r.classList.remove("hearth-drop-target");
        });
        dragged = null;
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) return;
        event.preventDefault();
        row.classList.add("hearth-drop-target");
      });
      row.addEventListener("dragleave", function () { row.classList.remove("hearth-drop-target"); });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        row.classList.remove("hearth-drop-target");
        if (!dragged || dragged === row) return;
        var list = rows(body);
        var after = list.indexOf(dragged) < list.indexOf(row);
        body.insertBefore(dragged, after ? row.nextSibling : row);
        record(body);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
