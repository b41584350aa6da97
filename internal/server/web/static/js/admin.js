// Screening and audit pages: a form marked data-swap-errors shows the server's refusal (400,
// 404, 409: a page fragment with the message) in place, where htmx would drop it.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (e) {
    var form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-swap-errors]");
    var status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (form && status >= 400 && status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
