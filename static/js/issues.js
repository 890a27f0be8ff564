// Issue pages: check photo count and size before a slow upload; the chosen category's self-help tips (and a
// note to the server that they were shown); "Add another time" for a visit; the print button on the poster.
(function () {
  "use strict";
  function selfHelp(form) {
    var select = form.querySelector("select[name=category]");
    var box = document.getElementById("self-help");
    var start = form.querySelector("input[name=start]");
    var token = form.querySelector("input[name=csrf_token]");
    var told = {};
    if (!select) { return; }
    if (box) { box.classList.add("js-tips"); box.open = true; }
    var show = function () {
      var chosen = select.value;
      var any = false;
      if (box) {
        box.querySelectorAll("[data-tip-category]").forEach(function (tip) {
          tip.hidden = tip.dataset.tipCategory !== chosen;
          any = any || !tip.hidden;
        });
        box.hidden = !any;
      }
      if (chosen && start && start.value && !told[chosen] && window.fetch) {
        told[chosen] = true;
        var body = new FormData();
        body.append("start", start.value);
        body.append("category", chosen);
        if (token) { body.append("csrf_token", token.value); }
        window.fetch(form.dataset.tipUrl, {method: "POST", body: body, credentials: "same-origin"})
          .catch(function () { told[chosen] = false; });
      }
    };
    select.addEventListener("change", show);
    show();
  }
  var form = document.getElementById("report-form");
  if (form) {
    var input = form.querySelector("input[type=file]");
    var note = document.getElementById("photo-check");
    var maxFiles = parseInt(form.dataset.maxFiles, 10);
    var maxBytes = parseInt(form.dataset.maxMb, 10) * 1024 * 1024;
    var check = function () {
      var files = Array.prototype.slice.call(input.files || []);
      var problem = "";
      if (files.length > maxFiles) {
        problem = form.dataset.tooMany;  // translated on the page
      } else {
        files.forEach(function (file) {
          if (!problem && file.size > maxBytes) {
            problem = form.dataset.tooLarge.replace("{name}", file.name);
          }
        });
      }
      note.textContent = problem;
      note.hidden = !problem;
      input.setCustomValidity(problem);
      return !problem;
    };
    if (input && note) {
      input.addEventListener("change", check);
      form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); input.focus(); }
      });
    }
  }
  if (form) {
    selfHelp(form);
  }
  if (window.matchMedia("(min-width: 700px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }
  // "When can staff come?": one row shows; "Add another time" shows the next (without JS, each save adds one).
  document.querySelectorAll("[data-slots]").forEach(function (list) {
    var add = list.querySelector("[data-add-slot]");
    var spare = function () { return list.querySelector(".slot-row[hidden]"); };
    add.hidden = !spare();
    add.addEventListener("click", function () {
      var row = spare();
      if (row) { row.hidden = false; row.querySelector("input").focus(); }
      add.hidden = !spare();
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
