// The inbox's keyboard: j / k move to the next / previous post, x selects it for the bulk
// actions. Keys typed into a field are left alone. The page works without this file.
(function () {
  "use strict";

  var list = document.querySelector("[data-keyboard-list]");
  if (!list) return;
  var current = null;

  function rows() { return Array.prototype.slice.call(list.querySelectorAll(".mention")); }

  function focusRow(row) {
    if (!row) return;
    if (current) current.classList.remove("current");
    current = row;
    row.classList.add("current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var at = all.indexOf(current);
    if (at === -1) { focusRow(all[step > 0 ? 0 : all.length - 1]); return; }
    focusRow(all[Math.min(all.length - 1, Math.max(0, at + step))]);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "x" && current) {
      var box = current.querySelector(".select-row");
      if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
      event.preventDefault();
    }
  });

  // A click on a row makes it the current one, so j / k go on from there.
  list.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest(".mention");
    if (row) { if (current) current.classList.remove("current"); current = row; row.classList.add("current"); }
  });

  list.addEventListener("change", function (event) {
    if (!event.target.classList.contains("select-row")) return;
    event.target.closest(".mention").classList.toggle("selected", event.target.checked);
  });
})();
