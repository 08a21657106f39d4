"""A registration in progress: its steps, the raw data typed at each one (kept in the session
under the wizard's own id, so that two tabs can each register a demande), the errors a service
sent back to them, and the step forms bound to that data."""

import uuid

from django.forms import formset_factory
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

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
from ..models import Demande

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
IGNORES = {"csrfmiddlewaretoken", "action"}


class EtatAssistant:
    """One registration in progress, stored in the session as a plain dict (JSON)."""

    PREFIXE = "demande_assistant:"
    GARDES = 5  # wizards kept per session; the oldest go first

    def __init__(self, session, identifiant: str, donnees: dict, guichets=()):
        self.session = session
        self.id = identifiant
        self.donnees = donnees
        self.guichets = list(guichets)  # the agent's saisie desks, read once by the view

    @classmethod
    def nouveau(cls, session) -> "EtatAssistant":
        anciens = sorted(
            (k for k in session.keys() if k.startswith(cls.PREFIXE)),  # noqa: SIM118
            key=lambda k: session[k].get("cree", ""),
        )
        for cle in anciens[: max(0, len(anciens) - cls.GARDES + 1)]:
            del session[cle]
        etat = cls(
            session,
            uuid.uuid4().hex[:12],
            {
                "cree": timezone.now().isoformat(),
                "etapes": {},
                "erreurs": {},
                "nb_personnes": 1,
                "nb_communes": COMMUNES_AFFICHEES,
            },
        )
        etat.sauver()
        return etat

    @classmethod
    def charger(cls, session, identifiant: str, guichets=()) -> "EtatAssistant | None":
        donnees = session.get(cls.PREFIXE + identifiant)
        return cls(session, identifiant, donnees, guichets) if donnees is not None else None

    def sauver(self) -> None:
        self.session[self.PREFIXE + self.id] = self.donnees

    def terminer(self) -> None:
        del self.session[self.PREFIXE + self.id]

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

    def retenir(self, etape: str, data) -> None:
        """Keep what was typed at a step (without the CSRF token and the button)."""
        self.etapes[etape] = {k: data.getlist(k) for k in data if k not in IGNORES}

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
