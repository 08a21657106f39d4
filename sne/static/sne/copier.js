// « Copier » buttons: `<button data-copier="ID" hidden>` copies the value of the field ID to
// the clipboard and says so in `[data-copier-statut="ID"]` (role="status"). Shown only when
// the browser offers the clipboard; without it the field stays selectable by hand.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copier]").forEach(function (bouton) {
    const cible = document.getElementById(bouton.dataset.copier);
    const statut = document.querySelector('[data-copier-statut="' + bouton.dataset.copier + '"]');
    if (!cible) return;
    bouton.hidden = false;
    bouton.addEventListener("click", function () {
      navigator.clipboard.writeText(cible.value).then(
        function () {
          if (statut) statut.textContent = "Jeton copié.";
        },
        function () {
          cible.select();
          if (statut) statut.textContent = "Copie impossible : sélectionnez le jeton et copiez-le (Ctrl+C).";
        }
      );
    });
  });
})();
