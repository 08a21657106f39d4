"""Duplicate search before a registration or an identity change: the engine of `sne.doublons`
(keys, candidates, scoring, reasons — ADR 0015), for the people of a demande or what a desk
typed; nationally and whatever the desk's scope (DESIGN « Scopes and rights »). Only the
minimum to act is returned: never the other demande's personal data.

The gestionnaire's decisions on a pair of probable duplicates (a stock audit's, or a forced
creation's) are here too, since « doublon confirmé » strikes a demande off: `confirmer_doublon`
and `ecarter_doublon`. Nothing is ever struck off or merged without such a decision."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from sne.comptes.droits import droits_de
from sne.doublons.forcages import actualiser_examen, enregistrer_forcage
from sne.doublons.models import PaireDoublon
from sne.doublons.services import Identite, Suspicion, identite_de, rechercher, verrouiller
from sne.exceptions import ErreurMetier, NonAutorise

from .. import nomenclatures as n
from .cycle_de_vie import radier

__all__ = [
    "Identite",
    "Suspicion",
    "confirmer_doublon",
    "doublons_des_personnes",
    "ecarter_doublon",
    "enregistrer_forcage",
    "rechercher_doublons",
]


def rechercher_doublons(
    nom: str, prenom: str, date_naissance: date | None, *, exclure=None, **identite
) -> list[Suspicion]:
    """The suspicions for what a desk typed (`identite`: nom_naissance, nir,
    piece_identite_numero, email, telephone, civilite when known)."""
    return rechercher(
        Identite(nom=nom, prenom=prenom, date_naissance=date_naissance, **identite),
        exclure=exclure,
    )


def doublons_des_personnes(*personnes, exclure=None) -> list[Suspicion]:
    """The suspicions for the demandeur and co-demandeur about to be written (unsaved
    `Personne`s), one per other demande, best first. Takes the lock that makes concurrent
    registrations of the same person one decision (held until the commit)."""
    identites = [identite_de(p) for p in personnes if p is not None]
    verrouiller(*identites)
    meilleures: dict[str, Suspicion] = {}
    for identite in identites:
        for s in rechercher(identite, exclure=exclure):
            if s.numero_unique not in meilleures or meilleures[s.numero_unique].score < s.score:
                meilleures[s.numero_unique] = s
    return sorted(meilleures.values(), key=lambda s: (-s.score, s.numero_unique))


def _paire_a_decider(paire: PaireDoublon, par) -> PaireDoublon:
    paire = (
        PaireDoublon.objects.select_for_update()
        .select_related("demande_a", "demande_b")
        .get(pk=paire.pk)
    )
    droits = droits_de(par)
    if not (
        droits.gere_departement(paire.departement_id)
        or droits.gere_departement(paire.demande_a.departement_id)
        or droits.gere_departement(paire.demande_b.departement_id)
    ):
        raise NonAutorise("Vous ne gérez pas le département de ces demandes.")
    if paire.decidee:
        raise ErreurMetier(
            f"Cette paire a déjà été examinée : « {paire.get_statut_display()} ».",
            code="paire_deja_examinee",
        )
    return paire


@transaction.atomic
def confirmer_doublon(paire: PaireDoublon, a_radier, par) -> PaireDoublon:
    """« Doublon confirmé » by a gestionnaire: `a_radier`, one of the two demandes, is struck
    off for renonciation (national code RADABA, « abandon de la demande » —
    REFERENCE-CODES.md), with the other's numéro in the commentaire; the other keeps its
    numéro and its seniority (propose the more recent one: `a_radier_par_defaut`). Only a
    demande of one of the gestionnaire's départements, still active."""
    paire = _paire_a_decider(paire, par)
    if a_radier.pk not in (paire.demande_a_id, paire.demande_b_id):
        raise ErreurMetier(
            "Choisissez l'une des deux demandes de la paire.", code="demande_hors_paire"
        )
    a_radier, gardee = (
        (paire.demande_a, paire.demande_b)
        if a_radier.pk == paire.demande_a_id
        else (paire.demande_b, paire.demande_a)
    )
    if not droits_de(par).gere_departement(a_radier.departement_id):
        raise NonAutorise(
            f"La demande {a_radier.numero_unique} est du département {a_radier.departement_id}, "
            "que vous ne gérez pas : vous ne pouvez pas la radier. Radiez l'autre, ou "
            "demandez-le au gestionnaire de ce département."
        )
    if not a_radier.est_active:
        raise ErreurMetier(
            f"La demande {a_radier.numero_unique} est déjà radiée : elle ne peut pas l'être "
            "une seconde fois.",
            code="demande_radiee",
        )
    radier(
        a_radier,
        n.MotifRadiation.RENONCIATION,
        par=par,
        commentaire=(f"Doublon confirmé de la demande {gardee.numero_unique} (audit des doublons)"),
    )
    paire.statut = PaireDoublon.Statut.DOUBLON_CONFIRME
    paire.demande_radiee = a_radier
    paire.decidee_par = par
    paire.decidee_le = timezone.now()
    paire.save()
    actualiser_examen(paire)
    return paire


@transaction.atomic
def ecarter_doublon(paire: PaireDoublon, par) -> PaireDoublon:
    """« Personnes différentes »: recorded, and the pair is never proposed again (audits,
    searches made for one of the two demandes)."""
    paire = _paire_a_decider(paire, par)
    paire.statut = PaireDoublon.Statut.PERSONNES_DIFFERENTES
    paire.decidee_par = par
    paire.decidee_le = timezone.now()
    paire.save()
    actualiser_examen(paire)
    return paire


def a_radier_par_defaut(paire: PaireDoublon):
    """The demande to strike off that a gestionnaire is offered first: the more recent one,
    so that the household keeps the older seniority; among those they may strike off."""
    a, b = paire.demande_a, paire.demande_b
    return max((a, b), key=lambda d: (d.date_depot, d.pk))
