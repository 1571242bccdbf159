// Trường Số: the AI tutor's panel asks without reloading the lesson. The form works without this script;
// when the request fails for a reason the script does not know, the form is sent the ordinary way.
(function () {
  "use strict";

  function fill(template, data) {
    var item = template.content.firstElementChild.cloneNode(true);
    item.id = "tutor-" + data.id;
    if (data.mode === "refused") { item.classList.add("refused"); }
    item.querySelector("[data-slot=question]").textContent = data.question;
    var urls = {};
    data.citations.forEach(function (c) { urls[c.ref] = c.url; });
    var answer = item.querySelector("[data-slot=answer]");
    var marks = /\[(\d{1,3})\]/g, last = 0, match;
    while ((match = marks.exec(data.answer)) !== null) {
      answer.appendChild(document.createTextNode(data.answer.slice(last, match.index)));
      var url = urls[Number(match[1])];
      if (url) {
        var a = document.createElement("a");
        a.className = "cite";
        a.href = url;
        a.textContent = match[0];
        answer.appendChild(a);
      } else {
        answer.appendChild(document.createTextNode(match[0]));
      }
      last = marks.lastIndex;
    }
    answer.appendChild(document.createTextNode(data.answer.slice(last)));
    if (data.language === "vi" || data.language === "en") { answer.lang = data.language; }
    var show = { hint: data.mode === "hint", notfound: data.mode !== "refused" && !data.found };
    Array.prototype.forEach.call(item.querySelectorAll("[data-badge]"), function (badge) {
      if (!show[badge.getAttribute("data-badge")]) { badge.remove(); }
    });
    var list = item.querySelector("[data-slot=cites]");
    data.citations.forEach(function (c) {
      var li = document.createElement("li");
      var ref = document.createElement("span");
      ref.className = "ref";
      ref.textContent = "[" + c.ref + "] ";
      li.appendChild(ref);
      var title = document.createElement(c.url ? "a" : "span");
      if (c.url) { title.href = c.url; }
      title.textContent = c.title;
      li.appendChild(title);
      if (c.label) { li.appendChild(document.createTextNode(" · " + c.label)); }
      list.appendChild(li);
    });
    if (!data.citations.length) { list.remove(); }
    return item;
  }

  function setUp(form) {
    var panel = form.closest("[data-tutor]");
    var template = panel.querySelector("template[data-tutor-template]");
    var list = panel.querySelector("[data-tutor-list]");
    var status = form.querySelector("[data-tutor-status]");
    var error = form.querySelector("[data-tutor-error]");
    var left = panel.querySelector("[data-tutor-left]");
    var box = form.querySelector("textarea[name=question]");
    var button = form.querySelector("button[type=submit]");
    var token = form.querySelector("input[name=csrf_token]");
    if (!template || !list || !box || !token) { return; }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = status.getAttribute("data-waiting");
      error.hidden = true;
      fetch(form.getAttribute("data-tutor-api"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token.value },
        body: JSON.stringify({ question: box.value, lesson_id: Number(form.elements.lesson_id.value) })
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        button.disabled = false;
        status.textContent = "";
        if (!result.ok) {
          if (!result.data || !result.data.message) { form.submit(); return; }
          error.textContent = result.data.message;
          error.hidden = false;
          return;
        }
        var item = fill(template, result.data);
        list.appendChild(item);
        box.value = "";
        if (left && result.data.left_text) { left.textContent = result.data.left_text; }
        item.scrollIntoView({ block: "nearest" });
      }).catch(function () { form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.fetch || !("content" in document.createElement("template"))) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-tutor-api]"), setUp);
  });
})();
