// Keyboard navigation for lists (queue, search results): j/k move, Enter opens, x selects,
// e escalates (opens the alert at its escalate form). Progressive enhancement only: every
// action is a plain link or form without this file. Served from 'self' (CSP: no inline script).
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.row, li.row")); }
  var cur = -1;
  function select(i) {
    var r = rows();
    if (!r.length) { return; }
    cur = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (x, n) { x.classList.toggle("current", n === cur); });
    r[cur].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) { return; }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var r = rows();
    if (ev.key === "j") { select(cur + 1); ev.preventDefault(); }
    else if (ev.key === "k") { select(cur - 1); ev.preventDefault(); }
    else if (ev.key === "Enter" && cur >= 0 && r[cur]) { window.location = r[cur].getAttribute("data-href"); ev.preventDefault(); }
    else if (ev.key === "x" && cur >= 0 && r[cur]) {
      var box = r[cur].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
      ev.preventDefault();
    } else if (ev.key === "e") {
      var to = document.getElementById("escalate-to");
      if (to) { to.focus(); ev.preventDefault(); }
      else if (cur >= 0 && r[cur]) { window.location = r[cur].getAttribute("data-href") + "#escalate-form"; ev.preventDefault(); }
    }
  });
  if (window.location.hash === "#escalate-form") {
    var to = document.getElementById("escalate-to");
    if (to) { to.focus(); }
  }
})();
