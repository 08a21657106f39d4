"""The file of contacts of a département: its desks and their contact points, as a spreadsheet.

FAQ « Options de paramétrage »: the contact points (physical and by telephone) of the desks are
kept by the gestionnaire territorial, and « tous les mois, ce dit fichier est transmis à tous
les guichets enregistreurs de notre liste de contact pour actualisation ». So:

- `fichier_contacts(departement)` builds the XLSX: one row per contact point of every active
  desk habilitated on the département, and one row with empty contact columns for a desk that
  has none yet (so that the gap shows and gets filled);
- `envoyer_fichiers_contacts(departement=None)` e-mails it to every desk of the département
  (one e-mail per desk, to `guichet.destinataires()`), every month from the periodic
  Huey task in `tasks.py`, or at once from the gestionnaire's page;
- the file can also be downloaded at any time (`telecharger_fichier_contacts`), by the
  gestionnaires of the département, the national level, and the agents of its desks: every
  desk receives it anyway.

Every sending and every download is written to the audit log (action « Export »).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from io import BytesIO

from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de, exiger
from sne.referentiels.models import Departement
from sne.referentiels.telephones import telephone_lisible

from .models import Guichet
from .tableurs import ecrire_cellule

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (column title, width in characters)
COLONNES = [
    ("Code guichet", 13),
    ("Guichet", 32),
    ("Organisme", 32),
    ("Type d'organisme", 20),
    ("Départements d'enregistrement", 16),
    ("Point de contact", 28),
    ("Adresse", 36),
    ("Code postal", 12),
    ("Commune", 26),
    ("Horaires d'ouverture", 36),
    ("Téléphone", 16),
    ("E-mail", 32),
    ("Modifié le", 17),
]
LIGNE_TITRE = 1
LIGNE_ENTETE = 2
PREMIERE_LIGNE = 3


def departement_de(departement) -> Departement:
    """Accept a `Departement` or its code."""
    if isinstance(departement, Departement):
        return departement
    return Departement.objects.get(code=departement)


def departements_avec_guichets():
    """The départements on which at least one active desk is habilitated."""
    return Departement.objects.filter(guichets_habilites__actif=True).distinct().order_by("code")


def guichets_du_departement(departement):
    """The active desks habilitated (registration) on the département, by code."""
    return (
        Guichet.objects.filter(actif=True, departements=departement_de(departement))
        .select_related("organisation")
        .prefetch_related("departements", "contacts__commune")
        .order_by("code")
        .distinct()
    )


def lignes_contacts(departement) -> list[list]:
    """The rows of the file (also shown as a preview): the values of `COLONNES`, in order."""
    lignes = []
    for guichet in guichets_du_departement(departement):
        guichet_cols = [
            guichet.code,
            guichet.nom,
            guichet.organisation.nom,
            guichet.organisation.get_type_display(),
            ", ".join(d.code for d in guichet.departements.all()),
        ]
        contacts = sorted(guichet.contacts.all(), key=lambda c: c.libelle.lower())
        if not contacts:
            lignes.append([*guichet_cols, *[""] * 7, None])
        for c in contacts:
            lignes.append(
                [
                    *guichet_cols,
                    c.libelle,
                    c.adresse,
                    c.code_postal,
                    c.commune.nom if c.commune else "",
                    c.horaires,
                    telephone_lisible(c.telephone),
                    c.email,
                    # Excel knows no time zones: the local time of the gestionnaire.
                    timezone.localtime(c.modifie_le).replace(tzinfo=None),
                ]
            )
    return lignes


def apercu(departement) -> list[dict]:
    """The rows as the page shows them: dates written out, desks without a contact point
    flagged (`sans_contact`)."""
    apercu = []
    for ligne in lignes_contacts(departement):
        modifie_le = ligne[-1]
        cellules = [
            *ligne[:-1],
            date_format(modifie_le, "SHORT_DATETIME_FORMAT") if modifie_le else "",
        ]
        apercu.append({"cellules": cellules, "sans_contact": modifie_le is None})
    return apercu


def _mois(le=None) -> str:
    return (le or timezone.localdate()).strftime("%Y-%m")


def nom_feuille(departement, le=None) -> str:
    """« Contacts 93 — 2026-11 » (31 characters at most, as Excel requires)."""
    return f"Contacts {departement_de(departement).code} — {_mois(le)}"[:31]


def nom_fichier(departement, le=None) -> str:
    return f"sne-contacts-{departement_de(departement).code}-{_mois(le)}.xlsx"


def fichier_contacts(departement) -> bytes:
    """The XLSX file of contacts of the département: title line, bold frozen header, rows."""
    departement = departement_de(departement)
    aujourd_hui = timezone.localdate()
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = nom_feuille(departement, aujourd_hui)

    ecrire_cellule(
        feuille,
        LIGNE_TITRE,
        1,
        f"Fichier des contacts des guichets enregistreurs — {departement.nom} "
        f"({departement.code}) — édité le {aujourd_hui:%d/%m/%Y}",
    ).font = Font(bold=True, size=13)
    for i, (titre, largeur) in enumerate(COLONNES, start=1):
        cellule = ecrire_cellule(feuille, LIGNE_ENTETE, i, titre)
        cellule.font = Font(bold=True)
        cellule.alignment = Alignment(vertical="center", wrap_text=True)
        feuille.column_dimensions[get_column_letter(i)].width = largeur

    haut = Alignment(vertical="top", wrap_text=True)
    for n, ligne in enumerate(lignes_contacts(departement), start=PREMIERE_LIGNE):
        for i, valeur in enumerate(ligne, start=1):
            cellule = ecrire_cellule(feuille, n, i, valeur)
            cellule.alignment = haut
            if i == len(COLONNES) and valeur is not None:
                cellule.number_format = "DD/MM/YYYY HH:MM"

    derniere = get_column_letter(len(COLONNES))
    feuille.freeze_panes = f"A{PREMIERE_LIGNE}"
    feuille.auto_filter.ref = f"A{LIGNE_ENTETE}:{derniere}{max(feuille.max_row, LIGNE_ENTETE)}"
    feuille.print_title_rows = f"{LIGNE_ENTETE}:{LIGNE_ENTETE}"
    sortie = BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


# --- Who may have the file ------------------------------------------------------------------


def departements_du_fichier(utilisateur):
    """The départements whose file a person may see: all for the national level, those they
    manage for a gestionnaire, those its desks are habilitated on for an agent."""
    droits = droits_de(utilisateur)
    if droits.national:
        return Departement.objects.filter(date_fermeture=None).order_by("code")
    return (
        Departement.objects.filter(
            Q(code__in=droits.departements_gestion)
            | Q(
                guichets_habilites__in=droits.guichets_consultation,
                guichets_habilites__actif=True,
            )
        )
        .distinct()
        .order_by("code")
    )


def peut_obtenir_fichier(utilisateur, departement) -> bool:
    code = departement_de(departement).code
    droits = droits_de(utilisateur)
    if droits.gere_departement(code):
        return True
    return Guichet.objects.filter(
        pk__in=droits.guichets_consultation, actif=True, departements=code
    ).exists()


def telecharger_fichier_contacts(departement, *, par, adresse_ip=None) -> bytes:
    """The file, for a person allowed to have it; the download is logged."""
    departement = departement_de(departement)
    exiger(
        peut_obtenir_fichier(par, departement),
        f"Vous ne gérez pas le département {departement.code} et aucun de vos guichets "
        "n'y est habilité.",
    )
    contenu = fichier_contacts(departement)
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=par,
        objet=departement,
        resume=f"Fichier des contacts {departement.code} téléchargé",
        adresse_ip=adresse_ip,
    )
    return contenu


# --- Sending --------------------------------------------------------------------------------


@dataclass
class RapportEnvoi:
    """What one sending of a département's file did (desk codes only)."""

    departement: str
    envoyes: list[str] = field(default_factory=list)
    sans_adresse: list[str] = field(default_factory=list)
    echecs: list[str] = field(default_factory=list)


