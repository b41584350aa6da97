// The model editor: a line-number gutter for the YAML, problems marked on the lines they
// name, 4xx answers of the editor's calls shown in place, and the clues a run found.
(function () {
  "use strict";

  function editorParts() {
    var ta = document.querySelector('[data-testid="model-editor"]');
    var gutter = document.querySelector(".editor .gutter");
    return ta && gutter ? { ta: ta, gutter: gutter } : null;
  }

  // The gutter holds one numbered item per line of the text.
  function renumber(p) {
    var lines = p.ta.value.split("\n").length;
    var have = p.gutter.children.length;
    for (var i = have; i < lines; i++) {
      var li = document.createElement("li");
      li.setAttribute("data-line", String(i + 1));
      li.textContent = String(i + 1);
      p.gutter.appendChild(li);
    }
    while (p.gutter.children.length > lines) { p.gutter.removeChild(p.gutter.lastChild); }
    p.gutter.scrollTop = p.ta.scrollTop;
  }

  // Marks the gutter lines that the shown problems name, with the message as a tooltip.
  function markProblems(p) {
    p.gutter.querySelectorAll("li.problem").forEach(function (li) { li.classList.remove("problem"); li.removeAttribute("title"); });
    document.querySelectorAll(".problems li[data-line]").forEach(function (item) {
      var li = p.gutter.querySelector('li[data-line="' + item.getAttribute("data-line") + '"]');
      if (li) {
        li.classList.add("problem");
        li.title = (li.title ? li.title + "\n" : "") + item.textContent.trim();
      }
    });
  }

  // Selects line n of the textarea and scrolls it into view.
  function goToLine(p, n) {
    var lines = p.ta.value.split("\n");
    if (n < 1 || n > lines.length) { return; }
    var start = 0;
    for (var i = 0; i < n - 1; i++) { start += lines[i].length + 1; }
    p.ta.focus();
    p.ta.setSelectionRange(start, start + lines[n - 1].length);
    var lh = parseFloat(window.getComputedStyle(p.ta).lineHeight) || 18;
    p.ta.scrollTop = Math.max(0, (n - 3) * lh);
    p.gutter.scrollTop = p.ta.scrollTop;
  }

  // A finished run shows what it found: clues found, new, kept and gone.
  function showRun(box) {
    var card = box.querySelector("[data-job]");
    var out = box.querySelector(".run-clues");
    if (!card || !out || out.dataset.shown) { return; }
    if (card.getAttribute("data-status") !== "done") { return; }
    out.dataset.shown = "1";
    fetch("/api/v1/jobs/" + encodeURIComponent(card.getAttribute("data-job")), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var runs = (j.result && j.result.runs) || [];
        out.textContent = runs.map(function (r) {
          return procura.t("models.run_clues") + ": " + r.clues_found + " (" + procura.t("models.run_new") + " " + r.clues_new +
            ", " + procura.t("models.run_kept") + " " + r.clues_kept + ", " + procura.t("models.run_gone") + " " + r.clues_gone + ")";
        }).join("; ");
        refreshHistory();
      });
  }

  // After a run, the history is re-read from the page, so the new run shows without a reload.
  function refreshHistory() {
    var old = document.getElementById("run-history");
    if (!old) { return; }
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("run-history");
        if (fresh) { old.replaceWith(document.importNode(fresh, true)); }
      });
  }

  function watchRuns(root) {
    root.querySelectorAll(".model-job").forEach(function (box) {
      var card = box.querySelector("[data-job]");
      if (!card || box.dataset.watched) { return; }
      box.dataset.watched = "1";
      new MutationObserver(function () { showRun(box); }).observe(card, { attributes: true, attributeFilter: ["data-status"] });
      showRun(box);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var p = editorParts();
    if (p) {
      renumber(p);
      p.ta.addEventListener("input", function () {
        renumber(p);
        // The marks name lines of the text that was validated; after an edit they may not.
        p.gutter.querySelectorAll("li.problem").forEach(function (li) { li.classList.remove("problem"); li.removeAttribute("title"); });
      });
      p.ta.addEventListener("scroll", function () { p.gutter.scrollTop = p.ta.scrollTop; });
    }
    document.addEventListener("click", function (e) {
      var ref = e.target.closest && e.target.closest(".line-ref");
      if (!ref || !p) { return; }
      e.preventDefault();
      goToLine(p, parseInt(ref.getAttribute("data-line"), 10));
    });
    watchRuns(document);
  });

  // The editor's calls answer refusals (400, 403, 404, 422) with a message for the place
  // they were made from: show it there instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var s = e.detail.xhr.status;
    if (s >= 400 && s < 500 && e.detail.target && e.detail.target.closest("#validation, #try, #run-job, #backtest")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function (e) {
    var p = editorParts();
    if (p) { markProblems(p); }
    watchRuns(e.target);
  });
})();
