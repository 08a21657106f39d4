"""Issue 9, as an agent of Seine-Saint-Denis types it: « St-Ouen » and its postal code, a phone
number such as « 12345 » refused in French on its field, an overseas mobile accepted, and a
summary that reads like the CERFA (identity before contact)."""

import pytest
from playwright.sync_api import expect

from sne.demandes.models import Demande
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_un_agent_tape_st_ouen_et_un_telephone_et_relit_le_recapitulatif(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="93TB1", nom="Mairie de test", departements=["93"])
    agent = UtilisateurFactory(email="agent.93@mairie-test.fr", password=MOT_DE_PASSE)
    habiliter(agent, "saisie", guichet=guichet)
    page.goto("/comptes/connexion/?next=/demandes/nouvelle/")
    page.get_by_label("Adresse e-mail").fill("agent.93@mairie-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()

    # 2. The commune typed freely with its postal code, a phone number that is not one.
    expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
    page.get_by_label("Civilité").select_option("MME")
    page.get_by_label("Nom d'usage").fill("Hoarau")
    page.get_by_label("Prénom").fill("Marie")
    page.get_by_label("Date de naissance").fill("1990-02-03")
    page.get_by_label("Carte nationale d'identité").check(force=True)
    page.get_by_label("Adresse (numéro et voie)").fill("4 rue du Landy")
    page.get_by_label("Commune de résidence").fill("St-Ouen")
    page.get_by_label("Code postal (facultatif)").fill("93400")
    page.get_by_label("Téléphone").fill("12345")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("alert")).to_contain_text("Ce numéro de téléphone n'est pas valide")
    telephone = page.get_by_label("Téléphone")
    expect(telephone).to_have_value("12345")
    expect(page.locator("#id_telephone-desc-error")).to_contain_text(
        "il compte 5 chiffres, un numéro français en compte 10"
    )
    telephone.fill("0692 12 34 56")  # a mobile of La Réunion
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_text("Étape 3 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 4 sur 7")).to_be_visible()
    page.get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 5 sur 7")).to_be_visible()
    page.get_by_label("Commune souhaitée n° 1").fill("93400 St-Ouen")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()

    # 7. The summary: identity, then address, then contact; the number as one reads it.
    expect(page.get_by_text("Étape 7 sur 7")).to_be_visible()
    demandeur = page.locator("section", has=page.locator("#recap-demandeur"))
    libelles = demandeur.locator("dt").all_inner_texts()
    assert libelles.index("Nom d'usage") < libelles.index("Commune de résidence")
    assert libelles.index("Commune de résidence") < libelles.index("Téléphone")
    expect(demandeur).to_contain_text("Saint-Ouen-sur-Seine (93070)")
    expect(demandeur).to_contain_text("06 92 12 34 56")
    page.get_by_role("button", name="Enregistrer la demande").click()

    expect(page.get_by_role("status")).to_contain_text("numéro unique")
    expect(page.get_by_role("main")).to_contain_text("Téléphone : 06 92 12 34 56")
    personne = Demande.objects.get().demandeur
    assert (personne.commune_id, personne.telephone) == ("93070", "+262692123456")
