"""Import of a fiche collecte: organisation, guichet, départements, consultation scope and users,
from one CSV or XLSX file, checked in full before anything is written.

FAQ « Connexion à l'application nationale »: a desk is set up once its fiche collecte is in, and
« votre identifiant est l'email mentionné dans la fiche collecte ». Two faults of that file lock
agents out today, silently: « une virgule à la place d'un point » in an address, and « une seule
adresse mail pour plusieurs utilisateurs […] seul le premier utilisateur de la liste aura été
retenu ». Here both are refused at import, on their line, with what to correct.
FAQ « Options de paramétrage »: the fiche collecte is also how habilitations are added to an
existing desk; the consultation scope may be narrower than the départements of registration.

Two steps, one rule each:
- `analyser_fiche_collecte` reads and checks everything and writes nothing: it returns the plan
  and one `Probleme` per fault (line, column, what to do);
- `appliquer_fiche_collecte` refuses a plan with problems, then creates, in one transaction,
  what does not exist yet and invites each new person to activate their account. Applying the
  same file twice creates nothing the second time.

The file format is documented in docs/fiche-collecte.md (samples in docs/exemples/).
"""

import re
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as valider_email_django
from django.db import IntegrityError, transaction
from django.utils import timezone
from email_validator import EmailNotValidError
from email_validator import validate_email as valider_email

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de, exiger
from sne.comptes.models import Habilitation, Utilisateur, normaliser_email
from sne.comptes.services import demander_accord_habilitation, habiliter, inviter
from sne.exceptions import ErreurMetier
from sne.referentiels.models import Commune, Departement
from sne.referentiels.normalisation import plier
from sne.referentiels.services import AMBIGUE, TROUVEE, resoudre_commune

from . import tableurs
from .models import Guichet, Organisation, siren_valide
from .services import creer_guichet, creer_organisation, modifier_perimetre
from .tableurs import FichierIllisible

TAILLE_MAX = 2 * 1024 * 1024  # 2 Mo: a fiche of a few hundred agents weighs a few kilobytes
LIGNES_MAX = 1000
DECOUPAGE = "découpez-le en plusieurs fiches."
EXTENSIONS = (".csv", ".xlsx")

# Describe the one organisation and the one desk of the file: filled on the first line,
# left empty or repeated identically on the next ones.
COLONNES_GUICHET = (
    "organisation_nom",
    "organisation_type",
    "organisation_siren",
    "guichet_code",
    "guichet_nom",
    "guichet_email",
    "departements",
    "communes_consultation",
)
# One person per line.
COLONNES_UTILISATEUR = ("utilisateur_prenom", "utilisateur_nom", "utilisateur_email", "role")
COLONNES = COLONNES_GUICHET + COLONNES_UTILISATEUR
SEPARATEUR_LISTE = "|"

ROLES = {  # by folded name: « Consultation seule » and « consultation-seule » are one role
    plier(nom): role
    for nom, role in (
        ("saisie", Habilitation.Role.SAISIE),
        ("consultation", Habilitation.Role.CONSULTATION),
        ("consultation seule", Habilitation.Role.CONSULTATION),
    )
}
_CODE_GUICHET = re.compile(r"^[0-9A-Z]{5}$")


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probleme:
    """One fault of the file: where it is (line of the spreadsheet, column) and what to do."""

    ligne: int
    champ: str
    message: str


@dataclass
class OrganisationPrevue:
    nom: str = ""
    type: str = ""
    siren: str = ""
    existante: Organisation | None = None

    @property
    def libelle_type(self) -> str:
        return Organisation.Type(self.type).label if self.type else ""


@dataclass
class CommunePrevue:
    code_insee: str
    nom: str
    departement: str


@dataclass
class GuichetPrevu:
    code: str = ""
    nom: str = ""
    email: str = ""
    departements: list[str] = field(default_factory=list)
    communes: list[CommunePrevue] = field(default_factory=list)  # empty: unchanged / whole deps
    existant: Guichet | None = None


@dataclass
class UtilisateurPrevu:
    ligne: int
    prenom: str
    nom: str
    email: str
    role: str
    compte_existant: bool = False
    deja_habilite: bool = False
    remarque: str = ""
    # The desk's set-up is not finalised: the invitation leaves with its finalisation.
    invitation_differee: bool = False

    @property
    def libelle_role(self) -> str:
        return {"saisie": "Saisie", "consultation": "Consultation"}.get(self.role, "")

    @property
    def action(self) -> str:
        if self.deja_habilite:
            return "Déjà habilité(e) sur ce guichet : rien à faire"
        if self.compte_existant:
            return "Habilitation ajoutée à son compte existant"
        if self.invitation_differee:
            return (
                "Création du compte et de l'habilitation ; invitation à activer le compte "
                "envoyée à la finalisation du paramétrage du guichet"
            )
        return "Création du compte et de l'habilitation, invitation à activer le compte"


