"""An agent logs in, registers a demande step by step, sees its numéro unique, downloads the
attestation, renews the demande and strikes it off (issue « the agent's web application »)."""

import importlib.util
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sne.demandes.models import Demande
from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


def choisir_commune(page, libelle: str, saisie: str, suggestion: str) -> None:
    champ = page.get_by_label(libelle)
    champ.press_sequentially(saisie, delay=30)
    bouton = page.get_by_role("button", name=suggestion)
    # The first search of the live server's process builds the communes' index in memory
    # (about 1.5 s, more on a loaded machine): more than the 5 s default is allowed here.
    expect(bouton).to_be_visible(timeout=20_000)
    bouton.click()


def test_un_agent_enregistre_telecharge_renouvelle_et_radie_une_demande(
    page, live_server, referentiels_charges
):
    guichet = GuichetFactory(code="75TB1", nom="Paris Habitat test", departements=["75"])
    agent = UtilisateurFactory(
        email="ines.agent@bailleur-test.fr", prenom="Inès", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)

    # Log in, reach the demandes.
    page.goto("/comptes/connexion/?next=/demandes/")
    page.get_by_label("Adresse e-mail").fill("ines.agent@bailleur-test.fr")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demandes de logement social")
    page.get_by_role("link", name="Nouvelle demande").click()

    # 1. Desk, département, date de dépôt: one desk on one département, both preselected; a
    # paper form received some months ago.
    expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
    expect(page.get_by_label("Guichet enregistreur")).to_have_value(str(guichet.pk))
    depot = timezone.localdate() - timedelta(days=200)
    page.get_by_label("Date de dépôt").fill(depot.isoformat())
    page.get_by_role("button", name="Continuer").click()

    # 2. Demandeur, with an expired identity document (accepted) and the commune autocomplete.
    expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
    page.get_by_label("Nom d'usage").fill("Benali")
    page.get_by_label("Prénom").fill("Yasmine")
    page.get_by_label("Date de naissance").fill("1991-07-14")
    page.get_by_label("Passeport").check(force=True)
    page.get_by_label("Date d'expiration de la pièce").fill("2021-03-31")
    page.get_by_label("Adresse (numéro et voie)").fill("25 rue de Tolbiac")
    choisir_commune(page, "Commune de résidence", "paris 13", "Paris 13e Arrondissement — 75")
    expect(page.get_by_label("Commune de résidence")).to_have_value(
        "Paris 13e Arrondissement (75013)"
    )
    page.get_by_label("Adresse e-mail").fill(
        "yasmine.benali.demandeuse@fournisseur-courriel.example"
    )
    page.get_by_role("button", name="Continuer").click()

    # 3. Ménage: nothing to add (alone).
    expect(page.get_by_text("Étape 3 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()

    # 4. Ressources: « déjà locataire HLM » is required; the page says so if forgotten.
    expect(page.get_by_text("Étape 4 sur 7")).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Indiquez si le demandeur est déjà locataire d'un logement social."
    )
    page.get_by_label("Non", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()

    # 5. Souhaits: a commune of the whole Île-de-France, picked with the keyboard.
    expect(page.get_by_text("Étape 5 sur 7")).to_be_visible()
    champ = page.get_by_label("Commune souhaitée n° 1")
    champ.press_sequentially("montreuil", delay=30)
    expect(page.get_by_role("button", name="Montreuil — 93")).to_be_visible()
    champ.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(champ).to_have_value("Montreuil (93100)")
    page.get_by_label("T3", exact=True).check(force=True)
    page.get_by_role("button", name="Continuer").click()

    # 6. Duplicates: none.
    expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Aucune demande active ne correspond")
    page.get_by_role("button", name="Continuer").click()

    # 7. Summary, then registration.
    expect(page.get_by_text("Étape 7 sur 7")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Montreuil (93048)")
    page.get_by_role("button", name="Enregistrer la demande").click()

    demande = Demande.objects.get()
    numero = demande.numero_unique
    assert demande.date_depot == depot
    assert re.fullmatch(r"075\d{4}\d{6}75TB1", numero)
    expect(page.get_by_role("status")).to_contain_text(f"numéro unique {numero}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(numero)
    expect(page.get_by_role("main")).to_contain_text("périmée, acceptée")

    # The attestation: a PDF that carries the numéro unique (when the attestations module is
    # there; otherwise the page says it is being prepared).
    if importlib.util.find_spec("sne.attestations.services") is not None:
        from pypdf import PdfReader

        with page.expect_download() as telechargement:
            page.get_by_role("link", name="Télécharger l'attestation").click()
        chemin = telechargement.value.path()
        with open(chemin, "rb") as fichier:
            lecteur = PdfReader(io.BytesIO(fichier.read()))
        texte_pdf = "".join(p.extract_text() or "" for p in lecteur.pages)
        assert numero in re.sub(r"\s+", "", texte_pdf)
    else:
        page.get_by_role("link", name="Télécharger l'attestation").click()
        expect(page.get_by_role("status")).to_contain_text("L'attestation est en préparation")

    # Renew: the new expiry is shown.
    expiration_initiale = f"{demande.date_expiration:%d/%m/%Y}"
    expect(page.locator("#date-expiration")).to_have_text(expiration_initiale)
    page.get_by_role("link", name="Renouveler").click()
    page.get_by_role("button", name="Confirmer le renouvellement").click()
    demande.refresh_from_db()
    assert demande.date_dernier_renouvellement is not None
    expiration = f"{demande.date_expiration:%d/%m/%Y}"
    assert expiration != expiration_initiale
    expect(page.get_by_role("status")).to_contain_text(f"elle expire désormais le {expiration}")
    expect(page.locator("#date-expiration")).to_have_text(expiration)
    page.get_by_role("tab", name="Historique").click()
    expect(page.get_by_role("tabpanel", name="Historique")).to_contain_text("Renouvellement")

    # Renew, then download (issue 9): the renewal attestation with the new expiry, or « en
    # préparation » while the worker produces it — never the old registration attestation.
    if importlib.util.find_spec("sne.attestations.services") is not None:
        from pypdf import PdfReader

        with page.expect_download() as telechargement:
            page.get_by_role("link", name="Télécharger l'attestation").click()
        assert "-renouvellement-" in telechargement.value.suggested_filename
        with open(telechargement.value.path(), "rb") as fichier:
            lecteur = PdfReader(io.BytesIO(fichier.read()))
        texte_pdf = " ".join(p.extract_text() or "" for p in lecteur.pages)
        assert expiration in texte_pdf
        assert expiration_initiale not in texte_pdf

    # Strike off (renonciation): no sous-motif asked; then the demande is radiée, read-only.
    page.get_by_role("link", name="Radier").click()
    page.get_by_label("Motif de radiation").select_option(
        label="Renonciation (abandon) du demandeur"
    )
    expect(page.get_by_label("Sous-motif d'irrecevabilité")).to_be_hidden()
    page.get_by_label("Motif de radiation").select_option(label="Irrecevabilité décidée par la CAL")
    expect(page.get_by_label("Sous-motif d'irrecevabilité")).to_be_visible()
    page.get_by_label("Motif de radiation").select_option(
        label="Renonciation (abandon) du demandeur"
    )
    page.get_by_role("button", name="Confirmer la radiation").click()

    expect(page.get_by_role("status")).to_contain_text("Demande radiée")
    expect(page.get_by_role("main").get_by_text("Radiée", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("link", name="Renouveler")).to_have_count(0)
    expect(page.get_by_role("link", name="Radier")).to_have_count(0)
    expect(page.get_by_role("link", name="Réactiver")).to_be_visible()
    demande.refresh_from_db()
    assert demande.statut == Demande.Statut.RADIEE and demande.motif_radiation == "renonciation"
