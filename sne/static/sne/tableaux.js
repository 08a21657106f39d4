// A DSFR table wider than the screen scrolls sideways: a keyboard user must be able to scroll
// it too, so the scrolling element takes the focus while, and only while, it overflows
// (WCAG 2.1.1; axe-core « scrollable-region-focusable »). Run again when the window changes
// size and when htmx puts new content in the page.
(function () {
  "use strict";
  const DEFILANTS = ".fr-table > table, .fr-table__container";

  function deborde(element) {
    return element.scrollWidth > element.clientWidth + 1;
  }

  function ajuster() {
    document.querySelectorAll(DEFILANTS).forEach(function (element) {
      const ajoute = "sneDefilement" in element.dataset;
      if (deborde(element)) {
        if (ajoute || element.hasAttribute("tabindex")) return;
        element.dataset.sneDefilement = "";
        element.setAttribute("tabindex", "0");
        if (element.tagName !== "TABLE") {
          const legende = element.querySelector("caption");
          element.setAttribute("role", "region");
          element.setAttribute("aria-label", legende ? legende.textContent.trim() : "Tableau");
        }
      } else if (ajoute) {
        delete element.dataset.sneDefilement;
        element.removeAttribute("tabindex");
        if (element.tagName !== "TABLE") {
          element.removeAttribute("role");
          element.removeAttribute("aria-label");
        }
      }
    });
  }

  let attente = null;
  function plusTard() {
    window.clearTimeout(attente);
    attente = window.setTimeout(ajuster, 100);
  }

  ajuster();
  window.addEventListener("load", ajuster);
  window.addEventListener("resize", plusTard);
  document.addEventListener("htmx:afterSettle", ajuster);
})();
