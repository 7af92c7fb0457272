// The reception tablet: one section per screen, a summary, idle wipe, auto reset.
// Progressive enhancement: without JavaScript the page is one long form.
"use strict";

// The page's words for what this script writes, in the patient's language (page-words).
const WORDS = JSON.parse(document.getElementById("page-words")?.textContent || "{}");
function say(key, fallback, values = {}) {
  return Object.entries(values).reduce((text, [name, value]) => text.replace(`{${name}}`, value),
                                       WORDS[key] || fallback);
}

function questionValue(question) {
  const checked = [...question.querySelectorAll("input:checked")];
  if (question.querySelector("input[type=radio], input[type=checkbox]")) {
    return checked.map((input) => input.closest("label").textContent.trim()).join(", ");
  }
  const field = question.querySelector("input, textarea, select");
  return field ? spokenDate(field.value.trim()) : "";
}

// Dates as every page and the PDF say them: "14 May 1988", or "May 1988" for a month alone.
function spokenDate(text) {
  const parts = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (!parts) return text;
  const when = new Date(Date.UTC(+parts[1], +parts[2] - 1, +(parts[3] || 1)));
  const options = {month: "long", year: "numeric", timeZone: "UTC"};
  if (parts[3]) options.day = "numeric";
  const lang = document.documentElement.lang;
  return when.toLocaleDateString(!lang || lang === "en" ? "en-GB" : lang, options);
}

function questionLabel(question) {
  const label = question.querySelector("legend, label, .label");
  return label ? label.textContent.trim() : "";
}

// Comfort check on "Next": this screen's required answers (the server checks all again).
// A signature pad counts as answered once drawn on, or once "I can't draw" is ticked.
function unsigned(question) {
  const typed = question.querySelector("input[type=checkbox]");
  return !question.querySelector("input[type=hidden]").value && !(typed && typed.checked);
}

function unanswered(step) {
  return [...step.querySelectorAll(".question")].filter((question) => {
    if (question.closest("[hidden]") && question.closest("[hidden]") !== step) return false;
    if (question.hasAttribute("data-signature")) return unsigned(question);
    const required = [...question.querySelectorAll("input[required], textarea[required], select[required]")];
    if (!required.length) return false;
    const boxes = required.filter((input) => input.type === "radio" || input.type === "checkbox");
    if (boxes.length) return !boxes.some((input) => input.checked);
    return !required.every((input) => input.value.trim() && input.checkValidity());
  });
}

function markUnanswered(step, questions) {
  for (const note of step.querySelectorAll("[data-client-error]")) note.remove();
  for (const question of step.querySelectorAll(".question[data-unanswered]")) {
    delete question.dataset.unanswered;
    question.classList.remove("has-error");
  }
  for (const question of questions) {
    const note = document.createElement("p");
    note.className = "error";
    note.id = `${question.id}-unanswered`;
    note.dataset.clientError = "";
    note.setAttribute("role", "alert");
    note.textContent = question.hasAttribute("data-signature")
      ? say("sign", "Please sign in the box.") : say("answer", "Please answer this question.");
    question.querySelector("legend, label, .label").after(note);
    question.classList.add("has-error");
    question.dataset.unanswered = "";
  }
  if (questions.length) {
    questions[0].scrollIntoView();
    questions[0].querySelector("input, textarea, select").focus({ preventScroll: true });
  }
}

// A patient under 18 on the day: the parent's or guardian's screen is shown.
function isMinor() {
  const born = document.getElementById("date_of_birth").value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(born)) return false;
  const [year, month, day] = born.split("-").map(Number);
  const today = new Date();
  const birthdayPassed = today.getMonth() + 1 > month ||
    (today.getMonth() + 1 === month && today.getDate() >= day);
  return today.getFullYear() - year - (birthdayPassed ? 0 : 1) < 18;
}