@dataclass
class Analyse:
    """What a file asks for, and everything that prevents applying it."""

    nom_fichier: str
    organisation: OrganisationPrevue = field(default_factory=OrganisationPrevue)
    guichet: GuichetPrevu = field(default_factory=GuichetPrevu)
    utilisateurs: list[UtilisateurPrevu] = field(default_factory=list)
    problemes: list[Probleme] = field(default_factory=list)
    remarques: list[str] = field(default_factory=list)  # informative, not blocking

    @property
    def applicable(self) -> bool:
        return not self.problemes

    def signaler(self, ligne: int, champ: str, message: str) -> None:
        self.problemes.append(Probleme(ligne, champ, message))


@dataclass
class Resultat:
    organisation: Organisation
    guichet: Guichet
    organisation_creee: bool = False
    guichet_cree: bool = False
    perimetre_modifie: bool = False
    comptes_crees: list[Utilisateur] = field(default_factory=list)
    habilitations_creees: list[Habilitation] = field(default_factory=list)
    deja_habilites: list[Utilisateur] = field(default_factory=list)
    invites: list[Utilisateur] = field(default_factory=list)
    # New accounts of a desk whose set-up is not finalised: invited by the finalisation.
    invitations_differees: list[Utilisateur] = field(default_factory=list)
    # Existing accounts the gestionnaire does not manage: asked to accept the habilitation.
    accords_demandes: list[str] = field(default_factory=list)


# --- Reading the file --------------------------------------------------------------------------


def lire_fichier(fichier) -> list[list[str]]:
    """The rows of an uploaded CSV or XLSX file, as stripped strings (empty cells are "").

    Accepted: `.csv` separated by `;` or `,`, encoded in UTF-8 (with or without BOM) or in
    Windows-1252 (Excel's « CSV (séparateur : point-virgule) »), and `.xlsx` (first sheet).
    Refused with an explanation: other formats, files over 2 Mo, over 1 000 lines.
    """
    nom = (getattr(fichier, "name", "") or "").strip()
    extension = ("." + nom.rsplit(".", 1)[-1].lower()) if "." in nom else ""
    if extension in (".xls", ".ods", ".numbers"):
        raise FichierIllisible(
            f"Le format {extension} n'est pas accepté : dans votre tableur, choisissez "
            "« Enregistrer sous » puis « Classeur Excel (.xlsx) » ou « CSV », et déposez ce "
            "fichier."
        )
    if extension not in EXTENSIONS:
        raise FichierIllisible(
            "Le fichier doit être un tableau CSV (.csv) ou Excel (.xlsx) ; téléchargez le modèle "
            "si besoin."
        )
    taille = getattr(fichier, "size", None)
    if taille is not None and taille > TAILLE_MAX:
        raise FichierIllisible(
            f"Le fichier pèse {taille / 1024 / 1024:.1f} Mo : la limite est de 2 Mo. Une fiche "
            "collecte ne contient que du texte ; enregistrez-la au format CSV, ou retirez les "
            "images et les onglets inutiles."
        )
    contenu = fichier.read(TAILLE_MAX + 1)
    if len(contenu) > TAILLE_MAX:
        raise FichierIllisible("Le fichier dépasse la limite de 2 Mo.")
    if not contenu.strip():
        raise FichierIllisible("Le fichier est vide.")
    lire = tableurs.lire_xlsx if extension == ".xlsx" else tableurs.lire_csv
    lignes = lire(contenu, lignes_max=LIGNES_MAX, conseil_trop_long=DECOUPAGE)
    # The rows are kept (in the session) between the preview and « Appliquer »: their text is
    # bounded like the file, whatever a small workbook inflates to.
    if sum(len(cellule) for ligne in lignes for cellule in ligne) > TAILLE_MAX:
        raise FichierIllisible(
            "Le texte du fichier dépasse 2 Mo : une fiche collecte ne contient que quelques "
            "colonnes par personne ; retirez les onglets et colonnes inutiles ou découpez-la."
        )
    return lignes


# --- Checking ----------------------------------------------------------------------------------


def _meme_personne(prenom: str, nom: str, autre_prenom: str, autre_nom: str) -> bool:
    """« Lefèvre Sophie » written « LEFEVRE sophie » is the same person."""
    return plier(prenom + nom) == plier(autre_prenom + autre_nom)


def _liste(texte: str) -> list[str]:
    return [t.strip() for t in texte.split(SEPARATEUR_LISTE) if t.strip()]


