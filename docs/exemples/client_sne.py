"""Un client minimal de l'API v1 du SNE, à copier dans le système d'un guichet.

Bibliothèque standard seulement (Python 3.10 et plus). Il montre ce qu'un client sûr doit
faire : une clé `Idempotency-Key` par envoi, gardée pour le renvoyer après une coupure ou un
délai dépassé (jamais deux demandes) ; attendre `Retry-After` après un 429 ; lire le `code`
stable des erreurs (documents RFC 9457) ; suivre le flux des événements par son curseur.

    client = ClientSne("https://sne.example.fr", jeton=os.environ["SNE_JETON"])
    demande = client.enregistrer({...})            # le corps de POST /api/v1/demandes
    copie = client.lire(demande["numero_unique"])
    client.modifier(demande["numero_unique"], {"ressources": {"annee_revenus": 2025}},
                    version=copie["version"])
    for evenement in client.evenements(apres=curseur_garde):
        ...
"""

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path


class ErreurSne(Exception):
    """Une réponse d'erreur de l'API : `statut` HTTP, `code` stable, `detail` en français,
    `erreurs` (champ, code, message) pour un 422, le document entier dans `probleme`."""

    def __init__(self, statut: int, probleme: dict):
        self.statut = statut
        self.probleme = probleme
        self.code = probleme.get("code", "")
        self.detail = probleme.get("detail", "")
        self.erreurs = probleme.get("erreurs") or []
        super().__init__(f"{statut} {self.code} : {self.detail}")


class ClientSne:
    def __init__(self, base: str, jeton: str, *, delai: float = 30, essais: int = 5):
        self.base = base.rstrip("/") + "/api/v1"
        self.jeton = jeton
        self.delai = delai
        self.essais = essais

    # -- Demandes -----------------------------------------------------------------------------

    def enregistrer(self, demande: dict, *, forcer: str | None = None) -> dict:
        """Enregistre (201) ou retrouve (200, même `reference_externe`) une demande.
        Lève ErreurSne `suspicion_doublon` (409, `probleme["doublons"]`) : renvoyer avec
        `forcer="justification"` seulement si ce n'est pas la même personne."""
        corps = dict(demande, forcer={"justification": forcer}) if forcer else demande
        return self._appeler("POST", "/demandes", corps)

    def lire(self, numero: str) -> dict:
        return self._appeler("GET", f"/demandes/{numero}")

    def modifier(self, numero: str, changements: dict, *, version: int | None = None) -> dict:
        corps = dict(changements, version=version) if version is not None else changements
        return self._appeler("PATCH", f"/demandes/{numero}", corps)

    def renouveler(self, numero: str) -> dict:
        return self._appeler("POST", f"/demandes/{numero}/renouvellement", {})

    def radier(self, numero: str, motif: str, **precisions) -> dict:
        return self._appeler(
            "POST", f"/demandes/{numero}/radiation", {"motif": motif, **precisions}
        )

    def reactiver(self, numero: str, commentaire: str = "") -> dict:
        return self._appeler(
            "POST", f"/demandes/{numero}/reactivation", {"commentaire": commentaire}
        )

    def attestation(self, numero: str) -> bytes:
        return self._appeler("GET", f"/demandes/{numero}/attestation.pdf", brut=True)

    def doublons(self, nom: str, prenom: str, date_naissance: str) -> list[dict]:
        corps = {"nom": nom, "prenom": prenom, "date_naissance": date_naissance}
        return self._appeler("POST", "/doublons/recherche", corps)["suspicions"]

    # -- Lots ---------------------------------------------------------------------------------

    def envoyer_lot(self, fichier: Path) -> dict:
        """Un fichier JSON Lines (une demande par ligne), envoyé en flux (jamais tout en
        mémoire) ; renvoyer le même fichier rend le même lot."""
        with open(fichier, "rb") as flux:
            return self._appeler(
                "POST",
                "/lots",
                flux,
                type_contenu="application/x-ndjson",
                longueur=Path(fichier).stat().st_size,
            )

    def attendre_lot(self, identifiant: str, *, pause: float = 5) -> dict:
        while True:
            lot = self._appeler("GET", f"/lots/{identifiant}")
            if lot["statut"] == "termine":
                return lot
            time.sleep(pause)

    # -- Flux des événements ------------------------------------------------------------------

    def evenements(self, apres: int | None = None, limite: int = 500) -> Iterator[dict]:
        """Les événements après le curseur `apres`, page après page, jusqu'au dernier. Gardez
        `evenement["curseur"]` de chaque événement APPLIQUÉ : c'est le prochain `apres`."""
        while True:
            parametres = f"?limite={limite}" + (f"&apres={apres}" if apres is not None else "")
            page = self._appeler("GET", f"/evenements{parametres}")
            yield from page["evenements"]
            apres = page["curseur"]
            if len(page["evenements"]) < limite:
                return

    # -- HTTP ---------------------------------------------------------------------------------

    def _appeler(
        self, methode, chemin, corps=None, *, brut=False, type_contenu=None, longueur=None
    ):
        entetes = {"Authorization": f"Bearer {self.jeton}", "Accept": "application/json"}
        if methode == "POST":
            # La même clé pour chaque nouvel essai de CET envoi : l'API ne le fait qu'une fois.
            entetes["Idempotency-Key"] = str(uuid.uuid4())
        if isinstance(corps, dict):
            donnees = json.dumps(corps).encode()
            entetes["Content-Type"] = "application/json"
        else:
            donnees = corps
            if type_contenu:
                entetes["Content-Type"] = type_contenu
                entetes["Content-Length"] = str(longueur)
        for essai in range(1, self.essais + 1):
            if hasattr(donnees, "seek"):
                donnees.seek(0)
            requete = urllib.request.Request(
                self.base + chemin, data=donnees, method=methode, headers=entetes
            )
            try:
                with urllib.request.urlopen(requete, timeout=self.delai) as reponse:
                    contenu = reponse.read()
                    return contenu if brut else json.loads(contenu or b"null")
            except urllib.error.HTTPError as erreur:
                contenu = erreur.read()
                if erreur.code in (429, 502, 503, 504) and essai < self.essais:
                    time.sleep(int(erreur.headers.get("Retry-After") or 2**essai))
                    continue
                try:
                    probleme = json.loads(contenu)
                except ValueError:
                    probleme = {
                        "code": "reponse_illisible",
                        "detail": contenu[:200].decode(errors="replace"),
                    }
                raise ErreurSne(erreur.code, probleme) from None
            except (urllib.error.URLError, TimeoutError):
                if essai == self.essais:
                    raise
                time.sleep(2**essai)  # coupure : le même envoi, la même clé
        raise AssertionError("inatteignable")
