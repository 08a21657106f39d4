"""The statistics pages: a gestionnaire's départements only, the national level everything;
the figures of the hand-counted register on the page, beside their charts; each table
exported as shown, and the export audited."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sne.audit.models import EvenementAudit
from sne.statistiques import services
from tests.factories import GuichetFactory, agent, gestionnaire, national
from tests.outils import connecter, texte

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2027, 2, 1))]

URL = reverse("statistiques:tableau")


@pytest.fixture
def instantane(registre):
    return services.prendre_instantane()


def test_sans_instantane_la_page_dit_quand_viendront_les_chiffres(client):
    connecter(client, gestionnaire("93"))
    page = texte(client.get(URL))
    assert "Pas encore de statistiques" in page and "chaque nuit à 1 h 15" in page


def test_le_gestionnaire_voit_son_departement_et_ses_chiffres(client, instantane):
    connecter(client, gestionnaire("93"))

    reponse = client.get(URL)

    page = texte(reponse)
    assert "93 — Seine-Saint-Denis" in page and "France entière" not in page
    assert "instantané du registre du <strong>14/03/2027</strong>" in page
    assert "1 demande active" in page
    assert "1 au-delà du délai anormalement long (100,0 %)" in page
    html = reponse.content.decode()
    # typologie, taille, ancienneté, flux, radiations, décisions de CAL, refus, baux
    assert html.count("<svg") == 8
    assert re.findall(r' (?:x|y|width|height)="[^"]*,', html) == []  # « 14.5 », not « 14,5 »
    assert "Saint-Denis" in page  # the commune first wished, in the communes' table
    # Another département: as if it did not exist.
    assert client.get(URL + "?territoire=75").status_code == 404
    assert client.get(URL + "?territoire=").status_code == 404  # France: national only


def test_le_niveau_national_voit_la_france(client, instantane):
    connecter(client, national())
    page = texte(client.get(URL))
    assert "France entière" in page and "4 demandes actives" in page
    paris = texte(client.get(URL + "?territoire=75"))
    assert "3 demandes actives" in paris and "1 au-delà du délai anormalement long" in paris


def test_un_agent_de_guichet_n_y_entre_pas(client, instantane):
    connecter(client, agent(GuichetFactory(code="93CO2", departements=["93"])))
    assert client.get(URL).status_code == 403


def test_chaque_tableau_s_exporte_tel_qu_il_est_montre(client, instantane):
    utilisateur = gestionnaire("75")
    connecter(client, utilisateur)

    reponse = client.get(URL + "?territoire=75&export=taille&format=csv")

    assert reponse["Content-Disposition"] == 'attachment; filename="sne-75-taille-20270314.csv"'
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Taille du ménage", "Demandes actives"]
    assert lignes[1:] == [
        ["1 personne", "1"],
        ["2 personnes", "0"],
        ["3 personnes", "0"],
        ["4 personnes", "1"],
        ["5 personnes", "0"],
        ["6 personnes ou plus", "1"],
    ]
    classeur = client.get(URL + "?territoire=75&export=communes&format=xlsx")
    feuille = load_workbook(io.BytesIO(classeur.content)).active
    assert [feuille.cell(3, c).value for c in (1, 2, 3)] == ["Paris 20e Arrondissement", "75120", 2]
    exports = EvenementAudit.objects.filter(action="export", utilisateur=utilisateur)
    assert exports.count() == 2
    assert "« Demandes actives par taille du ménage » au 14/03/2027 (CSV)" in exports.last().resume
    assert client.get(URL + "?territoire=75&export=inconnu&format=csv").status_code == 404
    assert client.get(URL + "?territoire=75&export=taille&format=pdf").status_code == 404


def test_la_nuit_dessine_les_pages_et_le_matin_les_lit_sans_relire_les_mesures(client, registre):
    """A snapshot never changes: the night's task draws every territory's page into the
    cache, and a page (or an export) then reads no `Mesure`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sne.statistiques import tasks

    tasks.prendre_instantane_de_la_veille.call_local()
    connecter(client, gestionnaire("93"))

    with CaptureQueriesContext(connection) as requetes:
        page = texte(client.get(URL))
        export = client.get(URL + "?export=communes&format=csv")

    assert "1 demande active" in page and "Saint-Denis" in page
    assert "Saint-Denis;93066;1" in export.content.decode("utf-8-sig")
    assert not [q for q in requetes.captured_queries if "statistiques_mesure" in q["sql"]]


def test_une_autre_version_du_code_ne_sert_pas_la_page_d_avant(client, instantane, monkeypatch):
    from sne.statistiques import pages

    connecter(client, gestionnaire("93"))
    assert "1 demande active" in texte(client.get(URL))
    monkeypatch.setattr(pages, "VERSION", "deploiement-suivant")
    monkeypatch.setattr(pages.lecture, "chiffres_cles", lambda jour, code: {"actives": 12})

    assert "12 demandes actives" in texte(client.get(URL))


def test_les_demandes_par_epci_de_la_commune_souhaitee_en_premier(client, instantane):
    """a and d wish Paris 20e first, b Paris 13e, c Saint-Denis: all in the Métropole du Grand
    Paris (the referential's EPCI of each commune)."""
    connecter(client, national())

    def epci(territoire):
        reponse = client.get(URL, {"territoire": territoire, "export": "epci", "format": "csv"})
        return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))

    assert epci("75") == [
        ["EPCI", "SIREN", "Demandes actives"],
        ["Métropole du Grand Paris", "200054781", "3"],
    ]
    assert epci("93")[1:] == [["Métropole du Grand Paris", "200054781", "1"]]
    assert epci("")[1:] == [["Métropole du Grand Paris", "200054781", "4"]]
    assert epci("2A")[1:] == []
    page = texte(client.get(URL, {"territoire": "75"}))
    assert "Demandes actives par EPCI de la commune souhaitée en premier" in page


def test_un_cache_en_panne_ne_fait_pas_tomber_la_page(client, instantane, monkeypatch, caplog):
    """Redis unreachable: the page and its exports are computed, as without a cache."""
    from sne.statistiques import pages

    class CacheEnPanne:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis injoignable")

        set = get

    monkeypatch.setattr(pages, "cache", CacheEnPanne())
    connecter(client, gestionnaire("93"))

    assert "1 demande active" in texte(client.get(URL))
    export = client.get(URL + "?export=taille&format=csv")
    assert export.status_code == 200 and "1 personne" in export.content.decode("utf-8-sig")
    assert "Cache des statistiques illisible" in caplog.text
