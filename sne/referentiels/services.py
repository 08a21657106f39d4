"""Turning what people type into a commune: one service for every entry point.

`resoudre_commune` decides (found / ambiguous / not found) and is what the register's services
call; `rechercher_communes` suggests while someone types (autocomplete, API `?q=`). Both accept
an official name in any case, with or without accents, `St-`/`Ste-`, articles in front or in
brackets, arrondissements (`Paris 20e`, `Lyon 3ème`, `Marseille 13`), an INSEE code (current or
former), a postal code, and CEDEX addresses (`75913 PARIS CEDEX 13`), which today's SNE rejects
(FAQ « Cedex »): they resolve to the commune and its reference postal code.

Ambiguous input returns the candidates ranked, never a silent guess: a name shared by several
communes, a postal code that serves several, or a name that only looks like one.
"""

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from .index import VILLES_A_ARRONDISSEMENTS, FicheCommune, IndexCommunes, index_communes
from .normalisation import cle, cle_sans_article, sans_accents

TROUVEE = "trouvee"
AMBIGUE = "ambigue"
INTROUVABLE = "introuvable"

SEUIL_RESSEMBLANCE = 84
DEBUTS_PROPOSES = 10  # communes offered when several names begin with what was typed
DEBUT_DU_NOM = "début du nom"
SCORE_AUTRE_NOM = 95  # a delegated commune's name, La Poste's libellé: not an official name
_CEDEX = re.compile(r"\bcedex\b\.?\s*(?P<numero>\d{1,3})?\b", re.IGNORECASE)
_CODE = re.compile(r"(?<![0-9A-Za-z])(?P<code>[0-9]{5}|[0-9]{2} [0-9]{3}|2[AaBb][0-9]{3})(?![0-9])")
_ARRONDISSEMENT = re.compile(
    r"^(?P<ville>paris|lyon|marseille)(?P<numero>[0-9]{1,2}|[ivxl]{1,5})"
    r"(?:er|eme|ieme|em|me|e)?(?:arrondissement|arrdt|arrt|arr)?$"
)
_ROMAINS = {"i": 1, "v": 5, "x": 10, "l": 50}


@dataclass(frozen=True)
class Candidat:
    commune: FicheCommune
    score: int
    raison: str
    code_postal: str | None = None


@dataclass
class Resolution:
    statut: str
    candidats: list[Candidat] = field(default_factory=list)
    message: str = ""
    cedex: bool = False

    @property
    def commune(self) -> FicheCommune | None:
        return self.candidats[0].commune if self.statut == TROUVEE else None

    @property
    def code_postal(self) -> str | None:
        return self.candidats[0].code_postal if self.statut == TROUVEE else None


def _romain(texte: str) -> int:
    total = 0
    for i, c in enumerate(texte):
        valeur = _ROMAINS[c]
        suivant = _ROMAINS[texte[i + 1]] if i + 1 < len(texte) else 0
        total += -valeur if valeur < suivant else valeur
    return total


def departements_du_code_postal(code_postal: str, index: IndexCommunes) -> set[str]:
    """Départements served by a postal code; for an unknown (CEDEX) code, by its prefix."""
    connus = {index.fiches[c].departement for c in index.par_code_postal.get(code_postal, ())}
    if connus:
        return connus
    if code_postal.startswith("97"):
        return {code_postal[:3]}
    if code_postal.startswith("20"):
        return {"2A"} if code_postal[2] in "01" else {"2B"}
    return {code_postal[:2]}


def _code_postal_de_reference(fiche: FicheCommune, code_saisi: str | None) -> str | None:
    """The postal code to keep: the one typed when it serves the commune, otherwise the
    commune's postal code closest to it (same prefix), otherwise its first one."""
    if not fiche.codes_postaux:
        return None
    if code_saisi in fiche.codes_postaux:
        return code_saisi
    if code_saisi:

        def prefixe_commun(cp: str) -> int:
            n = 0
            while n < 5 and cp[n] == code_saisi[n]:
                n += 1
            return n

        return max(fiche.codes_postaux, key=lambda cp: (prefixe_commun(cp), -int(cp)))
    return fiche.code_postal_principal


def _classer(codes, index: IndexCommunes) -> list[FicheCommune]:
    """Namesakes in the order a person most likely means them (`IndexCommunes.rang`)."""
    return [index.fiches[c] for c in sorted(set(codes), key=index.rang.__getitem__)]


