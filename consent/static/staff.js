// Staff pages: ask before an action that cannot be undone at a click, and leave the screen
// when the server-side session has timed out, click or not, so an unattended desk does not
// keep showing patient records.
"use strict";

(function () {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  const body = document.body;
  const seconds = Number(body.dataset.idleSeconds);
  if (!seconds) return;
  window.setTimeout(() => window.location.replace(body.dataset.loginUrl), seconds * 1000);
})();
