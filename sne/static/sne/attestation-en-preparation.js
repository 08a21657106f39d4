// « Attestation en préparation »: asks again in the background every few seconds and downloads
// the PDF as soon as it is ready, without reloading the page. A timed reload
// (<meta http-equiv="refresh">) takes the page away from a person still reading it or using a
// screen reader (WCAG 2.2.1, axe-core « meta-refresh »); the status region says what happened.
(function () {
  "use strict";
  const zone = document.querySelector("[data-attestation-url]");
  if (!zone) return;
  const adresse = zone.dataset.attestationUrl;
  const delai = Number(zone.dataset.delai || 5) * 1000;
  const statut = document.getElementById("statut-attestation");
  const essaisMax = 60;
  let essais = 0;

  function telecharger(contenu, entete) {
    const nom = (/filename="([^"]+)"/.exec(entete || "") || [])[1] || "attestation.pdf";
    const lien = document.createElement("a");
    lien.href = URL.createObjectURL(contenu);
    lien.download = nom;
    document.body.appendChild(lien);
    lien.click();
    lien.remove();
  }

  async function essayer() {
    essais += 1;
    try {
      const reponse = await fetch(adresse, { credentials: "same-origin" });
      const type = reponse.headers.get("Content-Type") || "";
      if (reponse.ok && type.startsWith("application/pdf")) {
        telecharger(await reponse.blob(), reponse.headers.get("Content-Disposition"));
        statut.textContent = "L'attestation est prête : son téléchargement a commencé.";
        return;
      }
    } catch (erreur) {
      // The network or the server failed this time: the next attempt will tell.
    }
    if (essais < essaisMax) {
      window.setTimeout(essayer, delai);
    } else {
      statut.textContent =
        "L'attestation n'est toujours pas prête : réessayez dans quelques minutes.";
    }
  }

  window.setTimeout(essayer, delai);
})();
