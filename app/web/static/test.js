// A timed test: answers are sent at once with a client_request_id; while the network is away they wait in
// localStorage (and survive a reload) and are sent again with the same ids; the server stores each id once.
// Questions switch in the page, so a candidate goes on answering offline. The countdown shows the server's
// remaining time; at zero the page submits.
(function () {
  "use strict";
  var root = document.querySelector("[data-test-session]");
  if (!root) { return; }
  var sessionId = root.getAttribute("data-test-session");
  var csrf = root.getAttribute("data-csrf");
  var total = parseInt(root.getAttribute("data-total"), 10);
  var queueKey = "irikteu.answers." + sessionId;
  var flagKey = "irikteu.flags." + sessionId;
  var seenKey = "irikteu.seen." + sessionId;
  var state = document.getElementById("save-state");
  var sending = false;
  var submitting = false;

  function load(key, empty) {
    try { return JSON.parse(window.localStorage.getItem(key)) || empty; } catch (e) { return empty; }
  }
  function store(key, value) { window.localStorage.setItem(key, JSON.stringify(value)); }
  function newId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function setState(name) {
    state.setAttribute("data-state", name);
    state.textContent = state.getAttribute("data-label-" + name);
  }

  // --- the navigator: answered / flagged / not seen ---------------------------------------------------
  function refreshNavigator() {
    var flags = load(flagKey, {});
    var seen = load(seenKey, {});
    var links = document.querySelectorAll(".navigator a[data-item]");
    Array.prototype.forEach.call(links, function (link) {
      var item = link.getAttribute("data-item");
      var label = link.querySelector(".nav-state");
      var answered = link.classList.contains("answered");
      link.classList.toggle("flagged", !!flags[item]);
      link.classList.toggle("unseen", !answered && !seen[item]);
      var words = [];
      if (answered) { words.push(label.getAttribute("data-answered")); }
      if (flags[item]) { words.push(label.getAttribute("data-flagged")); }
      if (!answered && !seen[item]) { words.push(label.getAttribute("data-unseen")); }
      if (!answered && seen[item]) { words.push(label.getAttribute("data-seen")); }
      label.textContent = " " + words.join(", ");
    });
  }
  function markAnswered(item) {
    var link = document.querySelector(".navigator a[data-item='" + item + "']");
    if (link) { link.classList.add("answered"); }
    refreshNavigator();
  }

  // --- sending answers --------------------------------------------------------------------------------
  function flush() {
    var queue = load(queueKey, []);
    if (!queue.length) { setState("saved"); return; }
    if (sending) { return; }
    if (!navigator.onLine) { setState("offline"); return; }
    sending = true;
    setState("saving");
    var entry = queue[0];
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("item_id", entry.item);
    body.set("option", entry.option);
    body.set("client_request_id", entry.id);
    window.fetch("/test-sessions/" + sessionId + "/answers", {
      method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      sending = false;
      if (response.ok || response.status === 409) {
        // 409: refused for good (time over, submitted); resending would never succeed
        store(queueKey, load(queueKey, []).filter(function (e) { return e.id !== entry.id; }));
        if (response.ok) { markAnswered(entry.item); }
        flush();
      } else {
        setState("offline");
      }
    }).catch(function () {
      sending = false;
      setState("offline");
    });
  }

  function answer(item, option) {
    var queue = load(queueKey, []);
    queue.push({ id: newId(), item: item, option: option });
    store(queueKey, queue);
    flush();
  }

  // --- one question per screen ------------------------------------------------------------------------
  function show(number) {
    if (number < 1 || number > total) { return; }
    var sections = document.querySelectorAll("section.question");
    Array.prototype.forEach.call(sections, function (section) {
      section.hidden = parseInt(section.getAttribute("data-number"), 10) !== number;
    });
    var current = document.getElementById("q-" + number);
    var seen = load(seenKey, {});
    seen[current.getAttribute("data-item")] = true;
    store(seenKey, seen);
    Array.prototype.forEach.call(document.querySelectorAll(".navigator a[data-goto]"), function (link) {
      if (parseInt(link.getAttribute("data-goto"), 10) === number) { link.setAttribute("aria-current", "step"); }
      else { link.removeAttribute("aria-current"); }
    });
    window.history.replaceState(null, "", "/test-sessions/" + sessionId + "/questions/" + number);
    refreshNavigator();
    current.querySelector("h1").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-goto]") : null;
    if (!link) { return; }
    event.preventDefault();
    show(parseInt(link.getAttribute("data-goto"), 10));
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    var section = target.closest ? target.closest("section.question") : null;
    if (!section) { return; }
    var item = section.getAttribute("data-item");
    if (target.name === "option") { answer(item, target.value); }
    if (target.classList.contains("flag-toggle")) {
      var flags = load(flagKey, {});
      flags[item] = target.checked;
      store(flagKey, flags);
      refreshNavigator();
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.target.classList.contains("answer-form")) { event.preventDefault(); }
  });

  // --- the server's clock; submit at the deadline -------------------------------------------------------
  var clock = document.getElementById("test-clock");
  var ends = Date.now() + parseInt(clock.getAttribute("data-seconds-left"), 10) * 1000;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
    if (seconds === 0) {
      clock.textContent = clock.getAttribute("data-over");
      submitting = true;
      document.getElementById("deadline-submit").submit();
      return;
    }
    clock.textContent = clock.getAttribute("data-label") + ": " + Math.floor(seconds / 60) + ":" + pad(seconds % 60);
    window.setTimeout(tick, 1000);
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setState(load(queueKey, []).length ? "offline" : "saved"); });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && load(queueKey, []).length) {
      event.preventDefault();
      event.returnValue = root.getAttribute("data-leave-warning");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.body.classList.remove("no-script");
    Array.prototype.forEach.call(document.querySelectorAll(".flag"), function (box) { box.hidden = false; });
    var flags = load(flagKey, {});
    Array.prototype.forEach.call(document.querySelectorAll("section.question"), function (section) {
      var toggle = section.querySelector(".flag-toggle");
      toggle.checked = !!flags[section.getAttribute("data-item")];
    });
    // answers still waiting from before a reload: show them chosen, then send them
    load(queueKey, []).forEach(function (entry) {
      var section = document.querySelector("section.question[data-item='" + entry.item + "']");
      var radio = section && section.querySelector("input[name='option'][value='" + entry.option + "']");
      if (radio) { radio.checked = true; }
    });
    show(parseInt(root.getAttribute("data-current"), 10));
    tick();
    flush();
    window.setInterval(flush, 3000);
  });
})();