def _valeur_comparee(colonne: str, valeur: str):
    """What must be equal for two lines to agree on an organisation or desk column: names
    folded (case, accents, spaces and punctuation aside), addresses and SIREN as written."""
    if colonne in ("departements", "communes_consultation"):
        return frozenset(plier(v) for v in _liste(valeur))
    if colonne == "organisation_siren":
        return re.sub(r"\s", "", valeur)
    if colonne == "guichet_email":
        return normaliser_email(valeur)
    return plier(valeur)


def verifier_email(texte: str) -> tuple[str, str]:
    """(normalised address, "") or ("", what is wrong with it, in words a person can act on).

    The comma is named: it is the fault the FAQ gives for « L'identifiant saisi ne correspond à
    aucun compte enregistré ».
    """
    brut = texte.strip()
    if not brut:
        return "", "Indiquez l'adresse e-mail de la personne : c'est son identifiant de connexion."
    if "," in brut:
        corrigee = brut.replace(",", ".")
        if _email_valide(corrigee):
            return "", (
                f"L'adresse « {brut} » contient une virgule à la place d'un point : écrivez "
                f"« {normaliser_email(corrigee)} ». Avec une virgule, la personne ne pourrait "
                "jamais activer son compte."
            )
        return "", (
            f"L'adresse « {brut} » contient une virgule, qu'une adresse e-mail ne contient "
            "jamais : s'il s'agit d'un point, corrigez-le ; s'il s'agit de plusieurs adresses, "
            "indiquez une seule adresse par ligne (une ligne par personne)."
        )
    if ";" in brut or len(brut.split()) > 1:
        return "", (
            f"« {brut} » contient un espace ou plusieurs adresses : indiquez une seule adresse "
            "par ligne, sans espace (une ligne par personne)."
        )
    if brut.count("@") != 1:
        return "", (
            f"L'adresse « {brut} » doit contenir un et un seul « @ » (forme attendue : "
            "prenom.nom@organisme.fr)."
        )
    if not _email_valide(brut):
        return "", (
            f"L'adresse « {brut} » n'est pas valide (forme attendue : prenom.nom@organisme.fr) : "
            "vérifiez un point en trop ou manquant, un caractère accentué, le nom de domaine."
        )
    return normaliser_email(brut), ""


def _email_valide(adresse: str) -> bool:
    try:
        valider_email(adresse, check_deliverability=False, allow_smtputf8=False)
        valider_email_django(adresse)
    except (EmailNotValidError, ValidationError):
        return False
    return True


def analyser_fiche_collecte(fichier, par) -> Analyse:
    """Read a fiche collecte and check all of it, without writing anything (`analyser_lignes`
    on the rows of `lire_fichier`)."""
    return analyser_lignes(lire_fichier(fichier), par, nom_fichier=getattr(fichier, "name", ""))


def analyser_lignes(lignes: list[list[str]], par, *, nom_fichier: str = "") -> Analyse:
    """Check all of a fiche collecte already read (`lire_fichier`), without writing anything:
    the file is parsed once at upload, its rows checked again at each preview and at
    « Appliquer » against what the register holds then.

    Raises `ErreurMetier` when the rows hold no table at all and `NonAutorise` when `par` is not
    a gestionnaire; every other fault is a `Probleme` of the returned analysis, so that the
    person sees all of them at once.
    """
    droits = droits_de(par)
    exiger(
        droits.est_gestionnaire,
        "Seuls les gestionnaires territoriaux et l'assistance nationale importent une fiche "
        "collecte.",
    )
    analyse = Analyse(nom_fichier=nom_fichier or "")

    # The header: the first non-empty line.
    numerotees = [(n, ligne) for n, ligne in enumerate(lignes, start=1) if any(ligne)]
    if not numerotees:
        raise FichierIllisible("Le fichier ne contient aucune ligne remplie.")
    ligne_entete, entete = numerotees[0]
    connues = {plier(c): c for c in COLONNES}  # `Utilisateur e-mail` is `utilisateur_email`
    positions: dict[str, int] = {}
    for i, titre in enumerate(entete):
        if not titre:
            continue
        colonne = connues.get(plier(titre))
        if colonne is None:
            analyse.remarques.append(
                f"La colonne « {titre} » n'est pas une colonne de la fiche : elle est ignorée."
            )
        elif colonne in positions:
            analyse.signaler(ligne_entete, colonne, f"La colonne « {colonne} » figure deux fois.")
        else:
            positions[colonne] = i
    for colonne in COLONNES:
        if colonne not in positions:
            analyse.signaler(
                ligne_entete,
                colonne,
                f"Colonne « {colonne} » absente de la première ligne : partez du modèle, dont la "
                "première ligne nomme les 12 colonnes.",
            )
    if analyse.problemes:
        return analyse

    donnees = []
    for numero, ligne in numerotees[1:]:
        valeurs = {c: (ligne[i] if i < len(ligne) else "") for c, i in positions.items()}
        donnees.append((numero, valeurs))
        en_trop = [v for v in ligne[len(entete) :] if v]
        if en_trop:
            analyse.signaler(
                numero,
                "(ligne entière)",
                f"La ligne compte plus de valeurs que de colonnes (« {en_trop[0]} » en trop) : une "
                "virgule dans une valeur, par exemple une adresse « …@organisme,fr », décale les "
                "colonnes d'un fichier CSV séparé par des virgules. Corrigez la valeur ou "
                "mettez-la entre guillemets.",
            )
    if not donnees:
        analyse.signaler(
            ligne_entete + 1,
            "(fichier)",
            "La fiche ne contient aucune ligne sous la ligne des titres de colonnes.",
        )
        return analyse

    guichet = _lire_colonnes_guichet(analyse, donnees)
    _verifier_organisation(analyse, guichet)
    _verifier_guichet(analyse, guichet, droits)
    _verifier_utilisateurs(analyse, donnees)
    return analyse


