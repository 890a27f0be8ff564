// /admin/move-in: the reminder button disables itself once pressed (the server is safe against a double
// click anyway), and the live progress of a reminder batch polls its JSON until nothing is left to send.
(function () {
  "use strict";

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  var panel = document.querySelector("[data-progress-url]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-progress-url");
  var delay = 2000;

  function show(data) {
    ["total", "sent", "queued", "waiting", "failed", "unknown"].forEach(function (key) {
      var cell = panel.querySelector('[data-count="' + key + '"]');
      if (cell) { cell.textContent = data[key]; }
    });
    var eta = panel.querySelector('[data-time="estimated_done"]');
    if (eta) {  // residence time, UTC in the tooltip (as the server renders it)
      eta.textContent = data.estimated_done_local || "–";
      eta.title = data.estimated_done ? data.estimated_done.slice(0, 16).replace("T", " ") + " UTC" : "";
    }
    var bar = panel.querySelector("[data-bar]");
    if (bar) { bar.max = data.total || 1; bar.value = data.sent; }
    var state = panel.querySelector("[data-state]");
    if (state) {
      state.textContent = data.done ? state.getAttribute("data-done-text")
        : state.getAttribute("data-sending-text");
    }
  }

  function schedule() {
    window.setTimeout(poll, delay);
    delay = Math.min(delay * 1.3, 15000);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || !data.done) { schedule(); }
      })
      .catch(schedule);
  }

  schedule();
})();
