// /move-in/: on a phone the fourteen items make a long page. An item's comment and photos fold away while it
// is good (or not answered yet) and open for damaged or missing; "Add a comment or photos" opens them anyway.
// Items with a comment, photos or an error stay open. Without JavaScript everything is simply shown.
(function () {
  "use strict";

  document.querySelectorAll(".move-in-form fieldset.item").forEach(function (item) {
    var details = item.querySelector(".item-details");
    if (!details) { return; }
    var comment = details.querySelector("textarea");
    var opened = Boolean((comment && comment.value.trim()) || details.querySelector(".photos, .error") ||
      item.classList.contains("has-error"));
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button";
    toggle.textContent = (document.querySelector("[data-rest-good]") || {dataset: {}}).dataset.toggle ||
      "Add a comment or photos";
    toggle.setAttribute("aria-controls", details.id);
    details.parentNode.insertBefore(toggle, details);

    function update() {
      var checked = item.querySelector("input[type=radio]:checked");
      var show = opened || (checked && checked.value !== "good");
      details.hidden = !show;
      toggle.style.display = show ? "none" : "";  // .button sets display, which beats [hidden]
      toggle.setAttribute("aria-expanded", show ? "true" : "false");
    }

    toggle.addEventListener("click", function () {
      opened = true;
      update();
      if (comment) { comment.focus(); }
    });
    item.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });

  // "Everything else is in order": every item not answered yet becomes Good (and folds away).
  var rest = document.querySelector("[data-rest-good]");
  if (rest) {
    rest.hidden = false;
    rest.querySelector("button").addEventListener("click", function () {
      var marked = 0;
      document.querySelectorAll(".move-in-form fieldset.item").forEach(function (item) {
        var good = item.querySelector("input[type=radio][value=good]");
        if (good && !item.querySelector("input[type=radio]:checked")) {
          good.checked = true;
          good.dispatchEvent(new Event("change", { bubbles: true }));
          marked += 1;
        }
      });
      rest.querySelector("[data-rest-good-done]").textContent = marked  // the sentences come translated
        ? (marked === 1 ? rest.dataset.one : rest.dataset.many).replace("{count}", marked)
        : rest.dataset.none;
    });
  }

  // Submitting is final: the Submit button asks first (without JavaScript the help text below it says so).
  var submit = document.querySelector("[data-confirm-submit]");
  var box = document.querySelector("[data-confirm-box]");
  if (submit && box) {
    submit.addEventListener("click", function (event) {
      event.preventDefault();
      box.hidden = false;
      box.focus();
    });
    box.querySelector("[data-confirm-cancel]").addEventListener("click", function () {
      box.hidden = true;
      submit.focus();
    });
  }
})();
