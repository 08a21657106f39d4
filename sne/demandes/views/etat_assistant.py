"""A registration in progress: its steps, the raw data typed at each one, the errors a service
sent back to them, and the step forms bound to that data.

The state is a draft in the database (`BrouillonDemande`, services in
`sne.demandes.services.brouillons`), one per wizard, under its own id (so that two tabs can
each register a demande), seen only by its author: it survives other wizards, a logout and the
end of the session, and is never dropped because newer ones were started (the session used to
keep only the five newest). It is erased when the demande is registered, when the agent
abandons it, or `DUREE_BROUILLON` after its last change (personal data)."""

from django.forms import formset_factory
from django.http import Http404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from .. import services
from ..forms.assistant import (
    MAX_PERSONNES_A_CHARGE,
    EtapeDemandeurForm,
    EtapeGuichetForm,
    EtapeMenageForm,
    EtapeRessourcesForm,
    EtapeSouhaitsForm,
    PersonneAChargeForm,
)
from ..forms.association import EtapeAssociationForm
from ..forms.sections import COMMUNES_AFFICHEES
from ..models import BrouillonDemande, Demande

ETAPES = [
    ("guichet", "Guichet, département et date de dépôt"),
    ("demandeur", "Demandeur"),
    ("menage", "Ménage"),
    ("ressources", "Ressources, logement actuel et motifs"),
    ("souhaits", "Logement souhaité"),
    ("doublons", "Recherche de doublons"),
    ("recapitulatif", "Récapitulatif et enregistrement"),
]
SLUGS = [slug for slug, _ in ETAPES]
TITRES = dict(ETAPES)
ETAPES_FORMULAIRES = SLUGS[:5]  # the steps whose forms make the demande
# Widgets that post a second value beside their field's own name (the commune autocomplete
# posts the INSEE code picked in `<name>_code`).
SUFFIXES_DES_WIDGETS = ("_code",)


def noms_des_champs(formulaires: dict) -> set[str]:
    """The names a step's forms read in the posted data (formsets: their management form and
    every row): only those are kept in the draft, whatever else was posted."""
    noms = set()
    for objet in formulaires.values():
        formes = [objet.management_form, *objet.forms] if hasattr(objet, "forms") else [objet]
        for form in formes:
            for champ in form.fields:
                nom = form[champ].html_name
                noms.update([nom, *(nom + s for s in SUFFIXES_DES_WIDGETS)])
    return noms


class EtatAssistant:
    """One registration in progress: a draft in the database holding a plain dict (JSON)."""

    def __init__(self, brouillon: BrouillonDemande, guichets=()):
        self.brouillon = brouillon
        self.id = brouillon.identifiant
        self.donnees = brouillon.donnees
        self.guichets = list(guichets)  # the agent's saisie desks, read once by the view

    @classmethod
    def nouveau(cls, agent) -> "EtatAssistant":
        """Raises `ErreurMetier` when the agent has too many registrations in progress."""
        brouillon = services.commencer_saisie(
            agent,
            {
                "etapes": {},
                "erreurs": {},
                "nb_personnes": 1,
                "nb_communes": COMMUNES_AFFICHEES,
            },
        )
        return cls(brouillon)

    @classmethod
    def charger(cls, agent, identifiant: str, guichets=()) -> "EtatAssistant | None":
        brouillon = services.trouver_saisie(agent, identifiant)
        return cls(brouillon, guichets) if brouillon is not None else None

    def sauver(self) -> None:
        self.brouillon.donnees = self.donnees
        services.sauver_saisie(self.brouillon)

    def terminer(self) -> None:
        services.terminer_saisie(self.brouillon)

    @property
    def etapes(self) -> dict:
        """Raw data of each validated step: {step: {field: [values]}}."""
        return self.donnees["etapes"]

    @property
    def erreurs(self) -> dict:
        """Errors sent back by the service: {step: [[field or None, message]]}."""
        return self.donnees["erreurs"]

    @property
    def nb_personnes(self) -> int:
        return self.donnees.get("nb_personnes", 1)

    @nb_personnes.setter
    def nb_personnes(self, nombre: int) -> None:
        self.donnees["nb_personnes"] = nombre

    @property
    def nb_communes(self) -> int:
        return self.donnees.get("nb_communes", COMMUNES_AFFICHEES)

    @nb_communes.setter
    def nb_communes(self, nombre: int) -> None:
        self.donnees["nb_communes"] = nombre

    @property
    def suspicions(self) -> list[str]:
        return self.donnees.get("suspicions", [])

    @suspicions.setter
    def suspicions(self, numeros: list[str]) -> None:
        self.donnees["suspicions"] = numeros

    def retenir(self, etape: str, data, noms: set[str]) -> None:
        """Keep what was typed at a step: the values of the fields named `noms` (not the CSRF
        token, the button, or anything else a request may carry)."""
        self.etapes[etape] = {k: data.getlist(k) for k in data if k in noms}

    @property
    def justification_en_cours(self) -> str:
        """The justification typed at the duplicate step before leaving it to contact the
        gestionnaire (not validated yet: the step is not done)."""
        return self.donnees.get("justification_en_cours", "")

    @justification_en_cours.setter
    def justification_en_cours(self, texte: str) -> None:
        self.donnees["justification_en_cours"] = texte

    def donnees_etape(self, etape: str) -> MultiValueDict | None:
        brutes = self.etapes.get(etape)
        return MultiValueDict(brutes) if brutes is not None else None

    def valeur(self, etape: str, champ: str) -> str:
        return ((self.etapes.get(etape) or {}).get(champ) or [""])[0]

    @property
    def departement(self) -> str:
        return self.valeur("guichet", "departement")

    @property
    def pour_association(self) -> bool:
        return self.valeur("guichet", "beneficiaire") == Demande.Beneficiaire.ASSOCIATION

    def premiere_a_faire(self) -> str:
        return next((e for e in SLUGS[:-1] if e not in self.etapes), SLUGS[-1])

    @property
    def nom_saisi(self) -> str:
        """« Thi Mai NGUYEN »: the demandeur as typed, or "" before the demandeur step."""
        prenom = self.valeur("demandeur", "prenom").strip()
        nom = self.valeur("demandeur", "nom").strip().upper()
        return " ".join(p for p in (prenom, nom) if p)

    def url(self, etape: str) -> str:
        return reverse("demandes:assistant", kwargs={"assistant": self.id, "etape": etape})


