// Irikteu pages: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The error summary takes the focus, so a screen reader announces it first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  // A countdown to the server's deadline (the server decides; this only shows it).
  function startClock() {
    var clock = document.getElementById("essay-clock");
    if (!clock) { return; }
    var left = parseInt(clock.getAttribute("data-seconds-left"), 10);
    var ends = Date.now() + left * 1000;
    var label = clock.getAttribute("data-label");
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
      if (seconds === 0) {
        clock.textContent = clock.getAttribute("data-over");
        return;
      }
      clock.textContent = label + ": " + Math.floor(seconds / 60) + ":" + pad(seconds % 60);
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    startClock();
  });
})();
