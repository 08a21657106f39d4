"""The candidates' list of a dwelling for its CAL (issue 15): the page, and the same list as a
spreadsheet (XLSX) or a PDF to hand out in session. Every applicant shown or exported is
audited (a consultation for the page, an export for the files)."""

from io import BytesIO

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser_lecture
from sne.comptes.decorateurs import habilite_requis
from sne.demandes.models import Personne
from sne.organisations.tableurs import ecrire_cellule

from . import acces, services
from .cotation import en_clair, mois_d_anciennete

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLONNES = [
    ("Rang", 6),
    ("Numéro unique", 22),
    ("Demandeur", 28),
    ("Personnes", 10),
    ("Déposée le", 12),
    ("Ancienneté (mois)", 12),
    ("Cotation (points)", 12),
    ("Détail de la cotation", 70),
    ("DALO", 8),
    ("Logement adapté au handicap", 14),
]


def _lignes(logement, demandes, aujourd_hui):
    lignes = []
    for rang, d in enumerate(demandes, start=1):
        cotation = getattr(d, "cotation", None)
        demandeur = d.demandeur
        lignes.append(
            {
                "rang": rang,
                "demande": d,
                "demandeur": f"{demandeur.prenom} {demandeur.nom.upper()}" if demandeur else "",
                "anciennete": mois_d_anciennete(d.date_depot, aujourd_hui),
                "points": cotation.points if cotation else None,
                "detail": en_clair(cotation.detail) if cotation else "",
                "dalo": d.statut_dalo == "actif",
            }
        )
    return lignes


@require_GET
@habilite_requis
def candidats(request, pk):
    b, logement = acces.logement(request.user, pk)
    dalo = request.GET.get("dalo") == "1"
    typologie = request.GET.get("typologie") == "1"
    demandes = services.candidats_pour(
        logement, par=request.user, dalo_seulement=dalo, typologie_souhaitee=typologie
    )
    # The demandeur of each, in one query (the list shows their name).
    prefetch_related_objects(
        demandes,
        Prefetch("personnes", queryset=Personne.objects.filter(role="demandeur")),
    )
    aujourd_hui = timezone.localdate()
    lignes = _lignes(logement, demandes, aujourd_hui)
    format_ = request.GET.get("format", "")
    action = EvenementAudit.Action.EXPORT if format_ in ("xlsx", "pdf") else None
    if demandes:
        journaliser_lecture(
            demandes,
            utilisateur=request.user,
            guichet=b.guichet,
            resume=f"Liste des candidats du logement {logement.reference}"
            + (f" ({format_.upper()})" if action else ""),
            action=action or EvenementAudit.Action.CONSULTATION,
        )
    if format_ == "xlsx":
        return _xlsx(logement, lignes, aujourd_hui)
    if format_ == "pdf":
        return _pdf(request, logement, lignes, aujourd_hui)
    return render(
        request,
        "attributions/candidats.html",
        {
            "title": f"Candidats pour le logement {logement.reference}",
            "b": b,
            "logement": logement,
            "lignes": lignes,
            "dalo": dalo,
            "typologie": typologie,
            "maximum": services.CANDIDATS_MAX,
            "tailles": services.TAILLES_PAR_TYPOLOGIE.get(logement.typologie),
            "filtres": request.GET.urlencode(),
        },
    )


def _nom_de_fichier(logement, aujourd_hui, extension: str) -> str:
    return f"candidats-{logement.reference}-{aujourd_hui:%Y%m%d}.{extension}".replace(" ", "_")


def _xlsx(logement, lignes, aujourd_hui) -> HttpResponse:
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = "Candidats"
    titre = ecrire_cellule(
        feuille,
        1,
        1,
        f"Candidats pour le logement {logement.reference} — {logement.get_typologie_display()}, "
        f"{logement.adresse}, {logement.commune.nom} — le {aujourd_hui:%d/%m/%Y}",
    )
    titre.font = Font(bold=True)
    for colonne, (entete, largeur) in enumerate(COLONNES, start=1):
        ecrire_cellule(feuille, 2, colonne, entete).font = Font(bold=True)
        feuille.column_dimensions[feuille.cell(2, colonne).column_letter].width = largeur
    for numero, ligne in enumerate(lignes, start=3):
        d = ligne["demande"]
        valeurs = [
            ligne["rang"],
            d.numero_unique,
            ligne["demandeur"],
            d.nombre_personnes,
            d.date_depot.strftime("%d/%m/%Y"),
            ligne["anciennete"],
            ligne["points"] if ligne["points"] is not None else "",
            ligne["detail"],
            "oui" if ligne["dalo"] else "non",
            "oui" if d.logement_adapte_handicap else "non",
        ]
        for colonne, valeur in enumerate(valeurs, start=1):
            ecrire_cellule(feuille, numero, colonne, valeur)
    tampon = BytesIO()
    classeur.save(tampon)
    reponse = HttpResponse(tampon.getvalue(), content_type=XLSX)
    reponse["Content-Disposition"] = (
        f'attachment; filename="{_nom_de_fichier(logement, aujourd_hui, "xlsx")}"'
    )
    return reponse


def _pdf(request, logement, lignes, aujourd_hui) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        "attributions/candidats_pdf.html",
        {"logement": logement, "lignes": lignes, "aujourd_hui": aujourd_hui},
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    reponse = HttpResponse(pdf, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="{_nom_de_fichier(logement, aujourd_hui, "pdf")}"'
    )
    return reponse
