// Live progress of a reminder batch on /admin/move-in: polls the batch's JSON until nothing is left to send.
(function () {
  "use strict";
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
    if (eta) { eta.textContent = data.estimated_done ? data.estimated_done.replace("T", " ") + " UTC" : "–"; }
    var bar = panel.querySelector("[data-bar]");
    if (bar) { bar.style.width = (data.total ? Math.round(100 * data.sent / data.total) : 0) + "%"; }
    var state = panel.querySelector("[data-state]");
    if (state) {
      state.textContent = data.done ? "Nothing left to send."
        : "Sending as the daily mail budget allows; this updates by itself.";
    }
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

  function schedule() {
    window.setTimeout(poll, delay);
    delay = Math.min(delay * 1.3, 15000);
  }

  schedule();
})();