def _analyser(texte: str) -> tuple[str, str | None, bool, int | None]:
    """Split the typed text into (name part, code, cedex?, cedex number)."""
    texte = sans_accents(texte).strip()
    cedex, numero_cedex = False, None
    m = _CEDEX.search(texte)
    if m:
        cedex = True
        numero_cedex = int(m.group("numero")) if m.group("numero") else None
        texte = (texte[: m.start()] + " " + texte[m.end() :]).strip()
    code = None
    m = _CODE.search(texte)
    if m:
        code = m.group("code").replace(" ", "").upper()
        texte = (texte[: m.start()] + " " + texte[m.end() :]).strip(" ,-")
    return texte.strip(), code, cedex, numero_cedex


def _par_code(code: str, index: IndexCommunes) -> list[Candidat]:
    candidats: list[Candidat] = []
    if code in index.fiches:
        fiche = index.fiches[code]
        candidats.append(Candidat(fiche, 100, "code INSEE", fiche.code_postal_principal))
    for fiche in _classer(index.par_code_postal.get(code, ()), index):
        candidats.append(Candidat(fiche, 100, "code postal", code))
    if not candidats:
        # A former code (a merged commune, or the Seine's codes before 1968) only when no
        # current code matches: 75020 is a postal code of Paris before it is Châtillon's past.
        for fiche in _classer(index.par_ancien_code.get(code, ()), index):
            raison = f"ancien code INSEE {code}"
            candidats.append(Candidat(fiche, 95, raison, fiche.code_postal_principal))
    return candidats


def _par_nom(nom: str, index: IndexCommunes) -> list[Candidat]:
    k = cle(nom)
    m = _ARRONDISSEMENT.match(k)
    if m:
        numero = m.group("numero")
        numero = int(numero) if numero.isdigit() else _romain(numero)
        code = index.arrondissements.get((m.group("ville"), numero))
        if code:
            fiche = index.fiches[code]
            return [Candidat(fiche, 100, "arrondissement", fiche.code_postal_principal)]
    candidats = [
        Candidat(f, 100, "nom officiel", f.code_postal_principal)
        for f in _classer(index.par_cle.get(k, ()), index)
    ]
    vus = {c.commune.code_insee for c in candidats}
    k2 = cle_sans_article(nom)
    for f in _classer([*index.par_cle_sans_article.get(k2, ()), *index.par_cle.get(k2, ())], index):
        if f.code_insee not in vus:
            candidats.append(
                Candidat(f, 97, "nom officiel (article omis)", f.code_postal_principal)
            )
            vus.add(f.code_insee)
    alternatifs = dict(index.par_nom_alternatif.get(k, []) + index.par_nom_alternatif.get(k2, []))
    for f in _classer(alternatifs, index):
        if f.code_insee not in vus:
            raison = f"autre nom connu : « {alternatifs[f.code_insee]} »"
            candidats.append(Candidat(f, SCORE_AUTRE_NOM, raison, f.code_postal_principal))
            vus.add(f.code_insee)
    return candidats


def _par_debut_du_nom(nom: str, departements: set[str], index: IndexCommunes):
    """The communes whose official name begins with the words typed: « St-Ouen » in the 93 is
    Saint-Ouen-sur-Seine (renamed from Saint-Ouen in 2018), its only commune named so. Whole
    words only, and only when no name matches exactly: the caller decides that one such commune
    is found and several are to choose from."""
    debut = cle(nom)
    if len(debut) < 3:
        return []
    return [
        Candidat(index.fiches[code], 90, DEBUT_DU_NOM, index.fiches[code].code_postal_principal)
        for code in index.communes_commencant_par(debut, departements, DEBUTS_PROPOSES)
    ]


def _ressemblants(nom: str, departements: set[str] | None, index: IndexCommunes, limite: int):
    k = cle(nom)
    if len(k) < 3:
        return []
    if departements:
        choix = {}
        for dep in departements:
            choix.update(index.cles_par_departement.get(dep, {}))
    else:
        # A typo rarely hits the first letter: comparing with the names that share it keeps
        # the search within a few milliseconds over the whole of France.
        choix = index.cles_par_initiale.get(k[0], {})
    trouves = process.extract(
        k, choix, scorer=fuzz.ratio, limit=limite * 2, score_cutoff=SEUIL_RESSEMBLANCE
    )
    candidats, vus = [], set()
    for _cle, score, identifiant in trouves:
        code = identifiant.rsplit("#", 1)[1]
        if code not in vus:
            vus.add(code)
            f = index.fiches[code]
            candidats.append(Candidat(f, int(score), "nom approchant", f.code_postal_principal))
    return candidats[:limite]


