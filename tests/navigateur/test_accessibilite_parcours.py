"""Every page of the desk agents', gestionnaires' and national administrators' flows passes
axe-core with no serious or critical violation of WCAG 2.x A/AA (issue 9, « Accessibility,
checked by a machine too »).

One test, so that the referentials are loaded once (a browser test empties the tables after
it), and one browser session per role. Each page is checked by the page of
`verifier_chaque_chargement` (tests/navigateur/conftest.py) when it loads; at the end of each
role, the test asserts the list of pages actually checked, so that a page the test thinks it
visited cannot be skipped silently. Forms are also checked in the states they come back in: with
their errors on the fields, the modification's duplicate justification, the separation step
before and after success, a registration in progress and its abandon, the lockout, the e-mail
change; a state that keeps its page's address is counted (`fois`).
"""

import re
from contextlib import contextmanager

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail, signing
from django_otp.oath import totp
from playwright.sync_api import expect

from sne.attestations.models import Attestation
from sne.comptes.securite import application_en_attente, codes_de_secours_demo
from sne.comptes.services import SEL_HABILITATION, lien_activation
from sne.demandes import services as demandes
from sne.demandes.models import Demande
from sne.notifications.campagne import lancer_campagne
from sne.notifications.models import Message
from sne.organisations.fiche_collecte import COLONNES
from sne.organisations.models import Association, DemandeAuGestionnaire
from sne.organisations.services import adresser_demande
from sne.referentiels.models import Departement
from tests.demandes.conftest import donnees_minimales
from tests.factories import (
    GuichetFactory,
    PointContactFactory,
    UtilisateurFactory,
    habiliter,
    siren_fictif,
)
from tests.navigateur.accessibilite import verifier_accessibilite
from tests.navigateur.conftest import (
    pages_verifiees,
    verifier_chaque_chargement,
    verifier_la_derniere_page,
)

pytestmark = [pytest.mark.navigateur, pytest.mark.django_db(transaction=True)]

MOT_DE_PASSE = "un mot de passe de test 2026"


@contextmanager
def session(navigateur, live_server):
    """One browser session (its own cookies), every page load checked by axe-core."""
    contexte = navigateur.new_context(locale="fr-FR", base_url=live_server.url)
    page = verifier_chaque_chargement(contexte.new_page())
    page.set_default_timeout(15_000)
    try:
        yield page
        verifier_la_derniere_page(page)
    finally:
        contexte.close()


def visiter(page, chemin: str, titre: str | re.Pattern) -> None:
    page.goto(chemin)
    expect(page.get_by_role("heading", level=1)).to_contain_text(titre)


def se_connecter(page, email: str, suite: str = "/") -> None:
    page.goto(f"/comptes/connexion/?next={suite}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def sur_un_telephone(page, adresses: list[str]) -> None:
    """The same pages on a phone's screen (wide tables scroll, the menu folds)."""
    page.set_viewport_size({"width": 375, "height": 812})
    avant = len(pages_verifiees(page))
    for adresse in adresses:
        page.goto(adresse)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    verifier_la_derniere_page(page)
    assert len(pages_verifiees(page)) - avant == len(adresses)


def chemins(page) -> set[str]:
    return {re.sub(r"^https?://[^/]+", "", url) for url in pages_verifiees(page)}


def fois(page, chemin: str) -> int:
    """How many times axe-core checked a page at this address: the states of one page that
    keep its address (a form sent back with its errors) are counted this way."""
    return [re.sub(r"^https?://[^/]+", "", url) for url in pages_verifiees(page)].count(chemin)


def demande_de_couple(guichet, agent, nom: str = "Martin", prenom: str = "Élodie"):
    donnees = donnees_minimales()
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "nom": nom,
        "prenom": prenom,
        "situation_familiale": "marie",
    }
    donnees["co_demandeur"] = {
        "nom": nom,
        "prenom": "Karim",
        "date_naissance": "1985-09-30",
        "lien": "conjoint",
    }
    donnees["personnes_a_charge"] = [{"nom": nom, "prenom": "Inès", "lien": "enfant"}]
    return demandes.enregistrer_demande(guichet, agent, donnees)


