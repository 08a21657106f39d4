"""A landlord's agent of 75 records a CAL from the pages (issue 15): a dwelling, a session and
its members, three candidates presented by their numéro, one attribution and two
non-attributions, then the lease: the demande is struck off for attribution, the dwelling named
on its page. axe-core checks every page seen (tests/navigateur/conftest.py)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sne.attributions.models import Candidature
from sne.demandes import services
from sne.organisations.models import Organisation
from tests.demandes.conftest import NOMS_DISTINCTS, donnees_minimales
from tests.factories import GuichetFactory, OrganisationFactory, UtilisateurFactory, habiliter
from tests.navigateur.test_demande import MOT_DE_PASSE

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]


def test_un_agent_de_bailleur_saisit_une_cal_jusqu_au_bail(page, live_server, referentiels_charges):
    bailleur = OrganisationFactory(nom="Habitat Parisien", type=Organisation.Type.BAILLEUR)
    guichet = GuichetFactory(code="75BA1", organisation=bailleur, departements=["75"])
    agent = UtilisateurFactory(email="lea.agent@bailleur-test.fr", password=MOT_DE_PASSE)
    habiliter(agent, "saisie", guichet=guichet)
    demandes = []
    for i in range(3):
        donnees = donnees_minimales()
        donnees["demandeur"]["nom"] = NOMS_DISTINCTS[i]
        demandes.append(services.enregistrer_demande(guichet, agent, donnees))
    aujourd_hui = timezone.localdate().isoformat()

    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Attributions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissions d'attribution")
    expect(page.get_by_text("Aucune séance enregistrée")).to_be_visible()

    # The dwelling.
    page.get_by_role("link", name="Logements", exact=True).first.click()
    page.get_by_role("link", name="Nouveau logement").click()
    page.get_by_label("Référence du logement chez le bailleur").fill("PE-0412-03")
    page.get_by_label("Adresse").fill("12 rue de Tolbiac")
    page.get_by_label("Commune").fill("75113")
    page.get_by_label("Typologie").select_option("T3")
    page.get_by_label("Loyer mensuel hors charges (€)").fill("612,40")
    page.get_by_label("Étage (facultatif)").fill("3")
    page.get_by_text("L'immeuble a un ascenseur").click()
    page.get_by_role("button", name="Enregistrer le logement").click()
    expect(page.get_by_text("Logement PE-0412-03 enregistré.")).to_be_visible()
    expect(page.get_by_text("12 rue de Tolbiac, Paris 13e Arrondissement (75113)")).to_be_visible()

    # The session and its members.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Attributions"
    ).click()
    page.get_by_role("link", name="Nouvelle séance").click()
    page.get_by_label("Date de la séance").fill(aujourd_hui)
    page.get_by_label("Lieu (facultatif)").fill("Siège, salle du conseil")
    for rang, (qualite, organisation) in enumerate(
        [("bailleur", "Habitat Parisien"), ("maire", "Ville de Paris"), ("prefet", "DRIHL")]
    ):
        page.locator(f"#id_membres-{rang}-qualite").select_option(qualite)
        page.locator(f"#id_membres-{rang}-organisation").fill(organisation)
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(page.get_by_text("présentez ses candidats")).to_be_visible()
    expect(page.get_by_text("Ville de Paris (Maire de la commune")).to_be_visible()

    # Three candidates, by their numéro unique.
    for demande in demandes:
        page.locator("#id_presenter-logement").select_option(
            label="T3 12 rue de Tolbiac, Paris 13e Arrondissement"
        )
        page.get_by_label("Numéro unique de la demande").fill(demande.numero_unique)
        page.get_by_role("button", name="Présenter le candidat").click()
        expect(
            page.get_by_text(f"La demande {demande.numero_unique} est présentée")
        ).to_be_visible()
    premier, deuxieme, troisieme = Candidature.objects.order_by("rang")

    # The decisions: one attribution, two non-attributions.
    def section(candidature):
        return page.locator(f"section[aria-labelledby='titre-candidature-{candidature.pk}']")

    section(premier).get_by_label("Décision de la commission").select_option("attribution")
    section(premier).get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Décision enregistrée pour la demande")).to_be_visible()
    for candidature, motif in ((deuxieme, "autre_candidat"), (troisieme, "taux_effort")):
        section(candidature).get_by_label("Décision de la commission").select_option(
            "non_attribution"
        )
        section(candidature).get_by_label(
            "Motif (non-attribution ou irrecevabilité)"
        ).select_option(motif)
        section(candidature).get_by_role("button", name="Enregistrer la décision").click()
        expect(
            page.get_by_text(
                f"Décision enregistrée pour la demande {candidature.demande.numero_unique}"
            )
        ).to_be_visible()
    expect(page.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)

    # The lease: the page says before the button that it strikes the demande off.
    numero = demandes[0].numero_unique
    expect(
        section(premier).get_by_text(f"radie la demande {numero} pour attribution")
    ).to_be_visible()
    section(premier).get_by_label("Bail signé le").fill(aujourd_hui)
    section(premier).get_by_role("button", name="Enregistrer le bail et radier la demande").click()
    expect(page.get_by_text(f"la demande {numero} est radiée pour attribution")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=numero)).to_contain_text(
        "demande radiée pour attribution"
    )

    # The demande's page: struck off for attribution, the dwelling named.
    page.get_by_role("row").filter(has_text=numero).get_by_role("link", name=numero).click()
    expect(page.get_by_text("Attribution d'un logement").first).to_be_visible()
    expect(page.get_by_text("logement PE-0412-03").first).to_be_visible()


def test_un_agent_de_deux_bailleurs_choisit_le_bailleur_de_son_logement(
    page, live_server, referentiels_charges
):
    """Desks of two landlords: the selector above the lists shows the second one, whose
    « Nouveau logement » starts with its name chosen in the « Bailleur » list."""
    agent = UtilisateurFactory(email="paul.agent@bailleur-test.fr", password=MOT_DE_PASSE)
    for nom, code in (("Habitat Parisien", "75BA1"), ("Seine Habitat", "92SH1")):
        bailleur = OrganisationFactory(nom=nom, type=Organisation.Type.BAILLEUR)
        guichet = GuichetFactory(code=code, organisation=bailleur, departements=["75", "92"])
        habiliter(agent, "saisie", guichet=guichet)

    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Attributions"
    ).click()
    page.get_by_role("link", name="Logements", exact=True).first.click()
    expect(page.get_by_text("Bailleur : Habitat Parisien")).to_be_visible()
    page.get_by_label("Bailleur", exact=True).select_option(label="Seine Habitat")
    page.get_by_role("button", name="Afficher ce bailleur").click()
    expect(page.get_by_text("Bailleur : Seine Habitat")).to_be_visible()

    page.get_by_role("link", name="Nouveau logement").click()
    expect(page.get_by_role("combobox", name="Bailleur", exact=True)).to_have_value(
        str(Organisation.objects.get(nom="Seine Habitat").pk)
    )
    page.get_by_label("Référence du logement chez le bailleur").fill("SH-1")
    page.get_by_label("Adresse").fill("3 rue Ernest Renan")
    page.get_by_label("Commune").fill("92040")
    page.get_by_label("Typologie").select_option("T2")
    page.get_by_label("Loyer mensuel hors charges (€)").fill("480")
    page.get_by_role("button", name="Enregistrer le logement").click()
    expect(page.get_by_text("Logement SH-1 enregistré pour Seine Habitat.")).to_be_visible()