def _filtrer(candidats, departement, departements_code_postal, code_postal, nom, index):
    """Keep the candidates that agree with the département and the postal code typed.

    Returns (candidates, conflict). A conflict is a name that exists, but not where the postal
    code says: never settled silently. The communes of that place whose name starts like the
    one typed (La Poste's addresses often shorten names) come first, then the namesakes.
    """
    if departement:
        candidats = [c for c in candidats if c.commune.departement == departement]
    if code_postal:
        meme_code = [c for c in candidats if code_postal in c.commune.codes_postaux]
        if meme_code:
            return [Candidat(c.commune, c.score, c.raison, code_postal) for c in meme_code], False
    if not departements_code_postal:
        return candidats, False
    meme_dep = [c for c in candidats if c.commune.departement in departements_code_postal]
    if meme_dep:
        return meme_dep, False
    sur_place = []
    debut = cle(nom)
    if len(debut) >= 3:
        for dep in sorted(departements_code_postal):
            for code, _autre_nom in index.meilleurs_par_prefixe(debut, dep, 5):
                fiche = index.fiches[code]
                cp = code_postal if code_postal in fiche.codes_postaux else None
                sur_place.append(Candidat(fiche, 90, DEBUT_DU_NOM, cp))
    return sur_place + candidats, bool(candidats or sur_place)


def _arrondissement_cedex(candidats, numero_cedex, index):
    """`PARIS CEDEX 13`: in Paris, Lyon and Marseille the CEDEX number is the arrondissement."""
    if numero_cedex is None or len(candidats) != 1:
        return candidats
    ville = VILLES_A_ARRONDISSEMENTS.get(candidats[0].commune.code_insee)
    code = index.arrondissements.get((ville, numero_cedex)) if ville else None
    if not code:
        return candidats
    fiche = index.fiches[code]
    return [Candidat(fiche, 100, f"CEDEX {numero_cedex} de {ville.title()}", None)]


