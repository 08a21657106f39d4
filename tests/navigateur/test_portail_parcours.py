"""An applicant signed in on the portal reads their cotation and their passage in a landlord's
commission on « Ma demande », then opens the public grid of their département (issue 15);
the other candidate of the same session appears nowhere. axe-core checks every page
(tests/navigateur/conftest.py)."""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from sne.attributions import services, services_cotation
from sne.organisations.models import Organisation
from tests.attributions.fixtures import LOGEMENT, MEMBRES, nouvelle_demande
from tests.factories import GuichetFactory, OrganisationFactory, agent, gestionnaire
from tests.navigateur.conftest import pages_verifiees
from tests.navigateur.test_portail_pieces import connecter_au_portail

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_demandeur_lit_sa_cotation_et_son_passage_en_commission(
    page, live_server, referentiels_charges
):
    bailleur = OrganisationFactory(nom="Habitat Parisien", type=Organisation.Type.BAILLEUR)
    guichet = GuichetFactory(code="75BA1", organisation=bailleur, departements=["75"])
    qui = {"par": agent(guichet), "guichet": guichet}
    depot = (timezone.localdate() - relativedelta(months=3)).isoformat()
    moi, autre = (nouvelle_demande(guichet, qui["par"], i, date_depot=depot) for i in range(2))
    services_cotation.publier_grille(
        "75", [{"critere": "anciennete", "points": 2, "plafond": 100}], par=gestionnaire("75")
    )
    services_cotation.coter(moi)
    logement = services.enregistrer_logement(dict(LOGEMENT), **qui)
    seance = services.ouvrir_seance(date_seance=timezone.localdate(), membres=MEMBRES, **qui)
    premiere, seconde = (
        services.inscrire_candidat(seance, logement, d, **qui) for d in (autre, moi)
    )
    services.decider(premiere, "attribution", **qui)
    services.decider(seconde, "non_attribution", motif="inadapte_composition", **qui)
    connecter_au_portail(page, live_server, moi)

    page.goto("/portail/ma-demande/")
    expect(page.get_by_role("heading", name="Ma cotation", level=2)).to_be_visible()
    expect(page.locator("#cotation-points")).to_have_text("Votre demande a 6 points.")
    expect(page.locator("#cotation-detail")).to_have_text("ancienneté : 3 mois × 2 = 6 points")
    expect(page.get_by_role("heading", name="Mon parcours", level=2)).to_be_visible()
    passage = page.locator(".passage-cal")
    expect(passage.get_by_role("heading", level=3)).to_have_text(
        f"Commission du {timezone.localdate():%d/%m/%Y} — Habitat Parisien"
    )
    expect(passage).to_contain_text("motif : logement inadapté à la composition du ménage")
    expect(passage).to_contain_text("Votre demande reste examinée pour d'autres logements.")
    expect(page.locator("main")).not_to_contain_text(autre.numero_unique)
    expect(page.locator("main")).not_to_contain_text(autre.demandeur.nom.upper())

    page.get_by_role("link", name="La grille de cotation de votre département").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paris (75)")
    expect(page.get_by_text("Chaque mois d'ancienneté de la demande")).to_be_visible()
    assert len(pages_verifiees(page)) >= 1
