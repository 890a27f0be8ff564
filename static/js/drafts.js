// Drafts kept in this browser (localStorage) for forms marked data-draft="key": what is typed is saved as it is
// typed, offered back with a note when the form is opened again (after an outage ate the send, say), and
// cleared once the server confirms (the page after the send shows a success message). Without JavaScript the
// forms work as before. Logging out clears every draft (a shared computer keeps nobody's text).
(function () {
  "use strict";
  var PREFIX = "draft:", PENDING = "draft-pending";
  var store;
  try { store = window.localStorage; store.getItem(PREFIX); } catch (e) { return; }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && !/^(file|password|hidden|submit|button)$/.test(el.type);
    });
  }
  function read(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { (values[el.name] = values[el.name] || []).push(el.value); }
      } else if (el.value) {
        values[el.name] = el.value;
      }
    });
    return values;
  }
  function defaultIndex(select) {
    for (var i = 0; i < select.options.length; i++) { if (select.options[i].defaultSelected) { return i; } }
    return select.multiple ? -1 : 0;
  }
  function typedAnything(form) {
    return fields(form).some(function (el) {
      return el.type === "checkbox" || el.type === "radio" ? el.checked !== el.defaultChecked
        : el.tagName === "SELECT" ? el.selectedIndex !== defaultIndex(el)
        : el.value !== el.defaultValue;
    });
  }
  function restore(form, values) {
    var restored = false;
    fields(form).forEach(function (el) {
      if (!(el.name in values)) { return; }
      var saved = values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        var on = saved.indexOf(el.value) >= 0;
        restored = restored || on !== el.checked;
        el.checked = on;
      } else if (el.value !== saved) {
        el.value = saved;
        restored = true;
        el.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    return restored;
  }
  function note(form, key, savedAt) {
    var box = document.createElement("div");
    box.className = "flash flash-info draft-note";
    box.setAttribute("role", "status");
    var when = new Date(savedAt).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    box.appendChild(document.createTextNode("We filled in what you typed here on " + when +
      ": it was not sent yet. Check it and send it again. "));
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link-button";
    discard.textContent = "Discard this draft";
    discard.addEventListener("click", function () {
      store.removeItem(PREFIX + key);
      window.location.reload();
    });
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);
  }

  // The page after a send: a success message means the server has the text.
  var pending = window.sessionStorage && window.sessionStorage.getItem(PENDING);
  if (pending) {
    window.sessionStorage.removeItem(PENDING);
    if (document.querySelector(".flash-success")) { store.removeItem(PREFIX + pending); }
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = form.getAttribute("data-draft");
    var raw = store.getItem(PREFIX + key);
    if (raw && !form.querySelector(".has-error, [aria-invalid=true]")) {  // a refused send shows its own input
      try {
        var draft = JSON.parse(raw);
        if (!typedAnything(form) && restore(form, draft.values)) { note(form, key, draft.savedAt); }
      } catch (e) { store.removeItem(PREFIX + key); }
    }
    var timer = null;
    var save = function (event) {
      if (!event.isTrusted) { return; }  // another script's event (unfolding a section, say), not typing
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var values = read(form);
        try {
          if (Object.keys(values).length) {
            store.setItem(PREFIX + key, JSON.stringify({ savedAt: Date.now(), values: values }));
          } else {
            store.removeItem(PREFIX + key);
          }
        } catch (e) { /* storage full or refused: the form still works */ }
      }, 300);
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      try {
        store.setItem(PREFIX + key, JSON.stringify({ savedAt: Date.now(), values: read(form) }));
        if (window.sessionStorage) { window.sessionStorage.setItem(PENDING, key); }
      } catch (e) { /* nothing kept: the send goes ahead */ }
    });
  });

  document.querySelectorAll("form[data-logout]").forEach(function (form) {
    form.addEventListener("submit", function () {
      Object.keys(store).filter(function (k) { return k.indexOf(PREFIX) === 0; })
        .forEach(function (k) { store.removeItem(k); });
    });
  });
})();
