// The clue queue and review screen (pages_clues.go): select all on a page, and show the
// server's answer to a refused form (400, 409) in place instead of dropping it, as htmx
// does with error answers by default.
(function () {
  "use strict";

  document.addEventListener("change", function (e) {
    var box = e.target;
    if (!box.classList || !box.classList.contains("select-all")) { return; }
    var table = box.closest("table");
    if (!table) { return; }
    table.querySelectorAll("input.pick").forEach(function (p) { p.checked = box.checked; });
  });

  // A tick box of a row unticked by hand unticks "select all" too.
  document.addEventListener("change", function (e) {
    var p = e.target;
    if (!p.classList || !p.classList.contains("pick")) { return; }
    var table = p.closest("table");
    var all = table && table.querySelector("input.select-all");
    if (all && !p.checked) { all.checked = false; }
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if ((status === 400 || status === 409) && e.detail.target && e.detail.target.closest("#clue-queue, [data-clues]")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
