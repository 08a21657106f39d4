"""An agent registers a demande for an association picked, with the keyboard, among the htmx
suggestions of the département's table (CERFA 14069, FAQ « bénéficiaire association »)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from sne.demandes.models import Demande
from sne.organisations.models import Association
from sne.referentiels.models import Departement
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter
from tests.navigateur.test_demande import MOT_DE_PASSE, choisir_commune

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_agent_enregistre_une_demande_pour_une_association_de_la_table(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75TB2", nom="Paris Habitat test", departements=["75"])
    agent = UtilisateurFactory(email="leo.agent@bailleur-test.fr", password=MOT_DE_PASSE)
    habiliter(agent, "saisie", guichet=guichet)
    paris = Departement.objects.get(code="75")
    choisie = Association.objects.create(
        departement=paris, nom="Emmaüs Solidarité", date_creation=date(1980, 5, 2)
    )
    Association.objects.create(departement=paris, nom="Secours Populaire de Paris")

    page.goto("/comptes/connexion/?next=/demandes/nouvelle/")
    page.get_by_label("Adresse e-mail").fill("leo.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    # 1. The beneficiary: an association.
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    expect(page.get_by_label("Un ménage (personne physique)")).to_be_checked()
    page.get_by_label("Une association", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()

    # 2. The association, picked among the suggestions with the keyboard; its representative.
    expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
    recherche = page.get_by_label("Association de la table du département")
    recherche.press_sequentially("emmaus", delay=30)
    expect(page.get_by_role("button", name="Emmaüs Solidarité")).to_be_visible()
    expect(page.get_by_role("button", name="Secours Populaire de Paris")).to_have_count(0)
    recherche.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(recherche).to_have_value("Emmaüs Solidarité")
    expect(page.locator("input[name=association_recherche_id]")).to_have_value(str(choisie.pk))
    page.get_by_label("Nom d'usage").fill("Benali")
    page.get_by_label("Prénom").fill("Yasmine")
    page.get_by_label("Date de naissance").fill("1991-07-14")
    page.get_by_label("Passeport").check(force=True)
    page.get_by_label("Adresse (numéro et voie)").fill("25 rue de Tolbiac")
    choisir_commune(page, "Commune de résidence", "paris 13", "Paris 13e Arrondissement — 75")
    page.get_by_role("button", name="Continuer").click()

    # 3 to 6: the household alone, not yet in social housing, one wished commune, no duplicate.
    expect(page.get_by_text("Étape 3 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 4 sur 7")).to_be_visible()
    page.get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 5 sur 7")).to_be_visible()
    choisir_commune(page, "Commune souhaitée n° 1", "paris 13", "Paris 13e Arrondissement — 75")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()

    # 7. The summary names the association; the demande page too.
    expect(page.get_by_text("Étape 7 sur 7")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Emmaüs Solidarité (table du département)")
    page.get_by_role("button", name="Enregistrer la demande").click()

    demande = Demande.objects.get()
    assert demande.association == choisie
    expect(page.get_by_role("status")).to_contain_text(f"numéro unique {demande.numero_unique}")
    expect(page.get_by_role("tabpanel", name="Demandeur")).to_contain_text(
        "Bénéficiaire : association Emmaüs Solidarité (créée le 02/05/1980)"
    )