def _envoyer_departement(departement, *, par=None) -> RapportEnvoi:
    departement = departement_de(departement)
    rapport = RapportEnvoi(departement.code)
    guichets = list(guichets_du_departement(departement))
    if not guichets:
        return rapport
    contenu = fichier_contacts(departement)
    with override("fr"):
        mois = date_format(timezone.localdate(), "F Y")
    sujet = f"SNE — Fichier des contacts des guichets — {departement.nom} ({departement.code})"
    connexion = get_connection()  # opened and closed for each message: one failure stays one
    for guichet in guichets:
        adresses = guichet.destinataires()
        if not adresses:
            rapport.sans_adresse.append(guichet.code)
            continue
        message = EmailMessage(
            f"{sujet} — {mois}",
            render_to_string(
                "organisations/departement/email_fichier_contacts.txt",
                {"guichet": guichet, "departement": departement, "mois": mois},
            ),
            to=adresses,
            connection=connexion,
        )
        message.attach(nom_fichier(departement), contenu, XLSX)
        try:
            message.send()
        except (smtplib.SMTPException, OSError):
            logger.exception("Fichier des contacts %s non envoyé à %s", departement.code, guichet)
            rapport.echecs.append(guichet.code)
        else:
            rapport.envoyes.append(guichet.code)
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=par,
        objet=departement,
        resume=(
            f"Fichier des contacts {departement.code} envoyé à "
            f"{len(rapport.envoyes)} guichet(s) sur {len(guichets)}"
        ),
        details={
            "departement": departement.code,
            "envoyes": rapport.envoyes,
            "sans_adresse": rapport.sans_adresse,
            "echecs": rapport.echecs,
        },
    )
    return rapport


def envoyer_fichiers_contacts(departement=None, *, par=None) -> list[RapportEnvoi]:
    """E-mail the file of contacts to every active desk of the département (FAQ: every month,
    to every desk), one e-mail per desk with the XLSX attached; one audit entry per département.

    Without `departement`: every département that has desks (the monthly task). A département
    that fails is logged and the others are still sent.
    """
    if departement is not None:
        if par is not None:
            code = departement_de(departement).code
            exiger(
                droits_de(par).gere_departement(code), f"Vous ne gérez pas le département {code}."
            )
        return [_envoyer_departement(departement, par=par)]
    exiger(
        par is None or droits_de(par).national,
        "Seule l'assistance nationale envoie tous les fichiers.",
    )
    rapports = []
    for dep in departements_avec_guichets():
        try:
            rapports.append(_envoyer_departement(dep, par=par))
        except Exception:
            logger.exception("Envoi du fichier des contacts %s impossible", dep.code)
    return rapports
