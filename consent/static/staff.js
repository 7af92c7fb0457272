// Staff pages leave the screen when the server-side session has timed out, click or not,
// so an unattended desk does not keep showing patient records.
"use strict";

(function () {
  const body = document.body;
  const seconds = Number(body.dataset.idleSeconds);
  if (!seconds) return;
  window.setTimeout(() => window.location.replace(body.dataset.loginUrl), seconds * 1000);
})();
