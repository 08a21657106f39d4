// Picking a suggestion from htmx: a commune (CommuneAutocompleteWidget, `data-code`) or an
// association of the département's table (demandes' AssociationWidget, `data-id`).
(function () {
  "use strict";
  function conteneur(el) { return el.closest("[data-sne-autocomplete]"); }
  document.addEventListener("click", function (e) {
    var bouton = e.target.closest("[data-sne-autocomplete] .sne-suggestions button");
    if (!bouton) return;
    var bloc = conteneur(bouton);
    var saisie = bloc.querySelector("input[type=text]");
    var valeur = bouton.dataset.code !== undefined ? bouton.dataset.code : bouton.dataset.id;
    bloc.querySelector("input[type=hidden]").value = valeur || "";
    saisie.value = bouton.dataset.libelle;
    bloc.querySelector(".sne-suggestions-conteneur").innerHTML = "";
    saisie.focus();
    saisie.dispatchEvent(new CustomEvent("sne:commune-choisie", { bubbles: true, detail: bouton.dataset }));
  });
  document.addEventListener("input", function (e) {
    if (!e.target.matches("[data-sne-autocomplete] input[type=text]")) return;
    conteneur(e.target).querySelector("input[type=hidden]").value = "";
  });
  document.addEventListener("keydown", function (e) {
    var bloc = e.target.closest && e.target.closest("[data-sne-autocomplete]");
    if (!bloc) return;
    var boutons = Array.prototype.slice.call(bloc.querySelectorAll(".sne-suggestions button"));
    var i = boutons.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && boutons.length) {
      e.preventDefault();
      boutons[Math.min(i + 1, boutons.length - 1)].focus();
    } else if (e.key === "ArrowUp" && i >= 0) {
      e.preventDefault();
      if (i === 0) bloc.querySelector("input[type=text]").focus(); else boutons[i - 1].focus();
    } else if (e.key === "Escape") {
      bloc.querySelector(".sne-suggestions-conteneur").innerHTML = "";
      bloc.querySelector("input[type=text]").focus();
    }
  });
})();
