"""Duplicate detection: the one place that matches people (issue 11, ADR 0015).

- `indexer_demande` keeps the identity index (`EmpreinteIdentite`) of a demande, in the
  transaction of each of its changes (called by `demandes.services.historique.historiser`);
- `rechercher` finds the active demandes where a person probably already is, as demandeur or
  co-demandeur, nationally and whatever the desk's scope; each suspicion has a score and its
  reasons in French, and never the other demande's personal data;
- `verrouiller` makes concurrent registrations of the same person wait for each other.

The search reads few rows: candidates come from indexed blocks (the same birth date or day
and month swapped; a date one digit away with the same phonetic nom or prénom; the same NIR,
identity document, e-mail or telephone), then each is scored with rapidfuzz (Jaro-Winkler on
folded names, phonetic keys, particles and compound names, nom and prénom swapped, usage and
birth names, date proximity). The rules and thresholds come from the measurement of
`bench/doublons.py` (precision and recall per kind of variation), recorded in the ADR.
"""

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q
from rapidfuzz.distance import JaroWinkler

from . import cles
from .models import EmpreinteIdentite, PaireDoublon

ROLES_INDEXES = ("demandeur", "co_demandeur")
LONGUEUR_MAX_NOM = 100  # longer input is cut: a name is never that long (and keys stay small)
CANDIDATS_MAX = 2000
LIMITE_SUSPICIONS = 20

# Thresholds (ADR 0015): a name is « proche » from this Jaro-Winkler similarity of the folded
# forms (a typo, a dropped or doubled letter); « identique » at 1.
SEUIL_NOM_PROCHE = 0.88
SEUIL_NOM_TRES_PROCHE = 0.95  # nom and prénom swapped, date one digit away


@dataclass(frozen=True)
class Identite:
    """Who is searched: what a desk types, or a person of a demande (`identite_de`)."""

    nom: str
    prenom: str
    date_naissance: date | None = None
    nom_naissance: str = ""
    nir: str = ""
    piece_identite_numero: str = ""
    email: str = ""
    telephone: str = ""
    civilite: str = ""


@dataclass(frozen=True)
class Suspicion:
    numero_unique: str
    departement: str
    date_depot: date
    guichet: str
    score: int
    raisons: tuple[str, ...]
    demande_id: int = field(default=0, compare=False)

    def en_dict(self) -> dict:
        """What any desk may see (DESIGN « Scopes and rights »): never personal data."""
        return {
            "numero_unique": self.numero_unique,
            "departement": self.departement,
            "date_depot": self.date_depot.isoformat(),
            "guichet": self.guichet,
            "score": self.score,
            "raisons": list(self.raisons),
        }


def identite_de(personne) -> Identite:
    return Identite(
        nom=personne.nom,
        prenom=personne.prenom,
        date_naissance=personne.date_naissance,
        nom_naissance=personne.nom_naissance,
        nir=personne.nir,
        piece_identite_numero=personne.piece_identite_numero,
        email=personne.email,
        telephone=personne.telephone,
        civilite=personne.civilite,
    )


# ---------------------------------------------------------------------------------------------
# The index


def _empreinte(personne, demande) -> EmpreinteIdentite:
    return EmpreinteIdentite(
        personne_id=personne.pk,
        demande_id=demande.pk,
        role=personne.role,
        actif=demande.statut == "active",
        numero_unique=demande.numero_unique,
        departement=demande.departement_id,
        date_depot=demande.date_depot,
        guichet=demande.guichet_enregistreur.code,
        **_cles(identite_de(personne)),
    )


def _cles(identite: Identite) -> dict:
    nom = identite.nom[:LONGUEUR_MAX_NOM]
    nom_naissance = identite.nom_naissance[:LONGUEUR_MAX_NOM]
    prenom = identite.prenom[:LONGUEUR_MAX_NOM]
    return {
        "nom": cles.plier(nom)[:100],
        "nom_naissance": cles.plier(nom_naissance)[:100],
        "prenom": cles.plier(prenom)[:100],
        "nom_phonetique": cles.phonetique(nom)[:100],
        "nom_naissance_phonetique": cles.phonetique(nom_naissance)[:100],
        "prenom_phonetique": cles.phonetique(prenom)[:100],
        "date_naissance": identite.date_naissance,
        "nir": cles.compacter_nir(identite.nir),
        "piece_identite": cles.compacter_piece(identite.piece_identite_numero)[:50],
        "email": cles.compacter_email(identite.email)[:254],
        "telephone": (identite.telephone or "")[:30],
        "civilite": (identite.civilite or "").upper()[:3],
    }


