"""Finding demandes, within what a person may consult (`Demande.objects.visibles_par`): by the
numéro unique — with the close numbers when it is mistyped —, by the demandeur's name and birth
date, and the latest registered by one's desks.

Each query stays proportional to what it returns, not to the national stock (issue 7, measured
by `bench/recherche.py`): a mistyped numéro is answered by looking up the hundred or so
well-formed numbers one typing error away, never by loading numbers to compare them.
"""

import re

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, Introuvable
from sne.referentiels.normalisation import plier

from . import numero as numeros
from .models import REGEX_NUMERO_UNIQUE, Demande, Personne, perimetre_de_consultation

# What the lists of demandes show (`demandes/_tableau.html`): a few columns of the demande,
# and of its demandeur.
CHAMPS_LISTE = ("numero_unique", "statut", "departement", "date_depot", "date_expiration")
DEMANDEURS_LISTE = Prefetch(
    "personnes",
    queryset=Personne.objects.filter(role=Personne.Role.DEMANDEUR).only(
        "demande", "role", "nom", "prenom", "date_naissance"
    ),
)
NOMBRE_RECENTES = 10

# Territory, month, year and sequence: what identifies a numéro (`numeros_voisins`).
LONGUEUR_IDENTIFIANT = 13
_BIEN_FORME = re.compile(REGEX_NUMERO_UNIQUE)
_CARACTERES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- By numéro unique ------------------------------------------------------------------------


def trouver_demande(numero_unique: str, par) -> Demande:
    """The demande of that numéro if the person may see it. Otherwise say precisely what is
    wrong (`numero.analyser`: length, layout, month) or that no visible demande has it, and
    suggest, in `details["suggestions"]`, the visible numbers one typing error away."""
    numero = numeros.normaliser(numero_unique)
    visibles = Demande.objects.visibles_par(par)
    try:
        numeros.analyser(numero_unique)
    except ErreurMetier as erreur:
        erreur.details["suggestions"] = numeros_proches_visibles(numero, visibles)
        raise
    demande = visibles.filter(numero_unique=numero).first()
    if demande is None:
        raise Introuvable(
            f"Aucune demande visible ne porte le numéro {numero}.",
            code="demande_introuvable",
            details={"suggestions": numeros_proches_visibles(numero, visibles)},
        )
    return demande


def numeros_voisins(numero: str) -> tuple[set[str], str | None]:
    """What to look up for a numéro one typing error away from `numero` (normalised): the
    well-formed numbers with one of the first 13 characters replaced by another valid at
    that place, two adjacent ones swapped, or — for a 17 or 19-character entry — one
    inserted or deleted; and the 13-character prefix whose number it may be.

    The first 13 characters (territory, month, year, sequence) identify a numéro, since a
    sequence is given once in its territory and month: an error in the desk code (the last
    5) is found by that prefix, whatever the code, instead of 5 × 35 candidates. A hundred
    and fifty candidates at most."""
    candidats, prefixe = set(), None
    if len(numero) == 18:
        for i in range(LONGUEUR_IDENTIFIANT):
            candidats.update(
                numero[:i] + c + numero[i + 1 :] for c in _CARACTERES if c != numero[i]
            )
            candidats.add(numero[:i] + numero[i + 1] + numero[i] + numero[i + 2 :])
        prefixe = numero[:LONGUEUR_IDENTIFIANT]
    elif len(numero) == 17:
        candidats.update(
            numero[:i] + c + numero[i:] for i in range(LONGUEUR_IDENTIFIANT) for c in _CARACTERES
        )
        prefixe = numero[:LONGUEUR_IDENTIFIANT]
    elif len(numero) == 19:
        candidats.update(numero[:i] + numero[i + 1 :] for i in range(19))
    candidats.discard(numero)
    if prefixe and not _BIEN_FORME.match(prefixe + "00000"):
        prefixe = None
    return {c for c in candidats if _BIEN_FORME.match(c)}, prefixe


