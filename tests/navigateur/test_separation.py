"""A desk agent separates a married couple with two children (FAQ « Un couple se sépare »):
the guided step asks the co-demandeur's identity document, new address and contact, who each
child follows and both situations; then both demandes are complete (issue 9, « Done when »)."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from sne.demandes import services
from sne.demandes.models import Demande
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def couple_marie_avec_deux_enfants(guichet, agent) -> Demande:
    donnees = donnees_minimales()
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "civilite": "MME",
        "nom": "Durand",
        "prenom": "Marie",
        "situation_familiale": "marie",
        "email": "marie.durand@example.fr",
    }
    donnees["co_demandeur"] = {
        "civilite": "M",
        "nom": "Durand",
        "prenom": "Paul",
        "date_naissance": "1984-06-02",
        "lien": "conjoint",
    }
    donnees["personnes_a_charge"] = [
        {"nom": "Durand", "prenom": "Léa", "date_naissance": "2015-05-10", "lien": "enfant"},
        {"nom": "Durand", "prenom": "Tom", "date_naissance": "2018-11-23", "lien": "enfant"},
    ]
    return services.enregistrer_demande(guichet, agent, donnees)


def test_un_agent_separe_un_couple_marie_et_les_deux_demandes_sont_completes(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75TB2", nom="Paris Habitat test", departements=["75"])
    agent = UtilisateurFactory(
        email="ines.agent@bailleur-test.fr", prenom="Inès", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)
    origine = couple_marie_avec_deux_enfants(guichet, agent)
    mail.outbox.clear()

    # Log in, open the couple's demande, follow its separation button.
    page.goto(f"/comptes/connexion/?next=/demandes/{origine.numero_unique}/")
    page.get_by_label("Adresse e-mail").fill("ines.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(origine.numero_unique)
    page.get_by_role("link", name="Dupliquer pour séparation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Séparation du couple de la demande {origine.numero_unique}"
    )

    # Forgotten identity document and address: said on the fields, nothing written.
    page.get_by_role("button", name="Enregistrer la séparation").click()
    expect(page.get_by_role("alert").first).to_contain_text("Une pièce d'identité est obligatoire")
    expect(page.get_by_role("main")).to_contain_text(
        "La nouvelle adresse de Paul DURAND (voie et commune) est obligatoire."
    )
    assert Demande.objects.count() == 1

    # The co-demandeur's identity document, new address (a commune typed), contact.
    page.get_by_role("radio", name="Passeport").check(force=True)
    page.get_by_label("Numéro de la pièce").fill("19AB12345")
    page.get_by_label("Date d'expiration de la pièce").fill("2029-01-31")
    page.get_by_label("Adresse (numéro et voie)").fill("8 rue de Paris")
    champ = page.get_by_label("Commune de résidence")
    champ.press_sequentially("montreuil", delay=30)
    bouton = page.get_by_role("button", name="Montreuil — 93")
    expect(bouton).to_be_visible()
    bouton.click()
    expect(champ).to_have_value("Montreuil (93100)")
    page.get_by_label("Adresse e-mail").fill("paul.durand@example.fr")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")

    # One child each; both situations.
    lea = page.get_by_role("group", name="Léa DURAND (enfant, né(e) le 10/05/2015)")
    lea.get_by_role("radio", name="Part avec Paul DURAND").check(force=True)
    tom = page.get_by_role("group", name="Tom DURAND (enfant, né(e) le 23/11/2018)")
    expect(tom.get_by_role("radio", name="Reste avec Marie DURAND")).to_be_checked()
    page.get_by_role("group", name="Situation familiale de Marie DURAND").get_by_role(
        "radio", name="Divorcé(e)"
    ).check(force=True)
    page.get_by_role("group", name="Situation familiale de Paul DURAND").get_by_role(
        "radio", name="Divorcé(e)"
    ).check(force=True)
    page.get_by_role("button", name="Enregistrer la séparation").click()

    # The new demande: Paul's, complete, with the seniority of the original.
    nouvelle = Demande.objects.exclude(pk=origine.pk).get()
    expect(page.get_by_role("status")).to_contain_text(
        f"Paul DURAND a désormais sa propre demande {nouvelle.numero_unique}"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text(nouvelle.numero_unique)
    demandeur = page.get_by_role("tabpanel", name="Demandeur")
    expect(demandeur).to_contain_text("Demandeur : Monsieur Paul DURAND")
    expect(demandeur).to_contain_text(
        "Pièce d'identité : Passeport n° 19AB12345, expire le 31/01/2029"
    )
    expect(demandeur).to_contain_text("Adresse : 8 rue de Paris, 93100 Montreuil")
    expect(demandeur).to_contain_text("Situation familiale : Divorcé(e)")
    expect(demandeur).to_contain_text("E-mail : paul.durand@example.fr")
    expect(demandeur).to_contain_text(f"Déposée le {origine.date_depot:%d/%m/%Y}")
    page.get_by_role("tab", name="Ménage").click()
    menage = page.get_by_role("tabpanel", name="Ménage")
    expect(menage).to_contain_text("Nombre de personnes à loger : 2")
    expect(menage).to_contain_text("Léa DURAND")
    expect(menage).not_to_contain_text("Tom DURAND")
    page.get_by_role("tab", name="Historique").click()
    expect(page.get_by_role("tabpanel", name="Historique")).to_contain_text(
        f"Créée par séparation de la demande {origine.numero_unique}, ancienneté conservée "
        f"(dépôt le {origine.date_depot:%d/%m/%Y})"
    )

    # The original demande: Marie's, with Tom, divorced, and a history in words.
    page.goto(f"/demandes/{origine.numero_unique}/")
    demandeur = page.get_by_role("tabpanel", name="Demandeur")
    expect(demandeur).to_contain_text("Pièce d'identité : Carte nationale d'identité")
    expect(demandeur).to_contain_text("Adresse : 12 rue des Lilas")
    expect(demandeur).to_contain_text("Situation familiale : Divorcé(e)")
    page.get_by_role("tab", name="Ménage").click()
    menage = page.get_by_role("tabpanel", name="Ménage")
    expect(menage).to_contain_text("Nombre de personnes à loger : 2")
    expect(menage).to_contain_text("Pas de co-demandeur.")
    expect(menage).to_contain_text("Tom DURAND")
    expect(menage).not_to_contain_text("Léa DURAND")
    page.get_by_role("tab", name="Historique").click()
    historique = page.get_by_role("tabpanel", name="Historique")
    expect(historique).to_contain_text(
        f"Séparation : Paul DURAND a désormais sa propre demande {nouvelle.numero_unique}"
    )
    expect(historique).to_contain_text("Léa DURAND (enfant) part avec Paul DURAND")
    expect(historique).to_contain_text("Demandeur — situation familiale : Marié(e) → Divorcé(e)")
    expect(historique).to_contain_text("Nombre de personnes à loger : 4 → 2")
    expect(historique).to_contain_text("Co-demandeur : Paul DURAND → —")

    # Both are told: Marie by e-mail, Paul by e-mail with his attestation d'enregistrement.
    destinataires = {a for m in mail.outbox for a in m.to}
    assert {"marie.durand@example.fr", "paul.durand@example.fr"} <= destinataires
    assert nouvelle.attestations.filter(type="enregistrement").exists()