function setUpSteps(form) {
  const welcome = document.getElementById("welcome");
  const steps = [...form.querySelectorAll("section.step")];
  const nav = form.querySelector(".step-nav");
  const back = nav.querySelector("[data-back]");
  const next = nav.querySelector("[data-next]");
  const progress = nav.querySelector("[data-progress]");
  const review = steps.findIndex((step) => step.hasAttribute("data-review"));
  let current = -1;
  let returnToReview = false;

  function buildReview() {
    const list = steps[review].querySelector("[data-review-list]");
    list.replaceChildren();
    steps.slice(0, review).forEach((step, index) => {
      const questions = [...step.querySelectorAll(".question")].filter((q) => !q.hidden);
      if (!questions.length) return;
      const heading = document.createElement("h3");
      heading.textContent = step.dataset.title;
      const table = document.createElement("dl");
      for (const question of questions) {
        const term = document.createElement("dt");
        term.textContent = questionLabel(question);
        const value = document.createElement("dd");
        value.textContent = questionValue(question) || say("not_answered", "Not answered");
        table.append(term, value);
      }
      const change = document.createElement("button");
      change.type = "button";
      change.className = "secondary";
      change.textContent = say("change", "Change “{title}”", { title: step.dataset.title });
      change.addEventListener("click", () => { returnToReview = true; show(index); });
      list.append(heading, table, change);
    });
  }

  // Before signing, the patient reads what their answers mean for them (the server judges).
  function tellWhatThisMeans(box) {
    fetch(box.dataset.forYou, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { lines: [] }))
      .then(({ lines }) => {
        box.querySelector("ul").replaceChildren(...lines.map((line) => {
          const item = document.createElement("li");
          item.textContent = line;
          return item;
        }));
        box.hidden = !lines.length;
      })
      .catch(() => { box.hidden = true; });
  }

  function show(index) {
    current = index;
    welcome.hidden = index >= 0;
    steps.forEach((step, n) => { step.hidden = n !== index; });
    nav.hidden = index < 0;
    if (index < 0) return;
    if (index === review) buildReview();
    const forYou = steps[index].querySelector("[data-for-you]");
    if (forYou) tellWhatThisMeans(forYou);
    back.hidden = false;
    const last = index === steps.length - 1;
    next.hidden = last;
    // On a screen with a signature pad the bar stays in the flow: it never covers the pad.
    nav.classList.toggle("at-end", last || !!steps[index].querySelector("[data-signature]"));
    next.textContent = returnToReview && index < review
      ? say("back_to_summary", "Back to the summary") : say("next", "Next");
    progress.textContent = say("step", "Step {number} of {total}: {title}",
                               { number: index + 1, total: steps.length, title: steps[index].dataset.title });
    window.scrollTo(0, 0);
    steps[index].querySelector("h2").focus({ preventScroll: true });
  }

  for (const step of steps) step.querySelector("h2").tabIndex = -1;
  welcome.querySelector("[data-start]").addEventListener("click", () => show(0));
  // Screens only some patients see (the guardian's) are stepped over for the others.
  const applies = (index) => !steps[index].hasAttribute("data-minor-only") || isMinor();
  const step = (from, by) => {
    let index = from + by;
    while (index >= 0 && index < steps.length && !applies(index)) index += by;
    return index;
  };
  back.addEventListener("click", () => show(step(current, -1)));
  next.addEventListener("click", () => {
    const missing = unanswered(steps[current]);
    markUnanswered(steps[current], missing);
    if (missing.length) return;
    if (returnToReview && current < review) {
      returnToReview = false;
      show(review);
    } else {
      show(step(current, 1));
    }
  });
  // Errors from the server: open the screen of the first one, and make the summary's
  // links switch screens.
  const stepOf = (element) => steps.indexOf(element.closest("section.step"));
  for (const link of form.querySelectorAll(".error-summary a")) {
    link.addEventListener("click", (event) => {
      const target = document.querySelector(link.getAttribute("href"));
      if (!target) return;
      event.preventDefault();
      show(stepOf(target));
      target.scrollIntoView();
      const input = target.querySelector("input, textarea");
      if (input) input.focus();
    });
  }
  // A corrected answer leaves the server's error summary: it lists only what is still wrong.
  const summary = form.querySelector(".error-summary");
  for (const question of form.querySelectorAll(".question.has-error")) {
    question.addEventListener("change", () => {
      question.classList.remove("has-error");
      for (const note of question.querySelectorAll(".error:not([hidden])")) note.remove();
      const link = summary && summary.querySelector(`a[href="#${question.id}"]`);
      if (link) link.closest("li").remove();
      if (summary && !summary.querySelector("li")) summary.hidden = true;
    });
  }
  const firstError = form.querySelector(".has-error");
  show(firstError ? stepOf(firstError) : -1);
  return () => show(-1);
}

