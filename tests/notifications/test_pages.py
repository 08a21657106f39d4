"""What people see: the desk, each notice and its delivery on the demande's page and in the copie
numérique (the FAQ's proof, without a gestionnaire); the applicants to contact again; the
gestionnaire, the letters to print by tournée and the campaign's figures."""

import re
from datetime import timedelta

import pytest

from sne.audit.models import EvenementAudit
from sne.comptes.jetons import creer_jeton
from sne.notifications import services
from sne.notifications.campagne import lancer_campagne
from sne.notifications.models import Message, Tournee
from tests.factories import gestionnaire
from tests.outils import a_midi, connecter, texte

from .conftest import DEPOT

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]

UN_MOIS_AVANT = DEPOT.replace(year=2026, month=12)


def test_le_guichet_voit_le_preavis_et_sa_distribution_sur_la_page_de_la_demande(
    client, enregistrer, saisie
):
    demande = enregistrer()
    lancer_campagne(UN_MOIS_AVANT)
    services.envoyer_messages_en_attente()
    connecter(client, saisie)

    page = texte(client.get(f"/demandes/{demande.numero_unique}/?onglet=messages"))

    assert "Courriers et messages" in page
    assert "Préavis de renouvellement — courriel" in page
    assert "Préavis de renouvellement — courrier postal" in page
    assert "à elodie@example.fr" in page
    assert "Envoyé" in page and "À imprimer" in page
    assert "campagne" in page  # the source of the « créé » event
    assert "Attestation d'enregistrement — courriel" in page


def test_le_courrier_envoye_se_reimprime_a_l_identique(client, enregistrer, saisie):
    demande = enregistrer()
    lancer_campagne(UN_MOIS_AVANT)
    courrier = demande.messages.get(type="preavis_renouvellement", canal="courrier")
    connecter(client, saisie)

    reponse = client.get(f"/demandes/{demande.numero_unique}/courriers/{courrier.pk}.pdf")

    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert "no-store" in reponse["Cache-Control"]
    assert EvenementAudit.objects.filter(
        utilisateur=saisie, objet_id=str(demande.pk), resume__contains="réimprimé"
    ).exists()


def test_la_copie_numerique_porte_les_messages_et_leur_preuve(client, enregistrer, guichet):
    demande = enregistrer()
    lancer_campagne(UN_MOIS_AVANT)
    services.envoyer_messages_en_attente()
    jeton = creer_jeton(guichet, libelle="Logiciel du bailleur")[1]

    copie = client.get(
        f"/api/v1/demandes/{demande.numero_unique}", HTTP_AUTHORIZATION=f"Bearer {jeton}"
    ).json()

    preavis = [m for m in copie["messages"] if m["type"] == "preavis_renouvellement"]
    assert {m["canal"] for m in preavis} == {"courrier", "email"}
    courriel = next(m for m in preavis if m["canal"] == "email")
    assert courriel["echeance"] == "2027-01-02" and courriel["date_avis"] == "2026-12-02"
    assert [e["type"] for e in courriel["evenements"]] == ["cree", "envoye"]


def test_le_guichet_retrouve_les_demandeurs_a_recontacter(client, enregistrer, saisie):
    demande = enregistrer(email="")
    demande.demandeur.__class__.objects.filter(pk=demande.demandeur.pk).update(adresse_ligne1="")
    demande.__class__.objects.filter(pk=demande.pk).update(
        modifiee_le=a_midi(DEPOT) - timedelta(days=1)
    )
    lancer_campagne(UN_MOIS_AVANT)
    connecter(client, saisie)

    page = texte(client.get("/demandes/demandeurs-a-recontacter/"))

    assert demande.numero_unique in page
    assert "Adresse postale incomplète" in page


def test_sans_envoi_en_echec_la_liste_le_dit(client, saisie):
    connecter(client, saisie)
    assert "Aucun demandeur à recontacter" in texte(
        client.get("/demandes/demandeurs-a-recontacter/")
    )


def test_le_gestionnaire_prepare_la_tournee_imprime_et_marque_poste(client, enregistrer):
    demande = enregistrer(email="")
    chef = gestionnaire("75")
    connecter(client, chef)
    page = texte(client.get("/gestion/courriers/"))
    assert demande.numero_unique in page and "1 courrier en attente" in page

    reponse = client.post("/gestion/courriers/tournees/", {"departement": "75"}, follow=True)

    assert "Tournée n°" in texte(reponse)
    tournee = Tournee.objects.get()
    assert tournee.statut == Tournee.Statut.A_IMPRIMER  # the worker (immediate here) rendered it
    pdf = client.get(f"/gestion/courriers/tournees/{tournee.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert EvenementAudit.objects.filter(
        utilisateur=chef, action=EvenementAudit.Action.EXPORT, objet_id=str(demande.pk)
    ).exists()
    client.post(f"/gestion/courriers/tournees/{tournee.pk}/postee/")
    assert demande.messages.get().statut == Message.Statut.POSTE
    assert "Postée" in texte(client.get("/gestion/courriers/"))


def test_un_gestionnaire_d_un_autre_departement_ne_voit_ni_ne_poste_ces_courriers(
    client, enregistrer
):
    demande = enregistrer(email="")
    tournee = services.rendre_tournee(services.preparer_tournee("75").pk)
    connecter(client, gestionnaire("93"))

    assert demande.numero_unique not in texte(client.get("/gestion/courriers/"))
    assert client.get(f"/gestion/courriers/tournees/{tournee.pk}.pdf").status_code == 404
    assert client.post(f"/gestion/courriers/tournees/{tournee.pk}/postee/").status_code == 404
    assert demande.messages.get().statut == Message.Statut.A_IMPRIMER


def test_le_gestionnaire_voit_les_chiffres_de_la_campagne_et_les_adresses_refusees(
    client, enregistrer, horloge
):
    demande = enregistrer()
    lancer_campagne(UN_MOIS_AVANT)
    courriel = demande.messages.get(type="preavis_renouvellement", canal="email")
    services.enregistrer_evenement_fournisseur(
        "x", "remis", fournisseur="essai"
    )  # unknown: ignored
    Message.objects.filter(pk=courriel.pk).update(identifiant_fournisseur="<id@essai>")
    services.enregistrer_evenement_fournisseur(
        "<id@essai>", "rebond", fournisseur="essai", details={"raison": "Adresse inexistante"}
    )
    demande.__class__.objects.filter(pk=demande.pk).update(
        modifiee_le=a_midi(DEPOT) - timedelta(days=1)
    )
    horloge.move_to(a_midi(UN_MOIS_AVANT + timedelta(days=1)))
    connecter(client, gestionnaire("75"))

    page = texte(client.get("/gestion/campagne/"))

    assert "02/12/2026" in page
    html = client.get("/gestion/campagne/").content.decode()
    assert "<svg" in html
    # Coordinates in SVG never take the French decimal comma.
    assert re.search(r'<rect x="[0-9.]+" y="[0-9.]+" width="[0-9.]+" height="150', html)
    assert "elodie@example.fr" in page and "Adresse inexistante" in page
