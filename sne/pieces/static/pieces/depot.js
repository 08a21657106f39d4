// Adding pièces on the demande page (`pieces/_onglet_demande.html`): with this script, files may
// be dropped on the form, and each file is sent on its own request (XMLHttpRequest, for its
// `upload.onprogress`), with its own progress bar and its own result: « ajoutée », or
// « refusée » with the service's reason. A refused file does not stop the others. Once all
// are sent, the list of pièces is read again from the page. Without this script the form
// sends every file at once and the next page tells each result.
(function () {
  "use strict";
  const form = document.querySelector("form[data-pieces-depot]");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  const champ = form.querySelector('input[type="file"]');
  const choixType = form.querySelector('select[name="type"]');
  const zone = form.querySelector("[data-pieces-zone]");
  const choisis = form.querySelector("[data-pieces-choisis]");
  const statut = form.querySelector("[data-pieces-statut]");
  const resultats = form.querySelector("[data-pieces-resultats]");
  const bouton = form.querySelector('button[type="submit"]');
  if (!champ || !choixType || !statut || !resultats) return;

  function dire(texte) {
    statut.textContent = texte;
  }

  function annoncerChoix() {
    const n = champ.files.length;
    if (choisis) {
      choisis.textContent = n === 0 ? "" : n === 1 ? "1 fichier choisi : " + champ.files[0].name : n + " fichiers choisis.";
    }
  }

  if (zone && window.DataTransfer) {
    zone.hidden = false;
    ["dragenter", "dragover"].forEach(function (evenement) {
      zone.addEventListener(evenement, function (e) {
        e.preventDefault();
        zone.classList.add("fr-background-alt--blue-france");
      });
    });
    ["dragleave", "drop"].forEach(function (evenement) {
      zone.addEventListener(evenement, function () {
        zone.classList.remove("fr-background-alt--blue-france");
      });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      const liste = new DataTransfer();
      Array.prototype.forEach.call(e.dataTransfer.files, function (f) {
        liste.items.add(f);
      });
      champ.files = liste.files;
      annoncerChoix();
    });
  }
  champ.addEventListener("change", annoncerChoix);

  function ligne(nom) {
    const li = document.createElement("li");
    const libelle = document.createElement("span");
    libelle.textContent = nom + " : ";
    const barre = document.createElement("progress");
    barre.max = 100;
    barre.value = 0;
    barre.setAttribute("aria-label", "Envoi de " + nom);
    const etat = document.createElement("span");
    etat.className = "fr-ml-1w";
    etat.textContent = "en attente";
    li.append(libelle, barre, etat);
    resultats.append(li);
    return { barre: barre, etat: etat, li: li };
  }

  function envoyer(fichier, affichage) {
    return new Promise(function (fin) {
      const donnees = new FormData();
      donnees.append("csrfmiddlewaretoken", form.querySelector('input[name="csrfmiddlewaretoken"]').value);
      donnees.append("type", choixType.value);
      donnees.append("personne", form.querySelector('select[name="personne"]').value);
      donnees.append("fichiers", fichier, fichier.name);
      const requete = new XMLHttpRequest();
      requete.open("POST", form.action);
      requete.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      requete.setRequestHeader("Accept", "application/json");
      affichage.etat.textContent = "envoi en cours";
      requete.upload.onprogress = function (e) {
        if (e.lengthComputable) affichage.barre.value = Math.round((100 * e.loaded) / e.total);
      };
      requete.onload = function () {
        affichage.barre.value = 100;
        let reponse = null;
        try {
          reponse = JSON.parse(requete.responseText);
        } catch (erreur) {
          reponse = null;
        }
        const resultat = reponse && reponse.resultats && reponse.resultats[0];
        if (resultat && resultat.ajoutee) {
          affichage.etat.textContent = resultat.message;
          affichage.li.dataset.resultat = "ajoutee";
          fin(true);
          return;
        }
        let raison = "";
        if (resultat) raison = resultat.message;
        else if (reponse && reponse.erreurs && reponse.erreurs.length) raison = reponse.erreurs.join(" ");
        else if (requete.status === 403) raison = "Vous n'avez pas les droits pour ajouter une pièce à cette demande.";
        else if (requete.status === 413) raison = "Le fichier est trop gros.";
        else raison = "Le service n'a pas pu enregistrer ce fichier (erreur " + requete.status + ").";
        affichage.etat.textContent = "Refusé : " + raison;
        affichage.li.dataset.resultat = "refusee";
        fin(false);
      };
      requete.onerror = function () {
        affichage.etat.textContent = "Refusé : la connexion au service a échoué : réessayez.";
        affichage.li.dataset.resultat = "refusee";
        fin(false);
      };
      requete.send(donnees);
    });
  }

  function relireLaListe() {
    // The demande page again, to show the new pièces (the form and the results stay).
    return fetch(window.location.pathname + "?onglet=pieces", { credentials: "same-origin" })
      .then(function (r) {
        return r.text();
      })
      .then(function (html) {
        const nouvelle = new DOMParser().parseFromString(html, "text/html").getElementById("pieces-liste");
        const actuelle = document.getElementById("pieces-liste");
        if (nouvelle && actuelle) actuelle.replaceWith(document.importNode(nouvelle, true));
      })
      .catch(function () {
        dire(statut.textContent + " Rechargez la page pour voir la liste à jour.");
      });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!choixType.value) {
      dire("Choisissez le type de pièce avant d'envoyer les fichiers.");
      choixType.focus();
      return;
    }
    const fichiers = Array.prototype.slice.call(champ.files);
    if (!fichiers.length) {
      dire("Choisissez au moins un fichier (PDF, JPEG ou PNG).");
      champ.focus();
      return;
    }
    resultats.textContent = "";
    bouton.disabled = true;
    dire("Envoi de " + fichiers.length + " fichier" + (fichiers.length > 1 ? "s" : "") + " en cours.");
    const affichages = fichiers.map(function (f) {
      return ligne(f.name);
    });
    let ajoutees = 0;
    let suite = Promise.resolve();
    fichiers.forEach(function (f, i) {
      suite = suite.then(function () {
        return envoyer(f, affichages[i]).then(function (ok) {
          if (ok) ajoutees += 1;
        });
      });
    });
    suite.then(function () {
      const refusees = fichiers.length - ajoutees;
      let bilan = ajoutees + " pièce" + (ajoutees > 1 ? "s ajoutées" : " ajoutée");
      if (refusees) bilan += ", " + refusees + " fichier" + (refusees > 1 ? "s refusés" : " refusé");
      dire("Envoi terminé : " + bilan + ".");
      bouton.disabled = false;
      champ.value = "";
      annoncerChoix();
      if (ajoutees) relireLaListe();
    });
  });
})();
