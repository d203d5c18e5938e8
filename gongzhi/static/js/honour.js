// Honour ballot: at most k choices per category, said in words beside the boxes (the server checks again).
(function () {
  "use strict";
  function update(group) {
    const max = parseInt(group.getAttribute("data-max"), 10);
    const boxes = group.querySelectorAll("input[type=checkbox]");
    const ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
    const note = group.querySelector(".limit");
    if (!note) { return; }
    const over = ticked > max;
    note.classList.toggle("over", over);
    note.textContent = over
      ? group.getAttribute("data-over").replace("%(n)s", ticked)
      : group.getAttribute("data-left").replace("%(n)s", ticked);
  }
  document.addEventListener("change", function (event) {
    const group = event.target.closest && event.target.closest(".ballot-category");
    if (group) { update(group); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".ballot-category").forEach(update);
  });
})();
