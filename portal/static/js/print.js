// The print page's "Print" button: shown only when this script runs (without it, the browser's menu prints).
(function () {
  var button = document.getElementById("print-button");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
