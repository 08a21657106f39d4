"""A desk agent modifies the identity and the household of a demande and reads the history in
words (issue 9, « Done when »)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sne.demandes import services
from sne.demandes.models import Demande
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter
from tests.navigateur.conftest import pages_verifiees

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def test_un_agent_corrige_l_identite_et_le_menage_puis_lit_l_historique(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75TM1", nom="Bailleur modification", departements=["75"])
    agent = UtilisateurFactory(
        email="agent.modif@bailleur-test.fr", prenom="Nadia", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)
    demande = services.enregistrer_demande(
        guichet,
        agent,
        {
            "departement": "75",
            "demandeur": {
                "nom": "Martn",  # a typo made at registration
                "prenom": "Élodie",
                "date_naissance": "1987-04-12",
                "piece_identite": {"type": "carte_identite"},
                "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
            },
            "personnes_a_charge": [
                {"nom": "Martin", "prenom": "Inès", "date_naissance": "2016-02-03"},
                {"nom": "Martin", "prenom": "Hugo", "date_naissance": "2003-06-01"},
            ],
            "deja_locataire_hlm": False,
            "souhaits": {"communes": ["75120"]},
        },
    )
    naissance = timezone.localdate() - timedelta(days=20)

    page.goto(f"/comptes/connexion/?next=/demandes/{demande.numero_unique}/")
    page.get_by_label("Adresse e-mail").fill("agent.modif@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(demande.numero_unique)
    page.get_by_role("link", name="Modifier").click()

    # What never changes is shown, not editable; the household size is computed.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Modifier la demande {demande.numero_unique}"
    )
    expect(page.locator("#nombre-personnes")).to_have_text("3")
    expect(page.locator("input[name=date_depot], input[name=nombre_personnes]")).to_have_count(0)

    # The typo in the name, the birth date; Hugo leaves, Léa is born.
    page.locator("#id_nom").fill("Martin")
    page.locator("#id_date_naissance").fill("1987-04-21")
    page.get_by_role("button", name="Ajouter une personne à charge").click()
    nouvelle = page.get_by_role("group", name="Personne à charge n° 3 (nouvelle)")
    expect(nouvelle.get_by_label("Nom", exact=True)).to_be_focused()
    expect(page.locator("#id_nom")).to_have_value("Martin")  # kept across the new line
    nouvelle.get_by_label("Nom", exact=True).fill("Martin")
    nouvelle.get_by_label("Prénom").fill("Léa")
    nouvelle.get_by_label("Date de naissance").fill(naissance.isoformat())
    nouvelle.get_by_label("Lien avec le demandeur").select_option(label="Enfant")
    page.get_by_role("group", name="Personne à charge n° 2").get_by_label(
        "Retirer cette personne de la demande"
    ).check(force=True)
    page.get_by_role("button", name="Enregistrer les modifications").click()

    expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées")
    expect(page.get_by_role("heading", level=1)).to_contain_text(demande.numero_unique)
    page.get_by_role("tab", name="Ménage").click()
    menage = page.get_by_role("tabpanel", name="Ménage")
    expect(menage).to_contain_text("Nombre de personnes à loger : 3")
    expect(menage).to_contain_text("Léa MARTIN")
    expect(menage).not_to_contain_text("Hugo")

    page.get_by_role("tab", name="Historique").click()
    historique = page.get_by_role("tabpanel", name="Historique")
    expect(historique).to_contain_text("Demandeur — nom d'usage : Martn → Martin")
    expect(historique).to_contain_text("Demandeur — date de naissance : 12/04/1987 → 21/04/1987")
    expect(historique).to_contain_text(
        f"Personne à charge ajoutée : Léa MARTIN (né(e) le {naissance:%d/%m/%Y}, enfant)"
    )
    expect(historique).to_contain_text(
        "Personne à charge retirée : Hugo MARTIN (né(e) le 01/06/2003)"
    )
    demande = Demande.objects.get(pk=demande.pk)
    assert demande.nombre_personnes == 3
    assert demande.demandeur.nom == "Martin"


def test_un_agent_complete_le_co_demandeur_et_l_association_puis_lit_l_historique(
    page, live_server, referentiels_charges
):
    """The parts of the CERFA the wizard leaves to later (the co-demandeur's identity document
    and address, the DALO status) and an association's demande, each page checked by axe."""
    guichet = GuichetFactory(code="75TM2", nom="Bailleur modification", departements=["75"])
    agent = UtilisateurFactory(
        email="agent.cerfa@bailleur-test.fr", prenom="Nadia", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)
    demandeur = {
        "nom": "Martin",
        "prenom": "Élodie",
        "date_naissance": "1987-04-12",
        "situation_familiale": "marie",
        "piece_identite": {"type": "carte_identite"},
        "adresse": {"ligne1": "12 rue des Lilas", "commune": "Paris 20e"},
    }
    couple = services.enregistrer_demande(
        guichet,
        agent,
        {
            "departement": "75",
            "demandeur": demandeur,
            "co_demandeur": {"nom": "Martin", "prenom": "Karim", "date_naissance": "1985-09-30"},
            "deja_locataire_hlm": False,
            "souhaits": {"communes": ["75120"]},
        },
    )
    association = services.enregistrer_demande(
        guichet,
        agent,
        {
            "departement": "75",
            "beneficiaire": "association",
            "association": {
                "nom": "Toit Solidaire",
                "date_creation": "2004-09-15",
                "adresse": {"ligne1": "8 rue Nationale", "commune": "Paris 13e"},
            },
            "demandeur": {**demandeur, "nom": "Lefèvre", "prenom": "Agnès"},
            "deja_locataire_hlm": False,
            "souhaits": {"communes": ["75113"]},
        },
    )

    page.goto(f"/comptes/connexion/?next=/demandes/{couple.numero_unique}/modifier/")
    page.get_by_label("Adresse e-mail").fill("agent.cerfa@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Modifier la demande {couple.numero_unique}"
    )
    page.locator("#id_co_piece_identite_type").select_option(label="Passeport")
    page.locator("#id_co_piece_identite_numero").fill("19AB12345")
    page.locator("#id_co_adresse_ligne1").fill("3 place du Marché")
    page.locator("#id_co_commune").fill("93200 Saint-Denis")
    page.get_by_label("Droit au logement opposable (DALO)").select_option(
        label="Reconnu prioritaire DALO"
    )
    page.get_by_role("button", name="Enregistrer les modifications").click()

    expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées")
    page.get_by_role("tab", name="Historique").click()
    historique = page.get_by_role("tabpanel", name="Historique")
    expect(historique).to_contain_text("Co-demandeur — pièce d'identité : — → Passeport")
    expect(historique).to_contain_text("Co-demandeur — commune : — → Saint-Denis (93200)")
    expect(historique).to_contain_text(
        "Droit au logement opposable (DALO) : Non → Reconnu prioritaire DALO"
    )

    page.goto(f"/demandes/{association.numero_unique}/modifier/")
    expect(page.get_by_role("heading", name="Association bénéficiaire")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Identité du représentant de l'association")
    ).to_be_visible()
    expect(page.get_by_label("Nom de l'association")).to_have_value("Toit Solidaire")
    page.get_by_label("Nom de l'association").fill("Toit Solidaire du 13e")
    page.get_by_role("button", name="Enregistrer les modifications").click()

    expect(page.get_by_role("status")).to_contain_text("Modifications enregistrées")
    page.get_by_role("tab", name="Historique").click()
    expect(page.get_by_role("tabpanel", name="Historique")).to_contain_text(
        "Nom de l'association : Toit Solidaire → Toit Solidaire du 13e"
    )
    karim = Demande.objects.get(pk=couple.pk).co_demandeur
    assert (karim.piece_identite_type, karim.commune_id) == ("passeport", "93066")
    verifiees = pages_verifiees(page)
    for demande in (couple, association):  # both modification pages, checked by axe-core
        assert any(f"/{demande.numero_unique}/modifier/" in u for u in verifiees), verifiees