def _lire_colonnes_guichet(analyse: Analyse, donnees) -> dict[str, tuple[str, int]]:
    """The organisation and desk columns: the first value given, which later lines may repeat
    but not contradict (one organisation and one desk per file)."""
    valeurs: dict[str, tuple[str, int]] = {}
    for numero, ligne in donnees:
        for colonne in COLONNES_GUICHET:
            valeur = ligne[colonne]
            if not valeur:
                continue
            if colonne not in valeurs:
                valeurs[colonne] = (valeur, numero)
            elif _valeur_comparee(colonne, valeur) != _valeur_comparee(
                colonne, valeurs[colonne][0]
            ):
                premiere, ligne_premiere = valeurs[colonne]
                analyse.signaler(
                    numero,
                    colonne,
                    f"« {valeur} » contredit la ligne {ligne_premiere} (« {premiere} ») : une "
                    "fiche décrit une seule organisation et un seul guichet. Laissez cette "
                    "colonne vide après la première ligne, ou répétez la même valeur ; pour un "
                    "autre guichet, faites une autre fiche.",
                )
    premiere_ligne = donnees[0][0]
    for colonne in COLONNES_GUICHET:
        valeurs.setdefault(colonne, ("", premiere_ligne))
    return valeurs


def _verifier_organisation(analyse: Analyse, colonnes) -> None:
    """SIREN required and valid (it finds an organisation already known); name required; type
    required for a new organisation."""
    prevue = analyse.organisation
    siren, ligne = colonnes["organisation_siren"]
    siren = re.sub(r"[\s.]", "", siren)
    if not siren:
        analyse.signaler(
            ligne, "organisation_siren", "Indiquez le SIREN de l'organisation (9 chiffres)."
        )
    elif not siren_valide(siren):
        analyse.signaler(
            ligne,
            "organisation_siren",
            f"Le SIREN « {siren} » n'est pas valide : il compte 9 chiffres dont le dernier est une "
            "clé de contrôle. Recopiez-le depuis annuaire-entreprises.data.gouv.fr.",
        )
    else:
        prevue.siren = siren
        prevue.existante = Organisation.objects.filter(siren=siren).first()

    nom, ligne = colonnes["organisation_nom"]
    if not nom:
        analyse.signaler(ligne, "organisation_nom", "Indiquez le nom de l'organisation.")
    elif len(nom) > 200:
        analyse.signaler(ligne, "organisation_nom", "Le nom dépasse 200 caractères.")
    prevue.nom = " ".join(nom.split())
    if prevue.existante and plier(prevue.existante.nom) != plier(prevue.nom):
        analyse.remarques.append(
            f"Le SIREN {siren} est celui de l'organisation « {prevue.existante.nom} », déjà "
            "connue : c'est elle qui est retenue, sous ce nom."
        )

    texte, ligne = colonnes["organisation_type"]
    types = {plier(v): v for v, _ in Organisation.Type.choices}
    types.update({plier(libelle): v for v, libelle in Organisation.Type.choices})
    if prevue.existante:
        prevue.type = prevue.existante.type  # a known organisation keeps what it is
    elif texte:
        prevue.type = types.get(plier(texte), "")
        if not prevue.type:
            analyse.signaler(
                ligne,
                "organisation_type",
                f"Type d'organisation « {texte} » inconnu : indiquez l'un de "
                + ", ".join(v for v, _ in Organisation.Type.choices)
                + ".",
            )
    elif prevue.siren:
        analyse.signaler(
            ligne,
            "organisation_type",
            "Indiquez le type de l'organisation, qui n'est pas encore connue : "
            + ", ".join(v for v, _ in Organisation.Type.choices)
            + ".",
        )


