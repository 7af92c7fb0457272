// Signature pad and skip logic. Progressive enhancement: the server checks everything.
"use strict";

function setUpSignaturePad(canvas) {
  const input = document.getElementById(canvas.dataset.input);
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width,
            (event.clientY - box.top) * canvas.height / box.height];
  }
  function save() {
    input.value = strokes ? canvas.toDataURL("image/png") : "";
  }
  function clear() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    strokes = 0;
    save();
  }
  ctx.lineWidth = 4;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#111";
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    ctx.beginPath();
    ctx.moveTo(...point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    ctx.lineTo(...point(event));
    ctx.stroke();
    event.preventDefault();
  });
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) {
    canvas.addEventListener(type, () => {
      if (!drawing) return;
      drawing = false;
      strokes += 1;
      save();
    });
  }
  canvas.closest("[data-signature]").querySelector("[data-clear-signature]")
    .addEventListener("click", clear);
  // The drawing is kept in canvas pixels, so resizing the page only rescales it.
  input.value = "";
}

function setUpSkipLogic(form) {
  const dependents = form.querySelectorAll("[data-show-if]");
  function refresh() {
    for (const element of dependents) {
      const [name, value] = element.dataset.showIf.split("=");
      const chosen = form.querySelector(`[name="${name}"]:checked`);
      element.hidden = !(chosen && chosen.value === value);
    }
  }
  form.addEventListener("change", refresh);
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const canvas of document.querySelectorAll("canvas.signature-pad")) setUpSignaturePad(canvas);
  const form = document.getElementById("questionnaire");
  if (form) setUpSkipLogic(form);
});