function setUpIdleWipe(form) {
  const idle = Number(form.dataset.idleSeconds) * 1000;
  const warning = Number(form.dataset.warningSeconds);
  const dialog = document.querySelector(".idle-dialog");
  const countdown = dialog.querySelector("[data-countdown]");
  let idleTimer = 0;
  let tick = 0;

  function wipe() {
    // Nothing was saved on this device; a fresh page load leaves no trace of the answers.
    form.reset();
    window.location.replace(form.dataset.wipeTo || window.location.pathname);
  }
  function warn() {
    let left = warning;
    countdown.textContent = String(left);
    dialog.hidden = false;
    dialog.querySelector("[data-still-here]").focus();
    tick = window.setInterval(() => {
      left -= 1;
      countdown.textContent = String(left);
      if (left <= 0) { window.clearInterval(tick); wipe(); }
    }, 1000);
  }
  function activity() {
    if (!dialog.hidden) return;
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, idle);
  }
  dialog.querySelector("[data-still-here]").addEventListener("click", () => {
    window.clearInterval(tick);
    dialog.hidden = true;
    activity();
  });
  for (const type of ["pointerdown", "keydown", "input", "scroll"]) {
    document.addEventListener(type, activity, { passive: true });
  }
  activity();
}

function setUpThanks(thanks) {
  let left = Number(thanks.dataset.resetAfter);
  const countdown = thanks.querySelector("[data-countdown]");
  window.setInterval(() => {
    left -= 1;
    if (countdown) countdown.textContent = String(Math.max(left, 0));
    if (left <= 0) window.location.replace("/");
  }, 1000);
}

// A page restored from the back-forward cache may still hold a previous patient's answers.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && document.body.classList.contains("kiosk")) window.location.reload();
});

// Comfort checks before sending; the server checks both again.
function signingProblem() {
  const squash = (text) => text.replace(/\s+/g, "").toLowerCase();
  const value = (id) => document.getElementById(id).value;
  let mismatch = document.getElementById("signed-name-mismatch");
  if (!mismatch) {
    mismatch = document.createElement("p");
    mismatch.className = "error";
    mismatch.id = "signed-name-mismatch";
    mismatch.hidden = true;
    mismatch.textContent = say("signed_name",
                               "Please type your first and last name as given on the first page.");
    document.getElementById("signed_name").before(mismatch);
  }
  mismatch.hidden = true;
  document.getElementById("signature-empty").hidden = true;
  if (squash(value("signed_name")) !== squash(value("first_name") + value("last_name"))) {
    return mismatch;
  }
  if (document.getElementById("signature_typed").checked) return null;  // the typed name signs
  return value("signature") ? null : document.getElementById("signature-empty");
}

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  const form = document.getElementById("questionnaire");
  if (form) {
    setUpSteps(form);
    setUpIdleWipe(form);
    // "I can't draw a signature": the typed name is the signature, the pad steps aside
    // (the patient's, and the guardian's on their own screen).
    for (const typed of form.querySelectorAll("[data-signature] input[type=checkbox]")) {
      const pad = typed.closest("[data-signature]").querySelector("[data-drawn-signature]");
      const follow = () => { pad.hidden = typed.checked; };
      typed.addEventListener("change", follow);
      follow();
    }
    form.addEventListener("submit", (event) => {
      const problem = signingProblem();
      if (problem) {
        event.preventDefault();
        problem.hidden = false;
        problem.scrollIntoView();
      }
    });
  }
  const thanks = document.querySelector("[data-reset-after]");
  if (thanks) setUpThanks(thanks);
});