def fiche_collecte() -> bytes:
    """A fiche collecte for a new desk of Paris, two people (docs/exemples/ has the format)."""
    guichet = [
        "Habitat parisien (test)",
        "bailleur",
        siren_fictif(4242),
        "75AX9",
        "Agence du 20e (test)",
        "accueil@habitat-parisien.example.fr",
        "75",
        "",
    ]
    lignes = [
        [*guichet, "Camille", "Martin", "camille.martin@habitat-parisien.example.fr", "saisie"],
        [*[""] * 8, "Sophie", "Lefèvre", "sophie.lefevre@habitat-parisien.example.fr", "saisie"],
    ]
    return "\n".join(";".join(ligne) for ligne in [COLONNES, *lignes]).encode() + b"\n"


def test_chaque_page_des_parcours_passe_axe_core(navigateur, live_server, referentiels_charges):
    guichet = GuichetFactory(code="75AX1", nom="Paris Habitat accessible", departements=["75"])
    contact = PointContactFactory(guichet=guichet)
    agent = UtilisateurFactory(
        email="ines.agent@bailleur-test.fr", prenom="Inès", nom="Agent", password=MOT_DE_PASSE
    )
    habiliter(agent, "saisie", guichet=guichet)
    couple = demande_de_couple(guichet, agent)
    # Its renewal notice (issue 12): the « Courriers et messages » tab shows letters and e-mails.
    lancer_campagne(couple.date_expiration - relativedelta(months=1))
    seul = donnees_minimales()
    seul["demandeur"]["nom"] = "Roux"
    radiee = demandes.enregistrer_demande(guichet, agent, seul)
    demandes.radier(radiee, "renonciation", par=agent, guichet=guichet)
    Message.objects.filter(demande=radiee).delete()  # its sending, then the document:
    Attestation.objects.filter(demande=radiee).delete()  # « en préparation »
    # For the new forms' error states: a demande to modify into a duplicate of the couple's
    # demandeur, another couple to separate.
    autre = donnees_minimales()
    autre["demandeur"]["nom"] = "Bernard"
    a_modifier = demandes.enregistrer_demande(guichet, agent, autre).numero_unique
    a_separer = demande_de_couple(guichet, agent, nom="Durand", prenom="Marie").numero_unique
    # An agent whose only desk is not set up yet (no convention, fiche collecte, set-up).
    agent_en_attente = UtilisateurFactory(
        email="sami.attente@bailleur-test.fr", prenom="Sami", nom="Attente", password=MOT_DE_PASSE
    )
    habiliter(
        agent_en_attente,
        "saisie",
        guichet=GuichetFactory(code="75AX5", departements=["75"], a_parametrer=True),
    )
    nouvel_agent = UtilisateurFactory(email="leo.nouveau@bailleur-test.fr")
    nouvel_agent.set_unusable_password()
    nouvel_agent.save()
    habiliter(nouvel_agent, "saisie", guichet=guichet)
    adresser_demande(
        guichet, par=agent, objet="perimetre", message="Pouvons-nous consulter le 92 ?"
    )
    Association.objects.create(
        departement=Departement.objects.get(code="75"), nom="Emmaüs Solidarité"
    )

    gestionnaire = habiliter(
        UtilisateurFactory(email="gestion.75@prefecture-test.fr", password=MOT_DE_PASSE),
        "gestionnaire",
        departement="75",
    )
    codes_de_secours_demo(gestionnaire, ["secours-1", "secours-2"])
    national = habiliter(
        UtilisateurFactory(email="admin@sne-test.fr", password=MOT_DE_PASSE), "national"
    )

    numero = couple.numero_unique
    autre_guichet = GuichetFactory(code="75AX3", departements=["75"])
    proposition = signing.dumps(
        {"u": agent.pk, "r": "consultation", "g": autre_guichet.pk, "p": gestionnaire.pk},
        salt=SEL_HABILITATION,
    )

    # --- A desk agent ---------------------------------------------------------------------
    with session(navigateur, live_server) as page:
        visiter(page, "/", "")
        visiter(page, "/comptes/connexion/", "Connexion")
        page.get_by_label("Adresse e-mail").fill("personne@exemple.fr")
        page.get_by_label("Mot de passe").fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()  # the error is shown
        expect(page.get_by_role("alert").first).to_be_visible()
        # Four more wrong passwords for this login: the account is locked (django-axes), on the
        # login page's own address.
        for _ in range(4):
            page.get_by_label("Mot de passe").fill("pas le bon")
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Connexion temporairement bloquée"
        )
        # Same address as the login page: checked once more now that it is shown for sure.
        verifier_accessibilite(page)
        assert fois(page, "/comptes/connexion/") >= 6  # the form, 5 failures (the last locked)
        visiter(page, "/comptes/mot-de-passe-inconnu/", "")
        activation = lien_activation(nouvel_agent)
        visiter(page, activation, "")
        visiter(page, "/comptes/activation/MQ/jeton-perime/", "")
        visiter(page, f"/comptes/accepter-habilitation/{proposition}/", "")

        se_connecter(page, agent.email, "/demandes/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Demandes de logement social")
        page.locator("input[name=nom]").fill("Martin")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.get_by_role("link", name=numero)).to_be_visible()
        page.locator("input[name=nom]").fill("Personne-Inconnue")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

        visiter(page, f"/demandes/{numero}/", numero)
        for onglet in page.get_by_role("tab").all():  # each panel, once shown
            onglet.click()
            verifier_accessibilite(page)
        visiter(page, f"/demandes/{numero}/modifier/", "")
        visiter(page, f"/demandes/{numero}/renouveler/", "")
        visiter(page, f"/demandes/{numero}/dupliquer/", "")
        visiter(page, f"/demandes/{numero}/radier/", "")
        page.get_by_role("button", name=re.compile("radiation", re.I)).click()  # no motif
        expect(page.get_by_role("alert").first).to_be_visible()
        visiter(page, f"/demandes/{radiee.numero_unique}/", radiee.numero_unique)
        visiter(page, f"/demandes/{radiee.numero_unique}/reactiver/", "")
        visiter(page, "/demandes/demandeurs-a-recontacter/", "Demandeurs à recontacter")
        page.goto(f"/demandes/{radiee.numero_unique}/attestation/")
        expect(page.get_by_role("status")).to_contain_text("en préparation")

        # The wizard, with the same person as the couple's demandeur: the duplicate step.
        visiter(page, "/demandes/nouvelle/", "")
        expect(page.get_by_text("Étape 1 sur 7")).to_be_visible()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
        page.get_by_role("button", name="Continuer").click()  # empty: errors on the fields
        expect(page.get_by_role("alert").first).to_be_visible()
        page.get_by_label("Nom d'usage").fill("Martin")
        page.get_by_label("Prénom").fill("Élodie")
        page.get_by_label("Date de naissance").fill("1987-04-12")
        page.get_by_role("radio", name="Passeport").check(force=True)
        page.get_by_label("Adresse (numéro et voie)").fill("12 rue des Lilas")
        commune = page.get_by_label("Commune de résidence")
        commune.press_sequentially("paris 20", delay=30)
        page.get_by_role("button", name="Paris 20e Arrondissement — 75").click()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 3 sur 7")).to_be_visible()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 4 sur 7")).to_be_visible()
        page.get_by_role("radio", name="Non", exact=True).check(force=True)
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 5 sur 7")).to_be_visible()
        souhait = page.get_by_label("Commune souhaitée n° 1")
        souhait.press_sequentially("paris 20", delay=30)
        page.get_by_role("button", name="Paris 20e Arrondissement — 75").click()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 6 sur 7")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(numero)
        etape_doublons = page.url
        page.get_by_role("button", name="Forcer la création et continuer").click()
        expect(page.get_by_role("alert").first).to_be_visible()  # no justification
        page.locator("[name=justification]").fill("Homonyme né le même jour, vérifié.")
        page.get_by_role("button", name="Forcer la création et continuer").click()
        expect(page.get_by_text("Étape 7 sur 7")).to_be_visible()
        page.get_by_role("button", name="Enregistrer la demande").click()
        expect(page.get_by_role("status")).to_contain_text("numéro unique")

        # The modification page sent back with its errors: an empty name, a birth date before
        # 1900, each said on its field.
        modifier = f"/demandes/{a_modifier}/modifier/"
        visiter(page, modifier, a_modifier)
        page.locator("#id_nom").fill("")
        page.locator("#id_date_naissance").fill("1850-01-01")
        page.get_by_role("button", name="Enregistrer les modifications").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        expect(page.locator("#id_nom")).to_have_attribute("aria-invalid", "true")
        # The name of another demande's demandeur: the duplicate-justification state.
        page.locator("#id_nom").fill("Martin")
        page.locator("#id_date_naissance").fill("1987-04-12")
        page.get_by_role("button", name="Enregistrer les modifications").click()
        expect(page.get_by_role("heading", name="Recherche de doublons")).to_be_visible()
        expect(page.get_by_label("Justification")).to_be_visible()
        assert fois(page, modifier) >= 3

        # The separation's guided step: sent empty (errors on the fields), then completed.
        visiter(page, f"/demandes/{a_separer}/dupliquer/", a_separer)
        page.get_by_role("button", name="Enregistrer la séparation").click()
        expect(page.get_by_role("alert").first).to_contain_text("pièce d'identité")
        page.get_by_role("radio", name="Passeport").check(force=True)
        page.get_by_label("Adresse (numéro et voie)").fill("4 rue de Belleville")
        commune = page.get_by_label("Commune de résidence")
        commune.press_sequentially("paris 19", delay=30)
        page.get_by_role("button", name="Paris 19e Arrondissement — 75").click()
        page.get_by_role("button", name="Enregistrer la séparation").click()
        expect(page.get_by_role("status")).to_contain_text("a désormais sa propre demande")
        separee = Demande.objects.latest("pk").numero_unique
        expect(page.get_by_role("heading", level=1)).to_contain_text(separee)
        assert fois(page, f"/demandes/{a_separer}/dupliquer/") >= 2

        # A registration left at step 2: « Saisies en cours », then « Abandonner cette saisie ».
        visiter(page, "/demandes/nouvelle/", "")
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Étape 2 sur 7")).to_be_visible()
        visiter(page, "/demandes/", "Demandes de logement social")
        saisies = page.get_by_role("table", name="Saisies en cours")
        expect(saisies).to_contain_text("(nom pas encore saisi)")
        saisies.get_by_role("link", name="Abandonner").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Abandonner la saisie")
        page.get_by_role("button", name="Confirmer l'abandon").click()
        expect(page.get_by_role("status")).to_contain_text("abandonnée")

        visiter(page, "/comptes/mon-compte/", "")
        visiter(page, "/gestion/departements/demandes/guichet/", "")
        visiter(page, "/gestion/departements/contacts/", "")
        visiter(page, "/referentiels/communes/?q=st-denis", "")
        visiter(page, "/gestion/guichets/", "Accès refusé")
        visiter(page, "/demandes/075012699999975ZZ9/", "Demande introuvable")
        visiter(page, "/demandes/075000000000075ZZ9/", "Requête refusée")  # month 00
        visiter(page, "/une-adresse-qui-n-existe-pas/", "")

        vues = chemins(page)
        attendues = {
            "/",
            "/comptes/mot-de-passe-inconnu/",
            activation,
            f"/comptes/accepter-habilitation/{proposition}/",
            "/demandes/",
            f"/demandes/{numero}/",
            f"/demandes/{numero}/modifier/",
            f"/demandes/{numero}/renouveler/",
            f"/demandes/{numero}/dupliquer/",
            f"/demandes/{numero}/radier/",
            f"/demandes/{radiee.numero_unique}/reactiver/",
            f"/demandes/{radiee.numero_unique}/attestation/",
            re.sub(r"^https?://[^/]+", "", etape_doublons),
            "/comptes/mon-compte/",
            "/gestion/departements/demandes/guichet/",
            "/gestion/departements/contacts/",
            "/gestion/guichets/",
            "/demandes/075012699999975ZZ9/",
            "/demandes/075000000000075ZZ9/",
            "/une-adresse-qui-n-existe-pas/",
            modifier,
            f"/demandes/{a_separer}/dupliquer/",
            f"/demandes/{separee}/",
        }
        assert attendues <= vues, attendues - vues
        assert len([v for v in vues if v.startswith("/demandes/nouvelle/")]) >= 7
        assert any(re.fullmatch(r"/demandes/nouvelle/[^/]+/abandonner/", v) for v in vues)
        assert fois(page, "/demandes/") >= 3  # with the « Saisies en cours », after abandon

        sur_un_telephone(
            page,
            [
                "/",
                "/demandes/",
                "/demandes/?nom=Martin",
                f"/demandes/{numero}/",
                f"/demandes/{numero}/modifier/",
                f"/demandes/{numero}/dupliquer/",
                f"/demandes/{numero}/radier/",
                f"/demandes/{radiee.numero_unique}/reactiver/",
                "/comptes/mon-compte/",
                "/gestion/departements/demandes/guichet/",
                "/gestion/departements/contacts/",
                "/referentiels/communes/?q=st-denis",
            ],
        )

    # --- An agent whose desk is not set up yet, who changes their e-mail address -----------
    with session(navigateur, live_server) as page:
        se_connecter(page, agent_en_attente.email, "/demandes/nouvelle/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Nouvelle demande de logement social"
        )
        expect(page.get_by_role("main")).to_contain_text("ne peut pas encore enregistrer")

        visiter(page, "/comptes/mon-compte/", "")
        page.get_by_label("Nouvelle adresse e-mail").fill("sami.nouveau@bailleur-test.fr")
        page.get_by_label("Mot de passe actuel").fill("pas le bon")
        page.get_by_role("button", name="Envoyer le lien de confirmation").click()
        expect(page.get_by_role("main")).to_contain_text("Ce n'est pas votre mot de passe actuel")
        page.get_by_label("Mot de passe actuel").fill(MOT_DE_PASSE)
        page.get_by_role("button", name="Envoyer le lien de confirmation").click()
        expect(page.get_by_role("status")).to_contain_text("Un lien de confirmation")
        (lien,) = {
            re.search(r"/comptes/confirmer-email/[^/\s]+/", m.body)[0]
            for m in mail.outbox
            if "sami.nouveau@bailleur-test.fr" in m.to
        }
        page.goto(lien)  # the page proposes, a button confirms
        expect(page.get_by_role("main")).to_contain_text("sami.nouveau@bailleur-test.fr")
        page.get_by_role("button", name="Confirmer la nouvelle adresse").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Votre adresse e-mail est désormais sami.nouveau@bailleur-test.fr"
        )
        page.goto(lien)  # a second time: the link has served
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text("déjà servi")

        vues = chemins(page)
        assert {"/demandes/nouvelle/", "/comptes/mon-compte/", lien} <= vues, vues
        assert fois(page, "/comptes/mon-compte/") >= 4  # form, errors, link sent, confirmed

    # --- A gestionnaire territorial ---------------------------------------------------------
    with session(navigateur, live_server) as page:
        se_connecter(page, gestionnaire.email, "/gestion/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérification en deux étapes")
        page.get_by_label("Code de secours").fill("secours-1")
        page.get_by_role("button", name="Valider le code de secours").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

        visiter(page, "/gestion/guichets/", "")
        visiter(page, f"/gestion/guichets/{guichet.code}/", guichet.code)
        retirer = re.compile(f"Retirer l'habilitation de {agent.email}")
        page.get_by_role("button", name=retirer).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Retirer")
        visiter(page, "/gestion/guichets/nouveau/", "")
        visiter(page, f"/gestion/guichets/{guichet.code}/perimetre/", "")
        visiter(page, f"/gestion/guichets/{guichet.code}/contacts/nouveau/", "")
        visiter(page, f"/gestion/guichets/{guichet.code}/contacts/{contact.pk}/", "")
        visiter(page, "/gestion/utilisateurs/", "")
        visiter(page, f"/gestion/utilisateurs/{agent.pk}/", "")
        visiter(page, "/gestion/fiche-collecte/", "")
        page.locator("#fichier").set_input_files(
            files=[{"name": "fiche.csv", "mimeType": "text/csv", "buffer": fiche_collecte()}]
        )
        page.get_by_role("button", name="Vérifier le fichier").click()
        expect(page).to_have_url(re.compile(r"/fiche-collecte/apercu/$"))
        page.get_by_role("button", name="Appliquer").click()
        expect(page.get_by_role("main")).to_contain_text("75AX9")
        visiter(page, "/gestion/departements/contacts/", "")
        visiter(page, "/gestion/departements/associations/", "")
        visiter(page, "/gestion/departements/demandes/", "")
        visiter(
            page,
            f"/gestion/departements/demandes/{DemandeAuGestionnaire.objects.get().pk}/",
            "",
        )
        visiter(page, "/gestion/journal/", "")
        visiter(page, "/gestion/courriers/", "Courriers à imprimer")
        page.get_by_role("button", name="Préparer la tournée de ce département").click()
        expect(page.get_by_role("main")).to_contain_text("Tournée n°")
        visiter(page, "/gestion/campagne/", "Campagne de renouvellement")
        visiter(page, "/comptes/securite/", "")
        visiter(page, "/gestion/", "")

        vues = chemins(page)
        assert {
            "/gestion/guichets/",
            f"/gestion/guichets/{guichet.code}/",
            "/gestion/guichets/nouveau/",
            f"/gestion/guichets/{guichet.code}/perimetre/",
            f"/gestion/guichets/{guichet.code}/contacts/nouveau/",
            "/gestion/utilisateurs/",
            f"/gestion/utilisateurs/{agent.pk}/",
            "/gestion/fiche-collecte/",
            "/gestion/fiche-collecte/apercu/",
            "/gestion/fiche-collecte/resultat/",
            f"/gestion/guichets/{guichet.code}/contacts/{contact.pk}/",
            "/gestion/departements/associations/",
            "/gestion/departements/demandes/",
            "/gestion/journal/",
            "/gestion/courriers/",
            "/comptes/securite/",
            "/gestion/",
        } <= vues
        assert any(v.startswith("/comptes/securite/verifier/") for v in vues)
        assert any(v.endswith("/retirer/") for v in vues)  # the confirmation

        sur_un_telephone(
            page,
            [
                "/gestion/",
                "/gestion/guichets/",
                f"/gestion/guichets/{guichet.code}/",
                f"/gestion/guichets/{guichet.code}/perimetre/",
                "/gestion/utilisateurs/",
                f"/gestion/utilisateurs/{agent.pk}/",
                "/gestion/departements/contacts/",
                "/gestion/departements/associations/",
                "/gestion/departements/demandes/",
                "/gestion/journal/",
                "/gestion/courriers/",
            ],
        )

    # --- The national administrator, who adds an authenticator application -------------------
    with session(navigateur, live_server) as page:
        se_connecter(page, national.email, "/gestion/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("application")
        appareil = application_en_attente(national)
        code = f"{totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits):06d}"
        page.get_by_label("Code à 6 chiffres").fill(code)
        page.get_by_role("button", name=re.compile("Valider|Activer|Ajouter")).click()
        expect(page.get_by_role("main")).to_contain_text("codes de secours")
        visiter(page, "/gestion/", "")
        visiter(page, "/gestion/guichets/", "")

        vues = chemins(page)
        assert any(v.startswith("/comptes/securite/activer/") for v in vues)
        assert "/gestion/guichets/" in vues
