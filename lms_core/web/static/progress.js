// Trường Số: reports how much of a video or audio a student has played, so "watched 80 %" can complete it.
// Only continuous playing counts: jumping to the end does not.
(function () {
  "use strict";

  function track(media) {
    var url = media.getAttribute("data-track-progress");
    var token = document.querySelector("input[name=csrf_token]");
    var status = document.querySelector("[data-completion-status]");
    if (!url || !token || !window.fetch) { return; }
    var watched = 0;
    var last = null;
    var sentAt = 0;
    var done = false;

    function send() {
      if (done || !media.duration || !isFinite(media.duration)) { return; }
      var share = Math.min(1, watched / media.duration);
      sentAt = watched;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token.value },
        body: JSON.stringify({ verb: "watched", progress: Math.round(share * 1000) / 1000 })
      }).then(function (response) { return response.ok ? response.json() : {}; }).then(function (answer) {
        if (answer.completed_now) {
          done = true;
          if (status) { status.textContent = status.getAttribute("data-done-text"); }
        }
      }).catch(function () { /* the next report carries the same progress */ });
    }

    media.addEventListener("timeupdate", function () {
      var now = media.currentTime;
      if (last !== null && now > last && now - last < 2) { watched += now - last; }
      last = now;
      if (watched - sentAt >= 10) { send(); }
    });
    media.addEventListener("seeking", function () { last = null; });
    media.addEventListener("pause", send);
    media.addEventListener("ended", send);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-track-progress]"), track);
  });
})();
