/* Glossary popover: htmx loads a definition into #glossary-popover; this shows it, moves focus to it, and
   closes it (Close button or Escape) with focus back on the word. Without JavaScript the word links to the
   glossary page instead. No inline script or style: the CSP forbids both. */
(function () {
  "use strict";
  var opener = null;
  function box() { return document.getElementById("glossary-popover"); }
  function close() {
    var popover = box();
    if (!popover || popover.hidden) { return; }
    popover.hidden = true;
    popover.textContent = "";
    if (opener) { opener.focus(); opener = null; }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "glossary-popover") { opener = event.detail.elt; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var popover = box();
    if (!popover || event.detail.target !== popover) { return; }
    popover.hidden = false;
    var card = popover.querySelector("[tabindex='-1']");
    if (card) { card.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-popover-close]")) { close(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
}());
