"""The stock audit of duplicates of a département (issue 11): launched by its gestionnaire,
walked by a Huey task (`tasks.executer_audit`, `parcours.py`), its pairs downloaded as XLSX."""

import io

from django.db import transaction
from openpyxl import Workbook

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de
from sne.exceptions import NonAutorise
from sne.organisations.tableurs import ecrire_cellule

from . import tasks
from .models import AuditDoublons, EmpreinteIdentite

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLONNES = (
    "Numéro unique A",
    "Date de dépôt A",
    "Guichet A",
    "Numéro unique B",
    "Date de dépôt B",
    "Guichet B",
    "Ressemblance (%)",
    "Raisons",
    "Décision",
)


@transaction.atomic
def lancer_audit(departement, par) -> tuple[AuditDoublons, bool]:
    """Start the search of probable duplicate pairs among the active demandes of `departement`
    (one of the gestionnaire's). While an audit of that département is unfinished, launching
    again resumes it rather than starting a second one. Returns (audit, created)."""
    if not droits_de(par).gere_departement(departement.code):
        raise NonAutorise(
            f"Vous ne gérez pas le département {departement.code} : vous ne pouvez pas y "
            "rechercher les doublons."
        )
    audit = (
        AuditDoublons.objects.select_for_update()
        .filter(
            departement=departement,
            statut__in=[AuditDoublons.Statut.EN_ATTENTE, AuditDoublons.Statut.EN_COURS],
        )
        .first()
    )
    cree = audit is None
    if cree:
        audit = AuditDoublons.objects.create(
            departement=departement,
            lance_par=par,
            total=EmpreinteIdentite.objects.filter(
                departement=departement.code, actif=True
            ).count(),
        )
        journaliser(
            EvenementAudit.Action.CREATION,
            utilisateur=par,
            objet=audit,
            resume=f"Audit des doublons du {departement.code} lancé",
        )
    audit_id = audit.pk
    transaction.on_commit(lambda: tasks.executer_audit(audit_id))
    return audit, cree


def exporter_paires(audit: AuditDoublons, paires, *, par, adresse_ip=None) -> bytes:
    """The XLSX of exactly the pairs a page lists: numéros, dates de dépôt, guichets, score,
    raisons, decision — no more than the page shows. The download is logged."""
    if not droits_de(par).gere_departement(audit.departement_id):
        raise NonAutorise("Vous ne gérez pas le département de cet audit.")
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Doublons {audit.departement_id}"
    for colonne, titre in enumerate(COLONNES, start=1):
        ecrire_cellule(feuille, 1, colonne, titre)
    n = 0
    for n, paire in enumerate(paires, start=1):
        a, b = paire.demande_a, paire.demande_b
        valeurs = (
            a.numero_unique,
            a.date_depot.strftime("%d/%m/%Y"),
            a.guichet_enregistreur.code,
            b.numero_unique,
            b.date_depot.strftime("%d/%m/%Y"),
            b.guichet_enregistreur.code,
            paire.score,
            ", ".join(paire.raisons),
            paire.get_statut_display(),
        )
        for colonne, valeur in enumerate(valeurs, start=1):
            ecrire_cellule(feuille, n + 1, colonne, valeur)
    for colonne, largeur in zip("ABCDEFGHI", (22, 14, 10, 22, 14, 10, 16, 80, 22), strict=True):
        feuille.column_dimensions[colonne].width = largeur
    flux = io.BytesIO()
    classeur.save(flux)
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=par,
        objet=audit,
        resume=f"Paires de doublons du {audit.departement_id} téléchargées ({n} paires)",
        adresse_ip=adresse_ip,
    )
    return flux.getvalue()


def nom_fichier(audit: AuditDoublons) -> str:
    return f"doublons-{audit.departement_id}-{audit.lance_le:%Y-%m-%d}.xlsx"
