// Trường Số: the written-page editor. Its live preview is rendered by the server, so it is
// exactly what readers will see; the new-material form shows only the fields of the chosen kind.
(function () {
  "use strict";

  function setupPreview(editor) {
    var area = editor.querySelector("textarea");
    var out = editor.querySelector("[data-preview]");
    var status = editor.querySelector("[data-preview-status]");
    var token = area && area.form && area.form.querySelector("input[name=csrf_token]");
    if (!area || !out || !token || !window.fetch) { return; }
    var timer = null;
    var sent = 0;
    var controller = null;

    function show(message) { if (status) { status.textContent = message || ""; } }

    function refresh() {
      var mine = ++sent;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var body = new URLSearchParams();
      body.set("body_markdown", area.value);
      fetch(editor.getAttribute("data-preview-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token.value },
        body: body,
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (response.status === 413) { throw new Error("too-long"); }
        if (!response.ok || response.redirected) { throw new Error("failed"); }
        return response.text();
      }).then(function (html) {
        if (mine !== sent) { return; }
        out.innerHTML = html;  // sanitised by the server's renderer, the same one the page uses
        show("");
      }).catch(function (error) {
        if (error.name === "AbortError" || mine !== sent) { return; }
        show(editor.getAttribute(error.message === "too-long" ? "data-too-long" : "data-error"));
      });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
  }

  // Upload an image without leaving the editor: its Markdown goes into the text at the cursor.
  function setupImages(form) {
    var area = document.getElementById(form.getAttribute("data-target"));
    var status = form.querySelector("[data-image-status]");
    var token = form.querySelector("input[name=csrf_token]");
    if (!area || !token || !window.fetch || !window.FormData) { return; }
    function show(message) { if (status) { status.textContent = message || ""; } }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show("");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": token.value, "Accept": "application/json" },
        body: new FormData(form)
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; },
                                     function () { return { ok: false, data: {} }; });
      }).then(function (answer) {
        if (!answer.ok || !answer.data.markdown) {
          show(answer.data.detail || form.getAttribute("data-error"));
          return;
        }
        var start = area.selectionStart || 0;
        var end = area.selectionEnd || start;
        var text = "\n" + answer.data.markdown + "\n";
        area.value = area.value.slice(0, start) + text + area.value.slice(end);
        area.selectionStart = area.selectionEnd = start + text.length;
        area.dispatchEvent(new Event("input"));
        form.reset();
        show(form.getAttribute("data-added"));
      }).catch(function () { show(form.getAttribute("data-error")); });
    });
  }

  function setupKinds(select) {
    var parts = document.querySelectorAll("[data-for-kind]");
    function update() {
      Array.prototype.forEach.call(parts, function (part) {
        var kinds = part.getAttribute("data-for-kind").split(" ");
        part.hidden = kinds.indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-editor]"), setupPreview);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-image-upload]"), setupImages);
    var kind = document.querySelector("select[data-kind-select]");
    if (kind) { setupKinds(kind); }
  });
})();
