// The review app's keyboard and the field boxes on the page images. No build step: plain DOM code.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  // --- field boxes, positioned from page points once each image has loaded (and again on resize) -------------
  function placeBoxes() {
    var pages = document.getElementById("pages");
    if (!pages) return;
    var dpi = parseFloat(pages.dataset.dpi || "150");
    pages.querySelectorAll(".sheet").forEach(function (sheet) {
      var img = sheet.querySelector("img");
      if (!img || !img.naturalWidth) return;
      var scale = (img.clientWidth / img.naturalWidth) * (dpi / 72); // screen pixels per page point
      sheet.querySelectorAll(".box").forEach(function (b) {
        var x0 = parseFloat(b.dataset.x0), y0 = parseFloat(b.dataset.y0);
        var x1 = parseFloat(b.dataset.x1), y1 = parseFloat(b.dataset.y1);
        b.style.left = (x0 * scale - 2) + "px";
        b.style.top = (y0 * scale - 2) + "px";
        b.style.width = ((x1 - x0) * scale + 4) + "px";
        b.style.height = ((y1 - y0) * scale + 4) + "px";
        b.classList.add("placed");
      });
    });
  }

  function select(name, scroll) {
    document.querySelectorAll(".field.current, .box.current").forEach(function (el) { el.classList.remove("current"); });
    var row = document.querySelector('.field[data-field="' + name + '"]');
    var box = document.querySelector('.box[data-field="' + name + '"]');
    if (row) {
      row.classList.add("current");
      if (scroll) row.scrollIntoView({ block: "nearest" });
    }
    if (box) {
      box.classList.add("current");
      box.scrollIntoView({ block: "center", inline: "nearest" });
    }
    return row;
  }

  function current() { return document.querySelector(".field.current"); }

  function moveUnsure(step) {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".field.unsure"));
    if (!rows.length) return;
    var at = rows.indexOf(current());
    var next = rows[(at + step + rows.length) % rows.length];
    if (at < 0 && step < 0) next = rows[rows.length - 1];
    if (at < 0 && step > 0) next = rows[0];
    select(next.dataset.field, true);
  }

  function rowsOf(table) { return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-href]")); }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".sheet img").forEach(function (img) {
      if (img.complete) placeBoxes(); else img.addEventListener("load", placeBoxes);
    });
    window.addEventListener("resize", placeBoxes);

    document.querySelectorAll(".field").forEach(function (row) {
      row.addEventListener("click", function () { select(row.dataset.field, false); });
      row.addEventListener("focusin", function () { select(row.dataset.field, false); });
    });
    document.querySelectorAll(".box").forEach(function (box) {
      box.addEventListener("click", function () {
        var row = select(box.dataset.field, true);
        var input = row && row.querySelector(".field-input");
        if (input) input.focus();
      });
    });
    // A value changed by hand is marked until it is saved.
    document.querySelectorAll(".field-input").forEach(function (input) {
      var was = input.value;
      var mark = function () { input.closest(".field").classList.toggle("edited", input.value !== was); };
      input.addEventListener("input", mark);
      input.addEventListener("change", mark);
    });
    // Queue rows: the whole row opens the document.
    document.querySelectorAll("tr[data-href]").forEach(function (tr) {
      tr.addEventListener("click", function (e) { if (e.target.tagName !== "A") window.location = tr.dataset.href; });
    });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var active = document.activeElement;
    if (typing(active)) {
      if (e.key === "Escape") { active.blur(); var row = active.closest(".field"); if (row) select(row.dataset.field, false); }
      return;
    }
    var table = document.getElementById("queue-table");
    if (table) { // the queue
      var rows = rowsOf(table);
      var at = rows.findIndex(function (r) { return r.classList.contains("current"); });
      if (e.key === "j" || e.key === "k") {
        var next = rows[Math.max(0, Math.min(rows.length - 1, at + (e.key === "j" ? 1 : -1)))];
        rows.forEach(function (r) { r.classList.remove("current"); });
        if (next) { next.classList.add("current"); next.scrollIntoView({ block: "nearest" }); }
      } else if (e.key === "Enter" && at >= 0) {
        window.location = rows[at].dataset.href;
      } else if (e.key === "/") {
        var code = document.querySelector('.filters input[name="code"]');
        if (code) { e.preventDefault(); code.focus(); }
      }
      return;
    }
    if (!document.getElementById("pages")) return;
    var cur = current();
    switch (e.key) {
      case "j": moveUnsure(1); break;
      case "k": moveUnsure(-1); break;
      case "a":
        if (cur) {
          var box = cur.querySelector(".accept-box");
          if (box) { box.checked = true; box.dispatchEvent(new Event("change", { bubbles: true })); cur.classList.add("accepted"); }
          moveUnsure(1);
        }
        break;
      case "e": case "Enter":
        if (cur) { var input = cur.querySelector(".field-input"); if (input) { e.preventDefault(); input.focus(); if (input.select) input.select(); } }
        break;
      case "s":
        var save = document.getElementById("save-corrections");
        if (save) { e.preventDefault(); save.click(); }
        break;
      case "n":
        var nextDoc = document.getElementById("next-doc");
        if (nextDoc) window.location = nextDoc.href;
        break;
      case "q": window.location = "/queue"; break;
      default: return;
    }
  });
})();
