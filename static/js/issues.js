// Issue pages: check photo count and size before a slow upload; the print button on the poster.
(function () {
  "use strict";
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
        problem = "Please choose at most " + maxFiles + " photos.";
      } else {
        files.forEach(function (file) {
          if (!problem && file.size > maxBytes) {
            problem = file.name + " is larger than " + form.dataset.maxMb + " MB. Please choose a smaller photo.";
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
  if (window.matchMedia("(min-width: 700px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
