// Small progressive enhancements. The app works fully without this file.
//
// The plan page sends its forms through htmx (hx-boost) and swaps <main> in place instead of
// reloading the page. A swap replaces the element that had focus, so here we put the reader back
// where they were: on the goal (or section) whose form they just sent, opened, with focus on it.
(function () {
  "use strict";
  let lastPlace = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt.closest("form");
    const place = form && form.parentElement ? form.parentElement.closest("[id]") : null;
    lastPlace = place ? place.id : null;
  });

  // The server could not be reached at all: say so, since nothing on the page would change.
  document.addEventListener("htmx:sendError", function () {
    const main = document.getElementById("main");
    if (!main) return;
    const note = document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "alert");
    note.textContent = "The server could not be reached, so nothing was saved. " +
      "Check your connection and try again.";
    main.prepend(note);
    note.scrollIntoView({ block: "nearest" });
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lastPlace) return;
    const place = document.getElementById(lastPlace);
    lastPlace = null;
    if (!place) return;
    const details = place.querySelector("details");
    if (details && place.classList.contains("goal")) details.open = true;
    const summary = place.querySelector("summary") || place;
    if (!summary.hasAttribute("tabindex") && summary === place) place.setAttribute("tabindex", "-1");
    summary.focus({ preventScroll: true });
    place.scrollIntoView({ block: "nearest" });
  });

  // The Print button of a signed check-in (the page allows no inline script).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
