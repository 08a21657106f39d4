"""The candidates' list of a dwelling: the active demandes of the scope wishing its commune,
household suited to its typology, by cotation then seniority; filters; XLSX and PDF exports
for the CAL, each applicant shown or exported audited."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sne.attributions import services, services_cotation
from sne.attributions.models import Cotation
from sne.audit.models import EvenementAudit
from sne.demandes import services as demandes
from tests.factories import GuichetFactory, OrganisationFactory, agent, gestionnaire
from tests.outils import connecter, texte

from .fixtures import AUJOURD_HUI, nouvelle_demande

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]

STUDIO = {
    "reference": "ST-1",
    "adresse": "3 rue de la Glacière",
    "commune": "75113",
    "typologie": "T1",
    "loyer": "390",
}


@pytest.fixture
def studio(guichet, agent_bailleur):
    return services.enregistrer_logement(dict(STUDIO), par=agent_bailleur, guichet=guichet)


@pytest.fixture
def trois(guichet, agent_bailleur, django_capture_on_commit_callbacks):
    """Three applicants wishing Paris 13e, filed in April, June and May 2026, the one of June
    recognised DALO; and a fourth wishing Paris 20e only."""
    souhaits = {"communes": ["75113"]}
    avril = nouvelle_demande(guichet, agent_bailleur, 0, date_depot="2026-04-02", souhaits=souhaits)
    juin = nouvelle_demande(guichet, agent_bailleur, 1, date_depot="2026-06-02", souhaits=souhaits)
    mai = nouvelle_demande(guichet, agent_bailleur, 2, date_depot="2026-05-02", souhaits=souhaits)
    vingtieme = nouvelle_demande(guichet, agent_bailleur, 3, date_depot="2026-04-01")
    with django_capture_on_commit_callbacks(execute=True):
        demandes.modifier_demande(
            juin, agent_bailleur, guichet, demande_valeurs={"statut_dalo": "actif"}
        )
        services_cotation.publier_grille(
            "75",
            [{"critere": "dalo", "points": 300}, {"critere": "anciennete", "points": 2}],
            par=gestionnaire("75"),
        )
    return avril, juin, mai, vingtieme


def test_les_candidats_par_cotation_puis_anciennete(client, agent_bailleur, studio, trois):
    avril, juin, mai, vingtieme = trois
    connecter(client, agent_bailleur)

    page = texte(client.get(reverse("attributions:candidats", args=[studio.pk])))

    # juin: DALO 300 + 9 months × 2; avril: 11 × 2 = 22; mai: 10 × 2 = 20.
    positions = [page.index(d.numero_unique) for d in (juin, avril, mai)]
    assert positions == sorted(positions)
    assert "318 points" in page and "22 points" in page and "20 points" in page
    assert Cotation.objects.count() == 4
    assert vingtieme.numero_unique not in page  # it wishes Paris 20e only
    assert (
        EvenementAudit.objects.filter(action="consultation", resume__contains="ST-1").count() == 3
    )

    filtre = texte(client.get(reverse("attributions:candidats", args=[studio.pk]) + "?dalo=1"))
    assert juin.numero_unique in filtre and avril.numero_unique not in filtre


def test_les_exports_pour_la_cal(client, agent_bailleur, studio, trois):
    avril, juin, mai, _ = trois
    connecter(client, agent_bailleur)
    url = reverse("attributions:candidats", args=[studio.pk])

    reponse = client.get(url + "?format=xlsx")
    assert reponse["Content-Disposition"].endswith('candidats-ST-1-20270315.xlsx"')
    feuille = load_workbook(BytesIO(reponse.content)).active
    assert [feuille.cell(ligne, 2).value for ligne in (3, 4, 5)] == [
        juin.numero_unique,
        avril.numero_unique,
        mai.numero_unique,
    ]
    assert feuille.cell(3, 7).value == 318
    assert EvenementAudit.objects.filter(action="export").count() == 3

    pdf = client.get(url + "?dalo=1&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_un_autre_bailleur_ne_voit_pas_la_liste(client, studio, trois):
    autre = GuichetFactory(code="75BB2", organisation=OrganisationFactory(), departements=["75"])
    connecter(client, agent(autre))
    assert client.get(reverse("attributions:candidats", args=[studio.pk])).status_code == 404


def test_sans_candidat_la_page_le_dit(client, agent_bailleur, studio):
    connecter(client, agent_bailleur)
    page = texte(client.get(reverse("attributions:candidats", args=[studio.pk])))
    assert "Aucune demande active de votre périmètre ne souhaite Paris 13e Arrondissement" in page


def test_la_page_lit_les_candidats_en_une_requete(client, agent_bailleur, studio, trois):
    """Only the columns shown are read (`CHAMPS_DES_CANDIDATS`): none is fetched again per row,
    for the page, the XLSX or the PDF."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connecter(client, agent_bailleur)
    url = reverse("attributions:candidats", args=[studio.pk])
    for suffixe in ("", "?format=xlsx", "?format=pdf"):
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url + suffixe).status_code == 200
        demandes_lues = [
            q["sql"] for q in requetes.captured_queries if 'FROM "demandes_demande"' in q["sql"]
        ]
        assert len(demandes_lues) == 1, demandes_lues