def indexer_demande(demande) -> None:
    """(Re)write the index rows of a demande's demandeur and co-demandeur, as it is now: its
    people, their identity, its status. Called in the transaction of each change."""
    personnes = list(demande.personnes.filter(role__in=ROLES_INDEXES))
    # A person may come from another demande (a separation moves the co-demandeur).
    EmpreinteIdentite.objects.filter(
        Q(demande_id=demande.pk) | Q(personne_id__in=[p.pk for p in personnes])
    ).delete()
    EmpreinteIdentite.objects.bulk_create(_empreinte(p, demande) for p in personnes)


def indexer_demandes(demande_ids, *, taille_lot: int = 2000) -> int:
    """Rebuild the index of many demandes (a bulk load, a backfill); the number of rows."""
    Personne = EmpreinteIdentite._meta.get_field("personne").related_model
    ids = list(demande_ids)
    ecrites = 0
    for debut in range(0, len(ids), taille_lot):
        lot = ids[debut : debut + taille_lot]
        EmpreinteIdentite.objects.filter(demande_id__in=lot).delete()
        personnes = Personne.objects.filter(
            demande_id__in=lot, role__in=ROLES_INDEXES
        ).select_related("demande__guichet_enregistreur")
        ecrites += len(
            EmpreinteIdentite.objects.bulk_create(
                (_empreinte(p, p.demande) for p in personnes), batch_size=1000
            )
        )
    return ecrites


# ---------------------------------------------------------------------------------------------
# The search


def verrouiller(*identites: Identite) -> None:
    """Concurrent registrations of the same person wait for each other, so that the search
    and the insert are one decision: a PostgreSQL advisory lock per birth date (and its day
    and month swapped), held until the commit, taken in a fixed order (no deadlock). SQLite's
    IMMEDIATE transactions already serialise writers. A birth date is shared by a few dozen
    people per million: the wait is rare and short."""
    if connection.vendor != "postgresql":
        return
    verrous = set()
    for identite in identites:
        jour = identite.date_naissance if identite else None
        if jour is None:
            continue
        for d in _date_et_inversee(jour):
            empreinte = hashlib.blake2b(f"doublon|{d.isoformat()}".encode(), digest_size=8)
            verrous.add(int.from_bytes(empreinte.digest(), "big", signed=True))
    with connection.cursor() as curseur:
        for verrou in sorted(verrous):
            curseur.execute("SELECT pg_advisory_xact_lock(%s)", [verrou])


def _date_et_inversee(jour: date) -> set[date]:
    dates = {jour}
    if jour.day <= 12:
        with contextlib.suppress(ValueError):  # 30/01 has no inverse
            dates.add(jour.replace(day=jour.month, month=jour.day))
    return dates


def _candidats(q: dict, exclure_id) -> list[EmpreinteIdentite]:
    """The rows worth scoring, from indexed blocks. The narrow blocks (a phonetic key with the
    date or a date one digit away, NIR, identity document, e-mail, telephone) are read whole;
    the wide one (everyone born that day, for names typed far from the phonetic key) is cut
    at `CANDIDATS_MAX`: a conventional birth date (1 January for people born abroad without a
    known date) gathers hundreds of people, and the cut must never lose the same name."""
    jour = q["date_naissance"]
    noms = {q["nom_phonetique"], q["nom_naissance_phonetique"]} - {""}
    prenom = q["prenom_phonetique"]
    proches = Q()
    if prenom:
        proches |= Q(prenom_phonetique=prenom) | Q(nom_phonetique=prenom)
    for nom in noms:
        proches |= (
            Q(nom_phonetique=nom) | Q(nom_naissance_phonetique=nom) | Q(prenom_phonetique=nom)
        )
    etroits, large = Q(), None
    if jour is not None:
        dates = sorted(_date_et_inversee(jour))
        large = Q(date_naissance__in=dates)
        if proches:
            etroits |= Q(date_naissance__in=dates + sorted(cles.variantes_date(jour))) & proches
    for champ in ("nir", "piece_identite", "email", "telephone"):
        if q[champ] and (champ != "piece_identite" or len(q[champ]) >= 5):
            etroits |= Q(**{champ: q[champ]})
    trouves: dict[int, EmpreinteIdentite] = {}
    for blocs, limite in ((etroits, None), (large, CANDIDATS_MAX)):
        if not blocs:
            continue
        requete = EmpreinteIdentite.objects.filter(blocs, actif=True)
        if exclure_id is not None:
            requete = requete.exclude(demande_id=exclure_id)
        for c in requete[:limite] if limite else requete:
            trouves.setdefault(c.pk, c)
    return list(trouves.values())


