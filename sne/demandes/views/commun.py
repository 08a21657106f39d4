"""What the demande's pages share: the desks an agent registers for, the demande loaded with
everything its page shows, and the refusal to act on a demande one may only read."""

from django.db.models import Prefetch
from django.forms.utils import ErrorDict, ErrorList
from django.urls import reverse

from sne.comptes.droits import droits_de, guichet_agissant
from sne.exceptions import NonAutorise
from sne.organisations.models import Guichet

from .. import services
from ..models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne

MESSAGE_SAISIE_REFUSEE = (
    "La saisie des demandes est réservée aux agents habilités en saisie sur un guichet "
    "enregistreur. Votre compte permet de consulter les demandes."
)


def guichets_saisie(utilisateur) -> list[Guichet]:
    """The active desks a person registers demandes for, with their départements."""
    droits = droits_de(utilisateur)
    return list(
        Guichet.objects.filter(pk__in=droits.guichets_saisie, actif=True)
        .prefetch_related("departements")
        .order_by("code")
    )


def exiger_guichets_saisie(utilisateur) -> list[Guichet]:
    guichets = guichets_saisie(utilisateur)
    if not guichets:
        raise NonAutorise(MESSAGE_SAISIE_REFUSEE)
    return guichets


def demande_complete(pk: int) -> Demande:
    """A demande with everything its page shows, in a constant number of queries."""
    return (
        Demande.objects.select_related("departement", "guichet_enregistreur", "association")
        .prefetch_related(
            Prefetch(
                "personnes",
                queryset=Personne.objects.select_related("commune", "employeur_commune"),
            ),
            Prefetch(
                "communes_souhaitees",
                queryset=CommuneSouhaitee.objects.select_related("commune"),
            ),
            Prefetch(
                "historique",
                queryset=HistoriqueDemande.objects.select_related(
                    "utilisateur", "guichet"
                ).order_by("-horodatage", "-pk"),
            ),
        )
        .get(pk=pk)
    )


def pour_agir(request, numero: str):
    """(demande, desk) when the person may act on it; `Introuvable` when they cannot see it,
    `NonAutorise` when they may only read it."""
    demande = services.trouver_demande(numero, request.user)
    guichet = guichet_agissant(request.user, demande)
    if guichet is None:
        raise NonAutorise(
            "Vous pouvez consulter cette demande mais pas la modifier : il faut une "
            "habilitation de saisie sur un guichet habilité sur son département."
        )
    return demande, guichet


def vers_demande(numero: str, onglet: str = "") -> str:
    url = reverse("demandes:demande", kwargs={"numero": numero})
    return f"{url}?onglet={onglet}" if onglet else url


def entier(valeur, defaut: int, maximum: int) -> int:
    """A count posted by the page (rows shown), bounded; `defaut` if it is not a number."""
    try:
        return max(1, min(int(valeur), maximum))
    except (TypeError, ValueError):
        return defaut


def sans_erreurs(formulaires: dict) -> dict:
    """Bound forms shown again without their errors (« Ajouter une personne / une commune »:
    the person has not asked to validate yet)."""
    for objet in formulaires.values():
        for form in getattr(objet, "forms", [objet]):
            form._errors = ErrorDict()
        if hasattr(objet, "forms"):
            objet._errors, objet._non_form_errors = [], ErrorList()
    return formulaires