def _verifier_guichet(analyse: Analyse, colonnes, droits) -> None:
    """Code of 5 characters; an existing desk only if it is the organisation's (users are then
    added to it); départements that exist and that the importer manages; communes of
    consultation resolved within those départements."""
    prevu = analyse.guichet
    code, ligne_code = colonnes["guichet_code"]
    code = code.upper()
    if not code:
        analyse.signaler(ligne_code, "guichet_code", "Indiquez le code du guichet (5 caractères).")
    elif not _CODE_GUICHET.match(code):
        analyse.signaler(
            ligne_code,
            "guichet_code",
            f"Le code « {code} » ne convient pas : il compte 5 caractères, chiffres et lettres "
            "majuscules sans accent (par exemple 93FD1).",
        )
    else:
        prevu.code = code
        prevu.existant = (
            Guichet.objects.filter(code=code)
            .select_related("organisation")
            .prefetch_related("departements", "consultation_communes")
            .first()
        )

    existant = prevu.existant
    organisation = analyse.organisation
    if existant is not None:
        if organisation.siren and existant.organisation.siren != organisation.siren:
            analyse.signaler(
                ligne_code,
                "guichet_code",
                f"Le code {code} est déjà celui du guichet « {existant.nom} » de l'organisation "
                f"« {existant.organisation.nom} » (SIREN {existant.organisation.siren or 'absent'})"
                " : un code n'est attribué qu'une fois. Vérifiez le code du guichet ou le SIREN.",
            )
        elif not droits.gere_guichet(existant):
            codes = ", ".join(d.code for d in existant.departements.all())
            analyse.signaler(
                ligne_code,
                "guichet_code",
                f"Le guichet {code} est habilité sur le(s) département(s) {codes}, que vous ne "
                "gérez pas : adressez la fiche à son gestionnaire territorial.",
            )
        else:
            analyse.remarques.append(
                f"Le guichet {code} existe déjà : les personnes de la fiche lui sont ajoutées ; "
                "son nom, son adresse e-mail et ses départements ne changent pas."
            )

    nom, ligne = colonnes["guichet_nom"]
    prevu.nom = " ".join(nom.split())
    if existant is not None:
        prevu.nom, prevu.email = existant.nom, existant.email
    elif not nom:
        analyse.signaler(ligne, "guichet_nom", "Indiquez le nom du guichet.")
    elif len(nom) > 200:
        analyse.signaler(ligne, "guichet_nom", "Le nom du guichet dépasse 200 caractères.")

    email, ligne = colonnes["guichet_email"]
    if email and existant is None:
        prevu.email, message = verifier_email(email)
        if message:
            analyse.signaler(ligne, "guichet_email", message)

    _verifier_departements(analyse, colonnes, droits)
    _verifier_communes(analyse, colonnes)


def _verifier_departements(analyse: Analyse, colonnes, droits) -> None:
    prevu = analyse.guichet
    texte, ligne = colonnes["departements"]
    codes = []
    for brut in _liste(texte):
        code = brut.upper()
        if code.isdigit() and len(code) == 1:
            code = "0" + code  # a spreadsheet turned 01 into 1
        if code in codes:
            continue
        if not Departement.objects.filter(code=code).exists():
            conseil = (
                f" Séparez les codes par « {SEPARATEUR_LISTE} »."
                if re.search(r"[,;\s]", brut)
                else ""
            )
            analyse.signaler(
                ligne,
                "departements",
                f"Le département « {brut} » n'existe pas : indiquez son code (01 à 95, 2A, 2B, "
                f"971 à 976).{conseil}",
            )
        elif not droits.gere_departement(code):
            analyse.signaler(
                ligne,
                "departements",
                f"Vous ne gérez pas le département {code} : seul son gestionnaire territorial, "
                "ou l'assistance nationale, y paramètre un guichet.",
            )
        else:
            codes.append(code)

    existant = prevu.existant
    if existant is not None:
        actuels = sorted(d.code for d in existant.departements.all())
        if texte and sorted(codes) != actuels:
            analyse.signaler(
                ligne,
                "departements",
                f"Le guichet {existant.code} existe et est habilité sur {', '.join(actuels)} : "
                "l'import ne change pas les départements d'un guichet existant. Indiquez "
                f"{SEPARATEUR_LISTE.join(actuels)} ou laissez la colonne vide.",
            )
        prevu.departements = actuels
    else:
        if not texte:
            analyse.signaler(
                ligne,
                "departements",
                "Indiquez le ou les départements où le guichet enregistre les demandes (codes "
                f"séparés par « {SEPARATEUR_LISTE} », par exemple 93).",
            )
        prevu.departements = codes


