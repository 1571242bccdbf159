// Trường Số: opens a material activity at the place a link names (the AI tutor's citations use it):
// "?t=83" starts a video or audio at 83 s; "#page=4" opens the shown PDF at page 4. Headings are plain anchors.
(function () {
  "use strict";

  function seekMedia(media, seconds) {
    function go() { try { media.currentTime = seconds; } catch (e) { /* not seekable yet */ } }
    if (media.readyState >= 1) { go(); } else { media.addEventListener("loadedmetadata", go, { once: true }); }
    media.scrollIntoView({ block: "center" });
  }

  function openPdfAt(object, page) {
    var base = (object.getAttribute("data") || "").split("#")[0];
    if (!base) { return; }
    var copy = object.cloneNode(true);  // an <object> reloads reliably only as a new element
    copy.setAttribute("data", base + "#page=" + page);
    object.parentNode.replaceChild(copy, object);
    copy.scrollIntoView({ block: "start" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var t = parseFloat(new URLSearchParams(window.location.search).get("t"));
    var media = document.querySelector("video.media, audio.media");
    if (media && isFinite(t) && t >= 0) { seekMedia(media, t); }
    var page = /^#page=(\d{1,5})$/.exec(window.location.hash);
    var pdf = document.querySelector('object.media[type="application/pdf"]');
    if (pdf && page) { openPdfAt(pdf, page[1]); }
  });
})();
