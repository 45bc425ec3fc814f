// Idle timeout, in the browser (the server's own timeout holds without this): two minutes before it, a dialog
// offers to stay signed in; at the timeout, the page is cleared of health data and the browser goes to the
// start page, which says why the session ended. Any request to the server renews the timeout.
(function () {
  'use strict';
  var dialog = document.getElementById('session-timeout');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  var idle = Number(dialog.dataset.idleSeconds) * 1000;
  var warn = Number(dialog.dataset.warnSeconds) * 1000;
  var warnTimer;
  var endTimer;

  function end() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var main = document.getElementById('main');
    if (main) {
      var note = document.createElement('p');
      note.textContent = dialog.dataset.endedText;
      main.replaceChildren(note);
    }
    if (dialog.open) dialog.close();
    window.location.replace('/');
  }

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(function () {
      if (!dialog.open) dialog.showModal();
      dialog.querySelector('h2').focus();
    }, Math.max(idle - warn, 0));
    // A second after the server's own timeout, so that the start page knows the session ended.
    endTimer = setTimeout(end, idle + 1000);
  }

  function stay() {
    fetch('/session/keep-alive', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRFToken': dialog.dataset.csrf }
    }).then(function (answer) {
      if (answer.status === 204) {
        if (dialog.open) dialog.close();
        arm();
      } else {
        end();
      }
    }, function () { /* offline: keep the dialog; the timeout still ends the session */ });
  }

  dialog.querySelector('[data-session-stay]').addEventListener('click', stay);
  dialog.querySelector('[data-session-leave]').addEventListener('click', function () {
    var signOut = document.querySelector('form[action="/logout"]');
    if (signOut) signOut.submit(); else end();
  });
  // Escape closes the dialog: take it as "stay", the choice that loses nothing.
  dialog.addEventListener('cancel', function (event) {
    event.preventDefault();
    stay();
  });
  document.addEventListener('htmx:afterRequest', arm);
  arm();
})();
