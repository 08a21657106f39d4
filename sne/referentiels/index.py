"""The in-memory index behind commune resolution and autocompletion.

35,000 communes fit in a few MB; looking them up in dictionaries and a sorted list answers in
well under a millisecond, where a database round trip per keystroke would not. The index is
built from the database on first use in each process and rebuilt when a new
`ChargementReferentiel` appears (checked at most every `DELAI_VERIFICATION` seconds).
"""

import bisect
import gc
import heapq
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .models import ChargementReferentiel, CodePostal, Commune, NomAlternatif
from .normalisation import ARTICLES, cle, cle_sans_article, mots

DELAI_VERIFICATION = 60.0
VILLES_A_ARRONDISSEMENTS = {"75056": "paris", "69123": "lyon", "13055": "marseille"}


@dataclass(frozen=True)
class FicheCommune:
    """What the resolution needs to know about a commune, without touching the database."""

    code_insee: str
    nom: str
    departement: str
    type: str
    commune_parente: str | None
    population: int
    codes_postaux: tuple[str, ...]
    ouverte: bool
    principal: str = ""

    @property
    def code_postal_principal(self) -> str | None:
        if self.principal:
            return self.principal
        return self.codes_postaux[0] if self.codes_postaux else None


@dataclass
class IndexCommunes:
    version: int | None = None
    fiches: dict[str, FicheCommune] = field(default_factory=dict)
    par_cle: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    par_cle_sans_article: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    par_nom_alternatif: dict[str, list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    par_code_postal: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    par_ancien_code: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cles_triees: list[tuple[str, str]] = field(default_factory=list)
    codes_postaux_tries: list[str] = field(default_factory=list)
    cles_par_departement: dict[str, dict[str, str]] = field(default_factory=dict)
    cles_par_initiale: dict[str, dict[str, str]] = field(default_factory=dict)
    arrondissements: dict[tuple[str, int], str] = field(default_factory=dict)
    # Rank of each commune among namesakes: communes before arrondissements, most populated first.
    rang: dict[str, tuple] = field(default_factory=dict)
    memo_prefixes: dict[tuple, list[tuple[str, str | None]]] = field(default_factory=dict)
    # (key, code) → the other name behind that key, for keys that are not official names.
    autres_noms: dict[tuple[str, str], str] = field(default_factory=dict)
    # The first whole words of official names (« saintouen » for Saint-Ouen-sur-Seine, with
    # or without a leading article) → the communes named so, the most likely first: « St-Ouen »
    # typed in the 93 is the only one of that département (issue 9).
    debuts_de_noms: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ajouter(self, fiche: FicheCommune, anciens_codes: list[str]) -> None:
        self.fiches[fiche.code_insee] = fiche
        for code in anciens_codes:
            self.par_ancien_code[code].append(fiche.code_insee)
        for cp in fiche.codes_postaux:
            self.par_code_postal[cp].append(fiche.code_insee)
        if not fiche.ouverte:
            return  # a closed commune is found by its code, never offered by its name
        # `cle` and `cle_sans_article` of the name, its words folded once.
        liste = mots(fiche.nom)
        article = len(liste) > 1 and liste[0] in ARTICLES
        k = "".join(liste)
        self.par_cle[k].append(fiche.code_insee)
        self.cles_triees.append((k, fiche.code_insee))
        if article:
            k2 = "".join(liste[1:])
            self.par_cle_sans_article[k2].append(fiche.code_insee)
            self.cles_triees.append((k2, fiche.code_insee))
        if fiche.type != "arrondissement":  # « Paris 13e » has its own rule
            debuts = {"".join(liste[:n]) for n in range(2 if article else 1, len(liste))}
            if article:
                debuts.update("".join(liste[1:n]) for n in range(2, len(liste)))
            for debut in debuts:
                self.debuts_de_noms[debut].append(fiche.code_insee)
        if fiche.type == "arrondissement" and fiche.commune_parente:
            # 75101…75120, 13201…13216, 69381…69389: the arrondissement's number ends the code.
            numero = int(
                fiche.code_insee[4:] if fiche.departement == "69" else fiche.code_insee[3:]
            )
            ville = VILLES_A_ARRONDISSEMENTS[fiche.commune_parente]
            self.arrondissements[(ville, numero)] = fiche.code_insee

    def ajouter_nom_alternatif(self, code_insee: str, nom: str, nature: str) -> None:
        if code_insee not in self.fiches or not self.fiches[code_insee].ouverte:
            return
        for k in {cle(nom), cle_sans_article(nom)}:
            self.par_nom_alternatif[k].append((code_insee, nom))
            self.cles_triees.append((k, code_insee))
            self.autres_noms.setdefault((k, code_insee), nom)

    def terminer(self) -> None:
        # Paris, Lyon and Marseille own the postal codes of their arrondissements.
        codes_parents: dict[str, set[str]] = defaultdict(set)
        for fiche in self.fiches.values():
            if fiche.commune_parente:
                codes_parents[fiche.commune_parente].update(fiche.codes_postaux)
        for code, cps in codes_parents.items():
            if code in self.fiches:
                f = self.fiches[code]
                self.fiches[code] = FicheCommune(
                    **{**f.__dict__, "codes_postaux": tuple(sorted(set(f.codes_postaux) | cps))}
                )
        self.rang = {
            code: (f.type != "commune", -f.population, code) for code, f in self.fiches.items()
        }
        self.cles_triees = sorted(set(self.cles_triees))
        for codes in self.debuts_de_noms.values():
            codes.sort(key=self.rang.__getitem__)
        self.debuts_de_noms = dict(self.debuts_de_noms)
        self.codes_postaux_tries = sorted(self.par_code_postal)
        par_dep: dict[str, dict[str, str]] = defaultdict(dict)
        par_initiale: dict[str, dict[str, str]] = defaultdict(dict)
        for k, code in self.cles_triees:
            identifiant = f"{k}#{code}"
            par_dep[self.fiches[code].departement][identifiant] = k
            par_initiale[k[0]][identifiant] = k
        self.cles_par_departement = dict(par_dep)
        self.cles_par_initiale = dict(par_initiale)

    def prefixe(self, debut: str) -> list[tuple[str, str]]:
        """The (key, code) pairs whose key starts with `debut`, in key order."""
        i = bisect.bisect_left(self.cles_triees, (debut, ""))
        paires = []
        while i < len(self.cles_triees) and self.cles_triees[i][0].startswith(debut):
            paires.append(self.cles_triees[i])
            i += 1
        return paires

    def meilleurs_par_prefixe(
        self, debut: str, departement: str | None, limite: int
    ) -> list[tuple[str, str | None]]:
        """The `limite` best communes whose name starts with `debut`, as (code, other name).

        Official names come before other names (a delegated commune, La Poste's libellé), which
        are returned so that a person sees why « Souleuvre en Bocage » answers « st den ».
        Short prefixes ("sai") match thousands of names: their answer is memoised.
        """
        memo = (debut, departement, limite)
        if memo in self.memo_prefixes:
            return self.memo_prefixes[memo]
        par_code: dict[str, str | None] = {}
        for k, code in self.prefixe(debut):
            if departement and self.fiches[code].departement != departement:
                continue
            autre_nom = self.autres_noms.get((k, code))
            if code not in par_code or autre_nom is None:
                par_code[code] = autre_nom
        meilleurs = heapq.nsmallest(
            limite, par_code, key=lambda c: (par_code[c] is not None, *self.rang[c][1:])
        )
        resultat = [(code, par_code[code]) for code in meilleurs]
        if len(debut) <= 6 and len(self.memo_prefixes) < 20_000:
            self.memo_prefixes[memo] = resultat
        return resultat

    def communes_commencant_par(
        self, debut: str, departements: set[str] | None, limite: int
    ) -> list[str]:
        """The communes whose official name begins with the whole words whose key is `debut`
        (« saintouen » → Saint-Ouen-sur-Seine, Saint-Ouen-l'Aumône…; « saintou » → none), in
        `departements` if given, the most likely first (`rang`), at most `limite`."""
        codes = self.debuts_de_noms.get(debut, ())
        if not departements:
            return list(codes[:limite])
        retenus = []
        for code in codes:
            if self.fiches[code].departement in departements:
                retenus.append(code)
                if len(retenus) == limite:
                    break
        return retenus

    def codes_postaux_commencant_par(self, debut: str) -> list[str]:
        i = bisect.bisect_left(self.codes_postaux_tries, debut)
        resultat = []
        while i < len(self.codes_postaux_tries) and self.codes_postaux_tries[i].startswith(debut):
            resultat.append(self.codes_postaux_tries[i])
            i += 1
        return resultat


_index: IndexCommunes | None = None
_verifie_le = 0.0
_verrou = threading.Lock()


def _version_en_base() -> int | None:
    return ChargementReferentiel.objects.order_by("-pk").values_list("pk", flat=True).first()


def construire_index() -> IndexCommunes:
    index = IndexCommunes(version=_version_en_base())
    codes_postaux: dict[str, list[str]] = defaultdict(list)
    for code, commune in CodePostal.objects.order_by("code").values_list("code", "commune_id"):
        codes_postaux[commune].append(code)
    colonnes = (
        "code_insee",
        "nom",
        "departement_id",
        "type",
        "commune_parente_id",
        "population",
        "date_fermeture",
        "anciens_codes",
        "code_postal_principal",
    )
    for (
        code,
        nom,
        dep,
        type_,
        parente,
        population,
        fermeture,
        anciens,
        principal,
    ) in Commune.objects.values_list(*colonnes).iterator(chunk_size=5000):
        fiche = FicheCommune(
            code_insee=code,
            nom=nom,
            departement=dep,
            type=type_,
            commune_parente=parente,
            population=population or 0,
            codes_postaux=tuple(codes_postaux.get(code, ())),
            ouverte=fermeture is None,
            principal=principal,
        )
        index.ajouter(fiche, [a for a in anciens.split("|") if a])
    for code, nom, nature in NomAlternatif.objects.values_list("commune_id", "nom", "nature"):
        index.ajouter_nom_alternatif(code, nom, nature)
    # La Poste's libellé d'acheminement is the name on envelopes (« ST DENIS LA PLAINE »,
    # « OISSEL »): a way in too, unless it is already the official name of some commune
    # (« PARIS » for each arrondissement would make Paris ambiguous).
    libelles = CodePostal.objects.values_list("commune_id", "libelle_acheminement").distinct()
    for code, libelle in libelles:
        if cle(libelle) not in index.par_cle and cle_sans_article(libelle) not in index.par_cle:
            index.ajouter_nom_alternatif(code, libelle.title(), "acheminement")
    index.terminer()
    return index


def index_communes() -> IndexCommunes:
    """The current index, rebuilt when the referential has been reloaded."""
    global _index, _verifie_le
    maintenant = time.monotonic()
    if _index is not None and maintenant - _verifie_le < DELAI_VERIFICATION:
        return _index
    with _verrou:
        if _index is None or _index.version != _version_en_base():
            _index = construire_index()
            # Hundreds of thousands of long-lived objects: keep them out of the garbage
            # collector's full passes, which otherwise stall a request for ~80 ms.
            gc.collect()
            gc.freeze()
        _verifie_le = maintenant
        return _index


def invalider_index() -> None:
    """Forget the index (after a load, or in tests): the next lookup rebuilds it."""
    global _index, _verifie_le
    with _verrou:
        _index = None
        _verifie_le = 0.0
