// Small enhancements; every page works without this file.
(function () {
  "use strict";
  // Typing into an optional section ticks its "this applies" box.
  document.querySelectorAll("details.section.optional").forEach(function (section) {
    var box = section.querySelector(".toggle input[type=checkbox]");
    if (!box) return;
    section.addEventListener("input", function (e) {
      if (e.target !== box && e.target.value) box.checked = true;
    });
  });
  // Move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  // A print button, where printing is possible.
  var print = document.getElementById("print");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  // On paper every folded explanation ("why you qualify") is open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.print-open").forEach(function (d) { d.open = true; });
  });
  // Copying the status link, where the browser allows it; the field is selectable anyway.
  var copy = document.getElementById("copy-link");
  var link = document.getElementById("status-link");
  if (copy && link && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(link.value).then(function () {
        copy.textContent = copy.textContent.replace(/^.*$/, copy.textContent + " ✓");
      });
    });
    link.addEventListener("focus", function () { link.select(); });
  }
})();