def numeros_proches_visibles(numero: str, visibles: QuerySet) -> list[str]:
    """The numbers of `visibles` one typing error away from `numero`, or sharing its first 13
    characters (`numeros_voisins`), in order. All of them, so that the right one is always
    among them when the person may see it: a few at most, since a sequence belongs to one
    desk and one month.

    Two indexed lookups: the candidates that exist, then which of them the person may see.
    In one query PostgreSQL would expect a hundred rows (one per candidate) instead of the
    one or two that exist, and read a whole branch of the scope to check them."""
    candidats, prefixe = numeros_voisins(numero)
    if not candidats and not prefixe:
        return []
    condition = Q(numero_unique__in=sorted(candidats))
    if prefixe:
        condition |= Q(numero_unique__startswith=prefixe)
    existants = list(Demande.objects.filter(condition).order_by().values_list("pk", flat=True))
    if not existants:
        return []
    return list(
        visibles.filter(pk__in=existants)
        .order_by("numero_unique")
        .values_list("numero_unique", flat=True)
    )


# --- By demandeur ----------------------------------------------------------------------------


def rechercher_par_personne(
    utilisateur, nom: str, prenom: str, date_naissance, numero_page, par_page: int
) -> Page:
    """The page `numero_page` of the visible demandes whose demandeur or co-demandeur bears
    that name (usage or birth name, or its beginning), first name (or its beginning) and birth
    date, each optional; accents, case and separators ignored (`plier`). Most recent first.

    Three queries and the demandeurs, whatever the number of results. First the visible
    demandes found through the persons, read from the name indexes alone and checked against
    the scope before any demande is read (`_demandes_des_personnes`); then these demandes in
    order — their number is the count, the search does not run a second time for it —; then
    the page. Passing the ids found as values keeps PostgreSQL's estimate exact: asked in one
    query, it cannot tell that a prefix such as « MART » leaves a few hundred demandes out of
    20,000 candidates, and reads the whole table of demandes instead."""
    trouvees = set(_demandes_des_personnes(utilisateur, nom, prenom, date_naissance))
    ids = (
        list(
            Demande.objects.filter(pk__in=trouvees)
            .order_by("-date_depot", "-pk")
            .values_list("pk", flat=True)
        )
        if trouvees
        else []
    )
    page = Paginator(ids, par_page).get_page(numero_page)
    demandes = (
        Demande.objects.only(*CHAMPS_LISTE)
        .prefetch_related(DEMANDEURS_LISTE)
        .in_bulk(page.object_list)
    )
    page.object_list = [demandes[pk] for pk in page.object_list]
    return page


def _demandes_des_personnes(utilisateur, nom: str, prenom: str, date_naissance) -> QuerySet:
    """The ids of the visible demandes where a demandeur or co-demandeur matches (a demande
    may come twice: its demandeur and co-demandeur, or usage and birth name)."""
    # A birth date leaves a few dozen candidates, checked one by one; a name (prefix) alone,
    # up to tens of thousands, checked against each branch of the scope read once.
    perimetre = perimetre_de_consultation(utilisateur, "demande", par_ensembles=not date_naissance)
    personnes = Personne.objects.filter(
        perimetre, role__in=[Personne.Role.DEMANDEUR, Personne.Role.CO_DEMANDEUR]
    ).order_by()
    if prenom.strip():
        personnes = personnes.filter(prenom_cle__startswith=plier(prenom))
    if date_naissance:
        personnes = personnes.filter(date_naissance=date_naissance)
    if not nom.strip():
        return personnes.values_list("demande", flat=True)
    # One query per name, each read from its own index alone.
    cle = plier(nom)
    return (
        personnes.filter(nom_cle__startswith=cle)
        .values_list("demande", flat=True)
        .union(
            personnes.filter(nom_naissance_cle__startswith=cle).values_list("demande", flat=True),
            all=True,
        )
    )


# --- Latest registered -----------------------------------------------------------------------


def demandes_recentes(utilisateur, nombre: int = NOMBRE_RECENTES) -> list[Demande]:
    """The last demandes registered by the desks the person consults for, most recent first
    (a desk always sees what it registered)."""
    guichets = droits_de(utilisateur).guichets_consultation
    if not guichets:
        return []
    return list(
        Demande.objects.filter(guichet_enregistreur__in=sorted(guichets))
        .only(*CHAMPS_LISTE)
        .prefetch_related(DEMANDEURS_LISTE)
        .order_by("-enregistree_le", "-pk")[:nombre]
    )
