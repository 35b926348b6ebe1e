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
  // A table that scrolls sideways says so above it, in the page's language, while it overflows.
  var hintText = document.documentElement.lang === "en" ? "← The table scrolls sideways →" : "← 表格可左右滑动查看 →";
  function hints() {
    document.querySelectorAll(".scroll[role=region]").forEach(function (box) {
      var hint = box.previousElementSibling;
      var has = hint && hint.classList.contains("scroll-hint");
      var over = box.scrollWidth > box.clientWidth + 1;
      if (over && !has) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = hintText;
        box.parentNode.insertBefore(hint, box);
      } else if (!over && has) {
        hint.remove();
      }
    });
  }
  hints();
  window.addEventListener("resize", hints);
})();
