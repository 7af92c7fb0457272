// One-time links carry their token after '#', which never reaches a server or its logs.
// Move it into the form, drop it from the address bar, and ask at once if it still works.
"use strict";

(function () {
  const form = document.querySelector("form[data-link-form]");
  if (!form) return;
  const field = form.querySelector("input.link-token");
  const token = decodeURIComponent(window.location.hash.slice(1));
  if (!token) return;  // opened without its fragment: the person types the code
  field.value = token;
  history.replaceState(null, "", window.location.pathname);
  const question = field.closest(".question");
  if (question) question.hidden = true;
  const invalid = document.querySelector("[data-link-invalid]");
  fetch(form.dataset.statusUrl, {method: "POST", body: new FormData(form),
                                 credentials: "same-origin"})
    .then((response) => response.json())
    .then((state) => {
      if (!state.valid) {
        form.hidden = true;
        invalid.hidden = false;
        invalid.focus();
      }
    })
    .catch(() => {});  // the server still checks the token when the form is sent
})();
