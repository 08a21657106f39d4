// Pages of demandes: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Radiation: the sous-motif is shown only for an irrecevabilité, the date of the warning
  // letter only when the motif needs one. Without JavaScript both stay visible and the
  // service says what is missing.
  function majRadiation(bloc) {
    var motif = bloc.querySelector("select[name=motif]");
    if (!motif) return;
    bloc.querySelectorAll("[data-sne-si-motif]").forEach(function (zone) {
      var visible = zone.dataset.sneSiMotif.split(" ").indexOf(motif.value) >= 0;
      zone.hidden = !visible;
      if (!visible) {
        zone.querySelectorAll("select, input").forEach(function (champ) { champ.value = ""; });
      }
    });
  }
  document.querySelectorAll("[data-sne-radiation]").forEach(function (bloc) {
    majRadiation(bloc);
    bloc.addEventListener("change", function (e) {
      if (e.target.name === "motif") majRadiation(bloc);
    });
  });

  // After an error, move the focus to the summary so that screen readers announce it.
  var resume = document.getElementById("resume-erreurs");
  if (resume) resume.focus();
})();
