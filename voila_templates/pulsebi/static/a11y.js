// Pulse BI accessibility fixes for ipywidgets' own markup (WCAG 2.1 A / AA), on every page:
// - ToggleButtons (a visual picker, a grain picker): the buttons are a group named by the
//   widget's label, each says whether it is the chosen one (aria-pressed); ipywidgets only
//   colours it.
// - The current page's link in the navigation is aria-current="page" (pulsebi.js marks it).
// - A label's title="null" (an ipywidgets slip: hovering the label showed "null") is removed.
// - The report builder's status and message lines, and any widget with class pbi-announce,
//   are polite live regions: "Saved ... version 1" is announced where it is shown.
// The page's widgets come and go: a MutationObserver reapplies the fixes once per frame.
(function () {
  "use strict";
  var ANNOUNCE = ".pbi-announce, .pbi-builder-status, .pbi-builder-message";

  function fixToggleButtons(box) {
    var label = box.querySelector(":scope > .widget-label");
    var buttons = box.querySelector(":scope > div");
    var name = label ? label.textContent.trim() : "";
    if (buttons && name && buttons.getAttribute("aria-label") !== name) {
      buttons.setAttribute("role", "group");
      buttons.setAttribute("aria-label", name);
    }
    var all = box.querySelectorAll("button.widget-toggle-button");
    for (var i = 0; i < all.length; i++) {
      var pressed = all[i].classList.contains("mod-active") ? "true" : "false";
      if (all[i].getAttribute("aria-pressed") !== pressed) {
        all[i].setAttribute("aria-pressed", pressed);
      }
    }
  }

  function fix() {
    var boxes = document.querySelectorAll(".widget-toggle-buttons");
    for (var i = 0; i < boxes.length; i++) fixToggleButtons(boxes[i]);
    var current = document.querySelector(".pulsebi-nav a.active:not([aria-current])");
    if (current) current.setAttribute("aria-current", "page");
    var nulls = document.querySelectorAll('.widget-label[title="null"]');
    for (var j = 0; j < nulls.length; j++) nulls[j].removeAttribute("title");
    var regions = document.querySelectorAll(ANNOUNCE);
    for (var k = 0; k < regions.length; k++) {
      if (!regions[k].hasAttribute("role")) {
        regions[k].setAttribute("role", "status");
        regions[k].setAttribute("aria-live", "polite");
      }
    }
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fix();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    fix();
    new MutationObserver(schedule).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["class", "title"],
    });
  });
})();