def _verifier_communes(analyse: Analyse, colonnes) -> None:
    """Each commune of consultation is found within the desk's départements; an ambiguous or
    unknown name is a problem that lists the candidates (FAQ « Options de paramétrage »)."""
    prevu = analyse.guichet
    texte, ligne = colonnes["communes_consultation"]
    if not texte or not prevu.departements:
        return
    vues = set()
    for saisie in _liste(texte):
        commune, message = _resoudre(saisie, prevu.departements)
        if message:
            analyse.signaler(ligne, "communes_consultation", message)
        elif commune.code_insee not in vues:
            vues.add(commune.code_insee)
            prevu.communes.append(
                CommunePrevue(commune.code_insee, commune.nom, commune.departement)
            )


def _resoudre(saisie: str, departements: list[str]):
    """(commune, "") or (None, why not and which communes it could be)."""
    trouvees, candidates = {}, {}
    for departement in departements:
        resolution = resoudre_commune(saisie, departement)
        if resolution.statut == TROUVEE:
            trouvees[resolution.commune.code_insee] = resolution.commune
        elif resolution.statut == AMBIGUE:
            for candidat in resolution.candidats:
                candidates[candidat.commune.code_insee] = candidat.commune

    def liste(communes) -> str:
        return ", ".join(f"{c.nom} ({c.code_insee})" for c in list(communes)[:8])

    if len(trouvees) == 1:
        return next(iter(trouvees.values())), ""
    if trouvees:
        return None, (
            f"« {saisie} » désigne plusieurs communes des départements du guichet : "
            f"{liste(trouvees.values())}. Indiquez son code INSEE."
        )
    if candidates:
        return None, (
            f"« {saisie} » est ambigu ; communes possibles : {liste(candidates.values())}. "
            "Écrivez le nom exact ou le code INSEE."
        )
    ailleurs = resoudre_commune(saisie, approchants=False)
    if ailleurs.statut == TROUVEE:
        commune = ailleurs.commune
        return None, (
            f"La commune {commune.nom} ({commune.code_insee}) est dans le département "
            f"{commune.departement}, où le guichet n'est pas habilité "
            f"({', '.join(departements)})."
        )
    conseil = (
        f" Séparez les communes par « {SEPARATEUR_LISTE} »." if re.search(r"[,;]", saisie) else ""
    )
    return None, (
        f"Aucune commune ne correspond à « {saisie} » dans le(s) département(s) "
        f"{', '.join(departements)} : vérifiez l'orthographe ou indiquez le code INSEE.{conseil}"
    )


def _verifier_utilisateurs(analyse: Analyse, donnees) -> None:
    """One person per line, each with their own address: an address is a login, it identifies
    one person (FAQ: with one address for several users, « seul le premier utilisateur de la
    liste aura été retenu » — here the file is refused and says why)."""
    guichet = analyse.guichet.existant
    par_email: dict[str, UtilisateurPrevu] = {}
    lignes_de_personnes = 0
    for numero, ligne in donnees:
        champs = {c: " ".join(ligne[c].split()) for c in COLONNES_UTILISATEUR}
        if not any(champs.values()):
            continue  # a line for the organisation and desk only
        lignes_de_personnes += 1
        prenom, nom = champs["utilisateur_prenom"], champs["utilisateur_nom"]
        avant = len(analyse.problemes)
        for colonne, valeur, libelle in (
            ("utilisateur_prenom", prenom, "le prénom"),
            ("utilisateur_nom", nom, "le nom"),
        ):
            if not valeur:
                analyse.signaler(numero, colonne, f"Indiquez {libelle} de la personne.")
            elif len(valeur) > 150:
                analyse.signaler(numero, colonne, f"{libelle.capitalize()} dépasse 150 caractères.")

        email, message = verifier_email(champs["utilisateur_email"])
        if message:
            analyse.signaler(numero, "utilisateur_email", message)

        role = ROLES.get(plier(champs["role"]), "")
        if not role:
            valeur = champs["role"]
            analyse.signaler(
                numero,
                "role",
                (f"Rôle « {valeur} » inconnu : " if valeur else "Indiquez le rôle : ")
                + "« saisie » (enregistrer, modifier, renouveler, radier des demandes) ou "
                "« consultation » (consulter seulement).",
            )

        prevu = UtilisateurPrevu(
            numero,
            prenom,
            nom,
            email,
            role,
            invitation_differee=guichet is None or not guichet.est_parametre,
        )
        if email and email in par_email:
            premier = par_email[email]
            if _meme_personne(premier.prenom, premier.nom, prenom, nom):
                message = (
                    f"{prenom} {nom} figure déjà ligne {premier.ligne} : supprimez cette ligne "
                    "en double."
                )
            else:
                message = (
                    f"L'adresse {email} est déjà celle de {premier.prenom} {premier.nom} "
                    f"(ligne {premier.ligne}) : une adresse e-mail identifie une seule personne, "
                    "qui s'en sert pour se connecter et y reçoit son lien d'activation. Donnez à "
                    f"{prenom} {nom} son adresse personnelle. (L'ancienne application ne gardait "
                    "que la première personne, sans prévenir.)"
                )
            analyse.signaler(numero, "utilisateur_email", message)
        elif email:
            par_email[email] = prevu
            _comparer_au_compte_existant(analyse, prevu, guichet)
        if len(analyse.problemes) == avant:
            analyse.utilisateurs.append(prevu)

    if not lignes_de_personnes:
        analyse.signaler(
            donnees[0][0],
            "utilisateur_email",
            "La fiche ne désigne aucun utilisateur : indiquez au moins une personne (prénom, "
            "nom, adresse e-mail, rôle), sans quoi personne ne pourra se connecter pour ce "
            "guichet.",
        )


