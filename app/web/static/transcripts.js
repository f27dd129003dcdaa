// Interview transcripts: a time button plays the recording from its segment; the segment being played is marked.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.body.classList.remove("no-script");
    var audio = document.getElementById("interview-audio");
    if (!audio) { return; }
    var segments = Array.prototype.slice.call(document.querySelectorAll(".segment[data-start]"));

    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-seek]") : null;
      if (!button) { return; }
      var start = parseFloat(button.getAttribute("data-seek"));
      if (isNaN(start)) { return; }
      audio.currentTime = start;
      var playing = audio.play();
      if (playing && playing.catch) { playing.catch(function () { /* the browser may refuse autoplay */ }); }
    });

    audio.addEventListener("timeupdate", function () {
      var now = audio.currentTime;
      segments.forEach(function (segment) {
        var on = now >= parseFloat(segment.getAttribute("data-start")) && now < parseFloat(segment.getAttribute("data-end"));
        segment.classList.toggle("segment--playing", on);
        if (on) { segment.setAttribute("aria-current", "true"); } else { segment.removeAttribute("aria-current"); }
      });
    });
  });
})();
