// The studio's draft editor, enhanced. Every form on the page also works on its own without
// this file; here they are sent in the background as the editor types, so a closed tab loses
// nothing, and goals can be dragged (SortableJS) as well as moved with the buttons.
//
// Each save names the draft's revision; the server answers with the next one, which every form
// on the page then carries. A save refused because someone else saved first (409) says so and
// stops saving, so nobody's work is overwritten without them seeing it.
(function () {
  "use strict";
  const status = document.getElementById("draft-status");
  if (!status) return;
  let stopped = false;
  const timers = new WeakMap();

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("save-state-error", Boolean(isError));
    if (isError) status.setAttribute("role", "alert");
  }

  function setRevision(revision) {
    document.querySelectorAll('input[name="revision"]').forEach(function (input) {
      input.value = revision;
    });
  }

  function showProblems(state) {
    document.querySelectorAll("[data-problems^='goal-']").forEach(function (list) {
      const key = list.dataset.problems.slice(5);
      const found = state.goals[key] || [];
      list.replaceChildren.apply(list, found.map(function (text) {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      list.hidden = found.length === 0;
    });
    const count = document.getElementById("problem-count");
    if (count) {
      count.textContent = state.count ? state.count + (state.count === 1 ? " problem" : " problems") +
        " to fix before publishing, each shown beside its goal." : "No problems: this draft can be published.";
    }
  }

  function send(form) {
    if (stopped) return Promise.resolve();
    say("Saving…");
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) { return { response: response, body: body }; });
    }).then(function (result) {
      const body = result.body;
      if (result.response.ok && body.ok) {
        setRevision(body.revision);
        showProblems(body);
        say("All changes saved at " + new Date().toLocaleTimeString() + ".");
        return;
      }
      const messages = Object.values(body.errors || {}).flat();
      if (result.response.status === 409) {
        stopped = true;
        say("Not saved: " + messages.join(" ") + " Copy anything you typed, then reload.", true);
      } else {
        say("Not saved: " + (messages.join(" ") || "the change was refused.") +
          " Fix it and it will be saved.", true);
      }
    }).catch(function () {
      say("Not saved: the server could not be reached. Your text is still here; it will be " +
        "sent with your next change.", true);
    });
  }

  // Typing saves after a pause; leaving a field saves at once.
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("input", function () {
      clearTimeout(timers.get(form));
      timers.set(form, setTimeout(function () { send(form); }, 1200));
    });
    form.addEventListener("change", function (event) {
      clearTimeout(timers.get(form));
      // A goal moved to another milestone belongs somewhere else on the page: reload after.
      const moved = event.target.name === "milestone";
      send(form).then(function () { if (moved && !stopped) window.location.reload(); });
    });
  });

  // Drag and drop between and within milestones; the hidden order form carries the result.
  const orderForm = document.getElementById("order-form");
  if (window.Sortable && orderForm) {
    document.querySelectorAll(".studio-editable").forEach(function (list) {
      window.Sortable.create(list, {
        group: "goals", handle: ".drag-handle", animation: 150,
        forceFallback: true, fallbackTolerance: 3,  // pointer events: mouse, touch and pen alike
        onEnd: function () {
          document.querySelectorAll(".studio-editable").forEach(function (each) {
            const keys = Array.from(each.children).map(function (li) { return li.dataset.key; });
            orderForm.elements[each.dataset.milestone].value = keys.join(",");
          });
          send(orderForm);
        },
      });
    });
  }
})();
