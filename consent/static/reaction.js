// The reaction form tells the patient to call 999 as soon as what they type matches one
// of the clinic's emergency signs (rules/reaction_signs.toml), before anything is sent.
"use strict";

(function () {
  const form = document.querySelector("form[data-emergency]");
  if (!form) return;
  const signs = JSON.parse(form.dataset.emergency).map((p) => new RegExp(p, "iu"));
  const banner = form.querySelector("[data-call-999]");
  const words = form.querySelector("textarea");
  const check = () => {
    const emergency = signs.some((sign) => sign.test(words.value));
    if (emergency && banner.hidden) banner.hidden = false;
    else if (!emergency) banner.hidden = true;
  };
  words.addEventListener("input", check);
  check();
})();
