// Trường Số: a quiz attempt. Each answer is saved when the student changes it (the plain "Save" button does the
// same without JavaScript), and the timer counts down the seconds the server said were left; at zero the form is
// submitted, and the server (which keeps the real clock) accepts it within its grace period.
(function () {
  "use strict";

  function setupSaving(form) {
    var base = form.getAttribute("data-save-url");
    var token = form.querySelector("input[name=csrf_token]");
    if (!base || !token || !window.fetch || !window.URLSearchParams) { return; }
    var timers = {};
    var sent = {};

    function show(fieldset, message, failed) {
      var out = fieldset.querySelector("[data-saved]");
      if (!out) { return; }
      out.textContent = message || "";
      out.className = failed ? "saved error" : "saved";
    }

    function save(fieldset) {
      var slot = fieldset.getAttribute("data-slot");
      var mine = (sent[slot] || 0) + 1;
      sent[slot] = mine;
      var body = new URLSearchParams();
      fieldset.querySelectorAll("input, select, textarea").forEach(function (field) {
        if (!field.name || field.disabled) { return; }
        if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
        body.append(field.name, field.value);
      });
      fetch(base + slot, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token.value, "Accept": "application/json" },
        body: body
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      }).then(function (result) {
        if (mine !== sent[slot]) { return; }
        if (result.ok) {
          show(fieldset, form.getAttribute("data-saved-text") + " " + (result.answer.at || ""), false);
        } else {
          show(fieldset, result.answer.message || form.getAttribute("data-error-text"), true);
        }
      }).catch(function () {
        if (mine === sent[slot]) { show(fieldset, form.getAttribute("data-error-text"), true); }
      });
    }

    form.querySelectorAll("fieldset[data-slot]").forEach(function (fieldset) {
      var slot = fieldset.getAttribute("data-slot");
      fieldset.addEventListener("change", function () {
        window.clearTimeout(timers[slot]);
        save(fieldset);
      });
      fieldset.addEventListener("input", function (event) {
        var tag = event.target.tagName;
        if (tag !== "TEXTAREA" && !(tag === "INPUT" && event.target.type !== "radio" && event.target.type !== "checkbox")) { return; }
        window.clearTimeout(timers[slot]);
        timers[slot] = window.setTimeout(function () { save(fieldset); }, 1500);
      });
    });
  }

  function setupTimer(form) {
    var timer = form.querySelector("[data-seconds-left]");
    if (!timer) { return; }
    var out = timer.querySelector("[data-left]");
    var ends = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var finished = false;

    function pad(n) { return n < 10 ? "0" + n : String(n); }

    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      if (out) { out.textContent = Math.floor(left / 60) + ":" + pad(left % 60); }
      if (left === 0 && !finished) {
        finished = true;
        timer.textContent = timer.getAttribute("data-time-up-text");
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        form.submit();
        return;
      }
      if (!finished) { window.setTimeout(tick, 1000); }
    }
    tick();
  }

  document.querySelectorAll("form[data-quiz]").forEach(function (form) {
    setupSaving(form);
    setupTimer(form);
  });
}());