def resoudre_commune(
    texte: str, departement: str | None = None, *, approchants: bool = True
) -> Resolution:
    """Decide which commune `texte` designates, or say why it cannot.

    `departement` narrows the search (a demande's département). The result says `trouvee` with
    one candidate, `ambigue` with the candidates ranked (several communes, or only similar
    names to confirm), or `introuvable` with a message telling what to try.
    """
    index = index_communes()
    nom, code, cedex, numero_cedex = _analyser(texte or "")
    if not nom and not code:
        return Resolution(
            INTROUVABLE, message="Saisissez un nom de commune, un code postal ou un code INSEE."
        )

    departements_cp = departements_du_code_postal(code, index) if code and code.isdigit() else None
    code_connu = bool(code and (code in index.par_code_postal or code in index.fiches))
    if nom:
        candidats = _par_nom(nom, index)
        # Where the place is known (département, postal code) and no official name matches
        # there, the names that begin with the words typed. Another name does not settle it
        # (« Boulogne 92 » is not only a delegated commune of Vendée); across France a first
        # word (« Bord ») would be a guess: there, the suggestions do the work.
        portee = {departement} if departement else departements_cp
        if portee and not any(
            c.score > SCORE_AUTRE_NOM and c.commune.departement in portee for c in candidats
        ):
            vus = {c.commune.code_insee for c in candidats}
            candidats += [
                c for c in _par_debut_du_nom(nom, portee, index) if c.commune.code_insee not in vus
            ]
        candidats, conflit = _filtrer(
            candidats, departement, departements_cp, code if code_connu else None, nom, index
        )
        ressemblance = False
        if not candidats and approchants:
            deps = {departement} if departement else departements_cp
            candidats = _ressemblants(nom, deps, index, limite=8)
            ressemblance = True
    else:
        candidats = _par_code(code, index)
        if departement:
            candidats = [c for c in candidats if c.commune.departement == departement]
        ressemblance = conflit = False

    if cedex or (code and not code_connu):
        candidats = [
            Candidat(c.commune, c.score, c.raison, _code_postal_de_reference(c.commune, code))
            for c in candidats
        ]
        if cedex:
            candidats = _arrondissement_cedex(candidats, numero_cedex, index)
            candidats = [
                Candidat(
                    c.commune,
                    c.score,
                    c.raison,
                    c.code_postal or _code_postal_de_reference(c.commune, code),
                )
                for c in candidats
            ]

    if not candidats:
        if nom:
            message = f"Aucune commune ne correspond à « {texte.strip()} »"
        else:
            message = f"Le code « {code} » n'est ni un code postal ni un code INSEE connu"
        if departement:
            message += f" dans le département {departement}"
        message += (
            ". Vérifiez l'orthographe, ou saisissez le code postal ou le code INSEE de la commune."
        )
        if cedex and not nom:
            message = (
                f"Le code CEDEX « {code} » ne désigne pas une commune : ajoutez le nom de la "
                "commune (par exemple « 75913 Paris CEDEX 13 »)."
            )
        return Resolution(INTROUVABLE, message=message, cedex=cedex)
    if len(candidats) == 1 and not (ressemblance or conflit):
        commune = candidats[0].commune
        message = ""
        if cedex:
            message = (
                f"Adresse CEDEX : commune {commune.nom}, code postal de référence "
                f"{candidats[0].code_postal}."
            )
        return Resolution(TROUVEE, candidats, message=message, cedex=cedex)
    if conflit:
        message = (
            f"Le code postal {code} ne correspond pas à « {nom} » : vérifiez l'un ou l'autre, "
            "puis choisissez la commune."
        )
    elif ressemblance:
        message = f"Aucune commune ne s'appelle exactement « {nom} » : laquelle vouliez-vous dire ?"
    elif all(c.raison == DEBUT_DU_NOM for c in candidats):
        message = f"Plusieurs communes ont un nom qui commence par « {nom} » : laquelle ?"
    else:
        message = (
            f"{len(candidats)} communes correspondent : précisez laquelle "
            "(département, code postal)."
        )
    return Resolution(AMBIGUE, candidats, message=message, cedex=cedex)


def rechercher_communes(
    texte: str, departement: str | None = None, limite: int = 10
) -> list[Candidat]:
    """Suggestions while someone types: exact matches first, then names that start with what
    was typed (the most populated first), then similar names. Digits search postal codes and
    INSEE codes by their beginning."""
    index = index_communes()
    texte = (texte or "").strip()
    if not texte:
        return []
    resultats: list[Candidat] = []
    vus: set[str] = set()

    def ajouter(candidats):
        for c in candidats:
            if c.commune.code_insee not in vus and (
                not departement or c.commune.departement == departement
            ):
                vus.add(c.commune.code_insee)
                resultats.append(c)

    chiffres = texte.replace(" ", "")
    if chiffres.isdigit() and len(chiffres) < 5:
        if len(chiffres) >= 2:
            for cp in index.codes_postaux_commencant_par(chiffres):
                fiches = _classer(index.par_code_postal[cp], index)
                ajouter(Candidat(f, 90, "code postal", cp) for f in fiches)
                if len(resultats) >= limite:
                    break
        return resultats[:limite]

    exacte = resoudre_commune(texte, departement, approchants=False)
    ajouter(exacte.candidats)
    nom = _analyser(texte)[0]
    debut = cle(nom) if nom else ""
    if len(resultats) < limite and len(debut) >= 2:
        ajouter(
            Candidat(
                index.fiches[code],
                90 if autre_nom is None else 85,
                DEBUT_DU_NOM if autre_nom is None else f"autre nom connu : « {autre_nom} »",
                index.fiches[code].code_postal_principal,
            )
            for code, autre_nom in index.meilleurs_par_prefixe(debut, departement, limite)
        )
    if len(resultats) < limite and len(debut) >= 4:
        deps = {departement} if departement else None
        ajouter(_ressemblants(nom, deps, index, limite - len(resultats)))
    return resultats[:limite]


def communes_du_code_postal(code_postal: str) -> list[Candidat]:
    """The communes a postal code serves, the most populated first."""
    index = index_communes()
    return [
        Candidat(f, 100, "code postal", code_postal)
        for f in _classer(index.par_code_postal.get(code_postal, ()), index)
    ]