def formset_personnes(data, nombre: int):
    """The personnes à charge: `nombre` rows shown; « Ajouter une personne » adds one."""
    classe = formset_factory(
        PersonneAChargeForm,
        extra=nombre,
        max_num=MAX_PERSONNES_A_CHARGE,
        absolute_max=MAX_PERSONNES_A_CHARGE,
        validate_max=True,
    )
    return classe(data, prefix="personnes")


def formulaires_etape(etat: EtatAssistant, etape: str, data) -> dict:
    """The forms of a step, bound to `data` (or not)."""
    if etape == "guichet":
        return {"form": EtapeGuichetForm(data, guichets=etat.guichets)}
    if etape == "demandeur":
        formulaires = {"form": EtapeDemandeurForm(data)}
        if etat.pour_association:
            # The association beneficiary, then its representative (the demandeur).
            formulaires["association"] = EtapeAssociationForm(data, departement=etat.departement)
        return formulaires
    if etape == "menage":
        return {
            "form": EtapeMenageForm(data),
            "personnes": formset_personnes(data, etat.nb_personnes),
        }
    if etape == "ressources":
        return {"form": EtapeRessourcesForm(data)}
    if etape == "souhaits":
        return {
            "form": EtapeSouhaitsForm(
                data, departement=etat.departement, nb_communes=etat.nb_communes
            )
        }
    raise Http404


def valides(formulaires: dict) -> bool:
    return all([f.is_valid() for f in formulaires.values()])  # every form validated


def propres(etat: EtatAssistant) -> tuple[dict, str | None]:
    """The cleaned data of the completed steps, or the first step that no longer validates."""
    resultat = {}
    for etape in ETAPES_FORMULAIRES:
        if etape not in etat.etapes:
            return resultat, etape
        formulaires = formulaires_etape(etat, etape, etat.donnees_etape(etape))
        if not valides(formulaires):
            return resultat, etape
        resultat[etape] = formulaires["form"].cleaned_data
        if "association" in formulaires:
            resultat["association"] = formulaires["association"].cleaned_data
        if etape == "menage":
            resultat["personnes"] = [
                p for p in formulaires["personnes"].cleaned_data if (p.get("nom") or "").strip()
            ]
            resultat["a_co_demandeur"] = formulaires["form"].a_co_demandeur
    return resultat, None


def saisies_affichees(agent) -> list[dict]:
    """The agent's registrations in progress, as the « Saisies en cours » list shows them: the
    name typed, the step reached (where « Reprendre » leads), started and changed when, erased
    after when. A draft where nothing was validated yet is not listed: nothing to resume."""
    lignes = []
    for brouillon in services.saisies_en_cours(agent):
        etat = EtatAssistant(brouillon)
        if not etat.etapes:
            continue
        etape = etat.premiere_a_faire()
        lignes.append(
            {
                "identifiant": etat.id,
                "nom": etat.nom_saisi,
                "etape": TITRES[etape],
                "numero_etape": SLUGS.index(etape) + 1,
                "nb_etapes": len(SLUGS),
                "url": etat.url(etape),
                "cree_le": brouillon.cree_le,
                "modifie_le": brouillon.modifie_le,
                "expire_le": brouillon.expire_le,
            }
        )
    return lignes