def _comparer_au_compte_existant(analyse: Analyse, prevu: UtilisateurPrevu, guichet) -> None:
    """An account with this address may already exist: it is reused when it is the same person
    (same first and last name), refused otherwise."""
    compte = Utilisateur.objects.filter(email__iexact=prevu.email).first()
    if compte is None:
        return
    if compte.nom and not _meme_personne(compte.prenom, compte.nom, prevu.prenom, prevu.nom):
        analyse.signaler(
            prevu.ligne,
            "utilisateur_email",
            f"L'adresse {prevu.email} est déjà l'identifiant du compte d'une autre personne : "
            "une adresse identifie une seule personne. Donnez à "
            f"{prevu.prenom} {prevu.nom} son adresse personnelle ; s'il s'agit bien de la même "
            "personne, écrivez son prénom et son nom comme dans son compte.",
        )
        return
    if not compte.is_active:
        analyse.signaler(
            prevu.ligne,
            "utilisateur_email",
            f"Le compte {prevu.email} est désactivé : réactivez-le depuis la gestion des "
            "utilisateurs avant de l'habiliter.",
        )
        return
    prevu.compte_existant = True
    if guichet is None:
        return
    habilitation = Habilitation.objects.filter(utilisateur=compte, guichet=guichet).first()
    if habilitation is None:
        return
    if habilitation.date_fin and habilitation.date_fin < timezone.localdate():
        analyse.signaler(
            prevu.ligne,
            "utilisateur_email",
            f"{prevu.prenom} {prevu.nom} a eu une habilitation sur ce guichet, terminée le "
            f"{habilitation.date_fin:%d/%m/%Y} : l'import ne rétablit pas une habilitation "
            "retirée. Retirez cette ligne et rétablissez-la depuis la gestion des utilisateurs.",
        )
        return
    prevu.deja_habilite = True
    if habilitation.role != prevu.role:
        prevu.remarque = (
            f"Habilité(e) en {habilitation.get_role_display().lower()} : l'import ne change pas "
            "un rôle existant."
        )


# --- Applying --------------------------------------------------------------------------------


