/* The meeting form's 全选 button: ticks every attendee's box (none are ticked to begin with). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-check-all]").forEach(function (button) {
      var name = button.getAttribute("data-check-all");
      var form = button.closest("form");
      button.hidden = false;
      button.addEventListener("click", function () {
        form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
          box.checked = true;
        });
      });
    });
  });
})();
