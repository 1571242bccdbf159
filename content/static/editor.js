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
    var kind = document.querySelector("select[data-kind-select]");
    if (kind) { setupKinds(kind); }
  });
})();
