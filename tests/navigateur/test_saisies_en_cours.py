"""A desk agent meets a suspected duplicate they cannot open: « Contacter mon gestionnaire
territorial » opens the request prefilled, they send it and are back at the duplicate step with
everything typed; the registration in progress is listed on the demandes page and resumed."""

import pytest
from playwright.sync_api import expect

from sne.demandes import services
from sne.organisations.models import DemandeAuGestionnaire
from tests.demandes.test_pages import contenu
from tests.factories import GuichetFactory, UtilisateurFactory, agent, habiliter
from tests.navigateur.test_demande import MOT_DE_PASSE, choisir_commune

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_contacter_le_gestionnaire_depuis_les_doublons_puis_reprendre_la_saisie(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75TB1", nom="Paris Habitat test", departements=["75"])
    ines = UtilisateurFactory(
        email="ines.agent@bailleur-test.fr", prenom="Inès", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(ines, "saisie", guichet=guichet)
    ailleurs = GuichetFactory(code="93ZZ1", departements=["93"])
    existante = services.enregistrer_demande(
        ailleurs,
        agent(ailleurs),
        contenu(
            departement="93",
            demandeur={"nom": "BENALI", "prenom": "Yasmine", "date_naissance": "1991-07-14"},
            souhaits={"communes": ["93066"]},
        ),
    )
    numero = existante.numero_unique

    page.goto("/comptes/connexion/?next=/demandes/")
    page.get_by_label("Adresse e-mail").fill("ines.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Nouvelle demande").click()

    # The wizard up to the duplicate step.
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
    page.get_by_label("Nom d'usage").fill("Bennali")  # a doubled letter: found all the same
    page.get_by_label("Prénom").fill("Yasmine")
    page.get_by_label("Date de naissance").fill("1991-07-14")
    page.get_by_label("Passeport").check(force=True)
    page.get_by_label("Adresse (numéro et voie)").fill("25 rue de Tolbiac")
    choisir_commune(page, "Commune de résidence", "paris 13", "Paris 13e Arrondissement — 75")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 3 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 4 sur 7")).to_be_visible()
    page.get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Étape 5 sur 7")).to_be_visible()
    choisir_commune(page, "Commune souhaitée n° 1", "paris 13", "Paris 13e Arrondissement — 75")
    page.get_by_role("button", name="Continuer").click()

    # The duplicate step: a demande out of the desk's scope. A justification started.
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(numero)
    expect(page.get_by_role("main")).to_contain_text("hors de votre périmètre de consultation")
    expect(page.get_by_role("main")).to_contain_text("même date de naissance")
    expect(page.get_by_role("main")).to_contain_text("nom de même prononciation")
    expect(page.get_by_role("main")).not_to_contain_text("Benali")  # nothing of the other demande
    page.get_by_label("Justification écrite pour forcer la création").fill("À vérifier")
    page.get_by_role("button", name="Contacter mon gestionnaire territorial").click()

    # The request to the gestionnaire, prefilled.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes demandes au gestionnaire")
    expect(page.get_by_label("Objet")).to_have_value("doublon")
    message = page.get_by_label("Votre demande")
    expect(message).to_contain_text("Suspicion de doublon lors d'un enregistrement.")
    expect(message).to_contain_text(f"Numéro unique suspecté : {numero}.")
    expect(message).to_contain_text("Personne saisie : Yasmine BENNALI.")
    expect(page.get_by_role("link", name="Revenir à la saisie", exact=True)).to_be_visible()
    page.get_by_role("button", name="Envoyer la demande").click()

    # Back at the duplicate step, everything kept.
    expect(page.get_by_role("status")).to_contain_text(
        "Votre demande a été transmise au gestionnaire territorial du 75"
    )
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    expect(page.get_by_label("Justification écrite pour forcer la création")).to_have_value(
        "À vérifier"
    )
    envoyee = DemandeAuGestionnaire.objects.get()
    assert numero in envoyee.message and envoyee.guichet == guichet

    # The registration in progress is listed on the demandes page and resumes at its step.
    page.goto("/demandes/")
    saisies = page.get_by_role("table", name="Saisies en cours")
    expect(saisies).to_contain_text("Yasmine BENNALI")
    expect(saisies).to_contain_text("Recherche de doublons (6 sur 7)")
    saisies.get_by_role("link", name="Reprendre").click()
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    page.get_by_role("link", name="Demandeur", exact=True).click()
    expect(page.get_by_label("Nom d'usage")).to_have_value("Bennali")