@transaction.atomic
def appliquer_fiche_collecte(analyse: Analyse, par, base_url: str) -> Resultat:
    """Create what the fiche asks for and does not exist yet, all or nothing, and invite each
    person who has a new habilitation and has never chosen a password.

    FAQ order « convention → fiche collecte → paramétrage → e-mail de confirmation »: on a desk
    whose set-up is not finalised (a new one always), nobody is invited yet: the gestionnaire's
    « Finaliser » sends the invitations with the confirmation (`finaliser_parametrage`).

    Refused while the analysis has problems. Everything is looked up again here (SIREN, desk
    code, addresses): applying twice, or after someone else created part of it, creates nothing
    twice. The e-mails leave after commit (`inviter`).
    """
    if analyse.problemes:
        raise ErreurMetier(
            f"La fiche collecte comporte {len(analyse.problemes)} problème(s) : corrigez le "
            "fichier, puis déposez-le à nouveau.",
            code="fiche_collecte_invalide",
        )
    exiger(droits_de(par).est_gestionnaire, "Seuls les gestionnaires importent une fiche collecte.")
    prevue, prevu = analyse.organisation, analyse.guichet

    organisation = Organisation.objects.filter(siren=prevue.siren).first()
    organisation_creee = organisation is None
    if organisation_creee:
        organisation = creer_organisation(
            par=par, nom=prevue.nom, type=prevue.type, siren=prevue.siren
        )

    guichet = Guichet.objects.filter(code=prevu.code).first()
    guichet_cree = guichet is None
    if guichet_cree:
        guichet = creer_guichet(
            par=par,
            organisation=organisation,
            code=prevu.code,
            nom=prevu.nom,
            departements=Departement.objects.filter(code__in=prevu.departements),
            email=prevu.email,
        )
    elif guichet.organisation_id != organisation.pk:
        raise ErreurMetier(
            f"Le code {prevu.code} est déjà celui d'un guichet d'une autre organisation.",
            code="code_existant",
        )

    perimetre_modifie = False
    if prevu.communes:
        codes = {c.code_insee for c in prevu.communes}
        actuel = set(guichet.consultation_communes.values_list("code_insee", flat=True))
        if codes != actuel or guichet.consultation_departements.exists():
            communes = Commune.objects.filter(code_insee__in=codes).select_related("departement")
            modifier_perimetre(guichet, par=par, departements_entiers=[], communes=communes)
            perimetre_modifie = True

    resultat = Resultat(
        organisation=organisation,
        guichet=guichet,
        organisation_creee=organisation_creee,
        guichet_cree=guichet_cree,
        perimetre_modifie=perimetre_modifie,
    )
    for personne in analyse.utilisateurs:
        _habiliter_personne(personne, guichet, par, resultat, base_url)

    guichet.fiche_collecte_recue_le = timezone.localdate()
    guichet.save(update_fields=["fiche_collecte_recue_le"])
    journaliser(
        EvenementAudit.Action.IMPORT,
        utilisateur=par,
        guichet=guichet,
        objet=guichet,
        resume=(
            f"Fiche collecte : {len(resultat.comptes_crees)} compte(s) créé(s), "
            f"{len(resultat.habilitations_creees)} habilitation(s) créée(s)"
        ),
        details={
            "organisation_creee": organisation_creee,
            "guichet_cree": guichet_cree,
            "perimetre_modifie": perimetre_modifie,
            "comptes_crees": [u.pk for u in resultat.comptes_crees],
            "habilitations_creees": [h.pk for h in resultat.habilitations_creees],
            "deja_habilites": [u.pk for u in resultat.deja_habilites],
            "invitations": len(resultat.invites),
            "invitations_differees": len(resultat.invitations_differees),
            "accords_demandes": len(resultat.accords_demandes),
        },
    )
    for utilisateur in resultat.invites:
        inviter(utilisateur, guichet=guichet, par=par, base_url=base_url)
    return resultat


def _habiliter_personne(
    personne: UtilisateurPrevu, guichet, par, resultat: Resultat, base_url: str
) -> None:
    compte = Utilisateur.objects.filter(email__iexact=personne.email).first()
    if (
        compte is not None
        and not Utilisateur.objects.visibles_par(par).filter(pk=compte.pk).exists()
    ):
        # An account habilitated elsewhere: neither named to the gestionnaire nor habilitated at
        # once, as in `ajouter_agent`; the person accepts by a signed link, sent after commit.
        transaction.on_commit(
            partial(
                demander_accord_habilitation,
                compte,
                personne.role,
                guichet=guichet,
                par=par,
                base_url=base_url,
            )
        )
        resultat.accords_demandes.append(personne.email)
        return
    if compte is None:
        try:
            compte = Utilisateur.objects.create_user(
                personne.email, password=None, prenom=personne.prenom, nom=personne.nom
            )
        except (ValidationError, IntegrityError) as e:  # created meanwhile by someone else
            raise ErreurMetier(
                f"Le compte {personne.email} (ligne {personne.ligne}) n'a pas pu être créé : "
                "déposez à nouveau la fiche.",
                code="compte_non_cree",
            ) from e
        resultat.comptes_crees.append(compte)
    elif compte.nom and not _meme_personne(
        compte.prenom, compte.nom, personne.prenom, personne.nom
    ):
        raise ErreurMetier(
            f"L'adresse {personne.email} (ligne {personne.ligne}) est devenue entre-temps "
            "l'identifiant d'une autre personne : déposez à nouveau la fiche.",
            code="email_deja_utilise",
        )
    existante = Habilitation.objects.filter(utilisateur=compte, guichet=guichet).first()
    if existante is not None:
        if existante.date_fin and existante.date_fin < timezone.localdate():
            raise ErreurMetier(
                f"L'habilitation de {personne.email} (ligne {personne.ligne}) sur ce guichet a "
                "été retirée : l'import ne la rétablit pas.",
                code="habilitation_retiree",
            )
        resultat.deja_habilites.append(compte)
        return
    resultat.habilitations_creees.append(habiliter(compte, personne.role, par=par, guichet=guichet))
    if compte.has_usable_password():
        return
    if guichet.est_parametre:
        resultat.invites.append(compte)
    else:
        resultat.invitations_differees.append(compte)
