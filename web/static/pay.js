// The payment page's live parts: copy buttons, the countdown, following the payment.
// No framework and no external request; the page works without this file.
(function () {
  "use strict";
  var root = document.getElementById("pay");
  if (!root) { return; }
  var FA = "۰۱۲۳۴۵۶۷۸۹";
  function faDigits(text) { return String(text).replace(/[0-9]/g, function (d) { return FA[+d]; }); }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function clock(seconds) {
    seconds = Math.max(0, seconds);
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return faDigits(h ? h + ":" + two(m) + ":" + two(s) : two(m) + ":" + two(s));
  }

  // Copy: the Clipboard API where the page is a secure context, else a selection and execCommand.
  function copy(text, button) {
    function done() {
      var label = button.textContent;
      button.classList.add("done");
      button.textContent = "کپی شد ✓";
      setTimeout(function () { button.classList.remove("done"); button.textContent = label; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(text) && done(); });
    } else if (fallback(text)) { done(); }
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area); area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button.getAttribute("data-copy"), button); });
  });

  var state = root.getAttribute("data-state");
  var callback = root.getAttribute("data-callback");
  if (state === "paid" && callback) {
    // Let the customer read "paid" for a moment, then return to the shop.
    setTimeout(function () { window.location.assign(callback); }, 2000);
    return;
  }
  if (state !== "pending") { return; }

  // The countdown runs from the server's figure and the browser's monotonic clock (not its wall clock).
  var seconds = parseInt(root.getAttribute("data-seconds"), 10) || 0;
  var started = performance.now();
  var shown = document.getElementById("countdown");
  function left() { return Math.max(0, seconds - Math.floor((performance.now() - started) / 1000)); }
  function tick() {
    var s = left();
    if (shown) {
      shown.textContent = clock(s);
      if (s < 120) { shown.parentNode.parentNode.classList.add("urgent"); }
    }
  }
  tick();
  setInterval(tick, 1000);

  // Follow the payment: the server holds each request until the payment changes (or 25 s pass);
  // when it cannot hold one (too many pages waiting), a small JSON poll every 3 s; slower after errors.
  var url = root.getAttribute("data-status-url") + "?wait=25";
  var delay = 3000;
  // A split payment: tick each part as its deposit arrives (the server wakes us when one does).
  var partBoxes = document.querySelectorAll("section.part");
  function paidShown() { return document.querySelectorAll("section.part.paid").length; }
  function showParts(paid) {
    Array.prototype.forEach.call(partBoxes, function (box, i) {
      if (paid[i] && !box.classList.contains("paid")) {
        box.classList.add("paid");
        box.querySelector(".tick").textContent = "✓ رسید";
      }
    });
    var count = document.getElementById("parts-paid");
    if (count) { count.textContent = faDigits(paidShown()); }
  }
  function poll() {
    var ask = partBoxes.length ? url + "&paid=" + paidShown() : url;
    fetch(ask, { cache: "no-store", credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (body) {
      delay = 3000;
      if (body.state !== "pending") {
        // The server renders the final page (and sends the customer back to the shop).
        window.location.replace(window.location.pathname);
        return;
      }
      if (body.parts_paid) { showParts(body.parts_paid); }
      seconds = body.seconds_left; started = performance.now();
      setTimeout(poll, body.waited ? 0 : delay);
    }).catch(function () {
      delay = Math.min(delay * 2, 30000);
      setTimeout(poll, delay);
    });
  }
  poll();
})();