def _proche_a_une_faute(a: str, b: str) -> bool:
    """One letter changed, added, dropped or two swapped — two on 7 letters and more: what
    Jaro-Winkler forgives too little on a short name (« Jran »/« Jean », « Laly »/« Lamy »)."""
    if not a or not b:
        return False
    distance = cles.distance_edition(a, b)
    return distance <= 1 or (distance <= 2 and min(len(a), len(b)) >= 7)


def _similarite(a: str, b: str, pa: str = "", pb: str = "") -> float:
    """How alike two folded names are: 1 identical, 0.95 the same phonetic key, a compound
    name containing the other 0.92, else Jaro-Winkler."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    meilleure = JaroWinkler.normalized_similarity(a, b)
    if pa and pa == pb:
        meilleure = max(meilleure, 0.95)
    if len(min(a, b, key=len)) >= 3 and (a in b or b in a):
        meilleure = max(meilleure, 0.92)
    return meilleure


def _comparer(q: dict, c: EmpreinteIdentite) -> tuple[int, list[str]] | None:
    """The score (0–100) and reasons of a candidate, or None if it is not a suspicion."""
    if q["nir"] and c.nir:
        if q["nir"] == c.nir:
            return 100, ["même numéro de sécurité sociale"]
        return None  # two valid, different NIR: two people
    noms_q = [(q["nom"], q["nom_phonetique"]), (q["nom_naissance"], q["nom_naissance_phonetique"])]
    noms_c = [(c.nom, c.nom_phonetique), (c.nom_naissance, c.nom_naissance_phonetique)]
    sn, paire = 0.0, None
    for a, pa in noms_q:
        for b, pb in noms_c:
            s = _similarite(a, b, pa, pb)
            if s > sn:
                sn, paire = s, (a is q["nom_naissance"] and a, b is c.nom_naissance and b)
    sp = _similarite(q["prenom"], c.prenom, q["prenom_phonetique"], c.prenom_phonetique)
    inverse = min(
        _similarite(q["nom"], c.prenom, q["nom_phonetique"], c.prenom_phonetique),
        _similarite(q["prenom"], c.nom, q["prenom_phonetique"], c.nom_phonetique),
    )
    d, raison_date = cles.proximite_date(q["date_naissance"], c.date_naissance)
    raisons = []
    if inverse > min(sn, sp):
        noms, raison_noms = inverse, "nom et prénom inversés"
        sn = sp = inverse
    else:
        noms, raison_noms = (sn + sp) / 2, ""

    piece = q["piece_identite"] and q["piece_identite"] == c.piece_identite
    contact = [
        libelle
        for champ, libelle in (("email", "même adresse e-mail"), ("telephone", "même téléphone"))
        if q[champ] and q[champ] == getattr(c, champ)
    ]
    # A typo on a short name: the other field identical, one edit away (« Allain Jran »).
    nom_a_une_faute = any(
        _proche_a_une_faute(a, b) for a, _ in noms_q for b, _ in noms_c if a and b
    )
    prenom_a_une_faute = _proche_a_une_faute(q["prenom"], c.prenom)
    faute_seule = (sp == 1.0 and nom_a_une_faute) or (sn == 1.0 and prenom_a_une_faute)
    # Identical or pronounced the same, nom (usage or birth) and prénom — or both swapped.
    memes_noms = (raison_noms != "" and inverse >= SEUIL_NOM_TRES_PROCHE) or (
        any(a == b or (pa and pa == pb) for a, pa in noms_q for b, pb in noms_c if a and b)
        and (
            q["prenom"] == c.prenom
            or (q["prenom_phonetique"] and q["prenom_phonetique"] == c.prenom_phonetique)
        )
    )
    annee_au_premier_janvier = (
        d < 1.0
        and c.date_naissance is not None
        and q["date_naissance"] is not None
        and q["date_naissance"].year != c.date_naissance.year
        and (c.date_naissance.day, c.date_naissance.month) == (1, 1)
    )
    if piece and max(sn, sp) >= SEUIL_NOM_PROCHE:
        score, raisons = 97, ["même numéro de pièce d'identité"]
    elif d == 1.0 and (min(sn, sp) >= SEUIL_NOM_PROCHE or faute_seule):
        score = round(100 * (0.5 + 0.5 * max(noms, SEUIL_NOM_PROCHE)))
        raisons = [raison_date]
    elif d >= 0.85 and memes_noms and not annee_au_premier_janvier:
        # A date one digit away, names the same or pronounced the same: « proches » is not
        # enough (Martinez/Martin, Margot/Margaux born in another year are other people).
        score = round(100 * (0.4 + 0.5 * noms + 0.1 * d))
        raisons = [raison_date]
    elif contact and (
        (sp >= SEUIL_NOM_PROCHE and (sn >= SEUIL_NOM_PROCHE or nom_a_une_faute))
        or (sn >= SEUIL_NOM_PROCHE and prenom_a_une_faute)
    ):
        score = round(100 * (0.4 + 0.5 * max(noms, SEUIL_NOM_PROCHE))) + (5 if d else 0)
        raisons = contact + ([raison_date] if raison_date else [])
    else:
        return None
    if q["civilite"] and c.civilite and q["civilite"] != c.civilite and not (piece or contact):
        return None  # Jean and Jeanne, twins: not the same person
    if raison_noms:
        raisons.append(raison_noms)
    else:
        raisons.append(_raison_nom(sn, paire))
        raisons.append(_raison("prénom", sp))
    return min(score, 99), raisons


def _raison(quoi: str, similarite: float) -> str:
    if similarite >= 1.0:
        return f"{quoi} identique"
    if similarite >= 0.95:
        return f"{quoi} de même prononciation"
    return f"{quoi} proche (faute de frappe ou variante)"


def _raison_nom(similarite: float, paire) -> str:
    raison = _raison("nom", similarite)
    if paire and (paire[0] or paire[1]):
        raison += " (nom de naissance)"
    return raison


def rechercher(
    identite: Identite, *, exclure=None, limite: int = LIMITE_SUSPICIONS
) -> list[Suspicion]:
    """The active demandes where this person probably already is (as demandeur or
    co-demandeur), best first; nationally and whatever the desk's scope. Nothing is ever
    merged or struck off: a suspicion is for a person to check. A demande a gestionnaire has
    judged « personnes différentes » from `exclure` is never proposed again."""
    exclure_id = exclure.pk if exclure is not None else None
    ecartees = ecartees_de([exclure_id]).get(exclure_id, set()) if exclure_id else set()
    return _suspicions(_cles(identite), exclure_id, ecartees, limite)


def rechercher_empreinte(empreinte: EmpreinteIdentite, ecartees=frozenset()) -> list[Suspicion]:
    """The suspicions of a person of the index (the stock audit), from its stored keys: other
    active demandes only, except those in `ecartees` (ids judged « personnes différentes »)."""
    q = {champ: getattr(empreinte, champ) for champ in CHAMPS_DES_CLES}
    return _suspicions(q, empreinte.demande_id, ecartees, LIMITE_SUSPICIONS)


CHAMPS_DES_CLES = tuple(_cles(Identite(nom="", prenom="")))


def ecartees_de(demande_ids) -> dict[int, set[int]]:
    """For each of these demandes, the others a gestionnaire judged « personnes différentes »."""
    ids = [i for i in demande_ids if i]
    ecartees: dict[int, set[int]] = {}
    if not ids:
        return ecartees
    paires = PaireDoublon.objects.filter(
        Q(demande_a__in=ids) | Q(demande_b__in=ids),
        statut=PaireDoublon.Statut.PERSONNES_DIFFERENTES,
    ).values_list("demande_a", "demande_b")
    for a, b in paires:
        ecartees.setdefault(a, set()).add(b)
        ecartees.setdefault(b, set()).add(a)
    return ecartees


def _suspicions(q: dict, exclure_id, ecartees, limite: int) -> list[Suspicion]:
    meilleures: dict[int, Suspicion] = {}
    for c in _candidats(q, exclure_id):
        if c.demande_id in ecartees:
            continue
        resultat = _comparer(q, c)
        if resultat is None:
            continue
        score, raisons = resultat
        role = "demandeur" if c.role == "demandeur" else "co-demandeur"
        suspicion = Suspicion(
            c.numero_unique,
            c.departement,
            c.date_depot,
            c.guichet,
            score,
            (*raisons, f"en tant que {role}"),
            c.demande_id,
        )
        if c.demande_id not in meilleures or meilleures[c.demande_id].score < score:
            meilleures[c.demande_id] = suspicion
    return sorted(meilleures.values(), key=lambda s: (-s.score, s.numero_unique))[:limite]
