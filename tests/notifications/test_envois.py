"""Every message to an applicant: recorded once, its content kept as sent, sent through the
outbox (retried, never lost), its delivery events recorded — from the provider's webhooks
too, signature checked — and letters printed by tournée, each one's « posté » recorded."""

import base64
import io
import json
import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pypdf import PdfReader

from sne.attestations import services as documents
from sne.attestations.models import Attestation
from sne.demandes import services as demandes
from sne.exceptions import ErreurMetier, NonAutorise
from sne.notifications import services, tasks
from sne.notifications.models import Message, Tournee
from tests.factories import gestionnaire

pytestmark = pytest.mark.django_db


def pages_pdf(contenu: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages]


# --- Attestations -----------------------------------------------------------------------------


def test_l_attestation_part_par_e_mail_avec_son_pdf_et_sa_preuve_d_envoi(
    guichet, saisie, django_capture_on_commit_callbacks
):
    from tests.notifications.conftest import DONNEES

    with django_capture_on_commit_callbacks(execute=True):
        demande = demandes.enregistrer_demande(guichet, saisie, DONNEES)

    attestation = demande.attestations.get()
    message = demande.messages.get()
    assert (message.type, message.canal, message.statut) == (
        "attestation_enregistrement",
        "email",
        "envoye",
    )
    assert message.attestation == attestation and message.destinataire == "elodie@example.fr"
    assert list(message.evenements.values_list("type", flat=True)) == ["cree", "envoye"]
    [email] = mail.outbox
    assert email.subject == message.objet and email.body == message.corps
    [(_nom, contenu, type_mime)] = email.attachments
    assert type_mime == "application/pdf" and contenu.startswith(b"%PDF")


def test_sans_e_mail_l_attestation_attend_sa_tournee(enregistrer):
    demande = enregistrer(email="")
    # `enregistrer` registered it: its attestation went to the letters to print.
    message = demande.messages.get()
    assert (message.canal, message.statut) == ("courrier", "a_imprimer")
    assert list(services.courriers_a_imprimer("75")) == [message]
    assert list(services.courriers_a_imprimer("93")) == []


def test_relancee_la_tache_d_attestation_n_envoie_rien_deux_fois(
    guichet, saisie, django_capture_on_commit_callbacks
):
    from tests.notifications.conftest import DONNEES

    with django_capture_on_commit_callbacks(execute=True):
        demande = demandes.enregistrer_demande(guichet, saisie, DONNEES)
    tasks.envoyer_attestation(demande.pk, "enregistrement")
    services.envoyer_attestation(demande.pk, "enregistrement")
    assert demande.attestations.count() == 1 and demande.messages.count() == 1
    assert len(mail.outbox) == 1


def test_la_base_refuse_un_second_message_du_meme_document_par_le_meme_canal(enregistrer):
    demande = enregistrer()
    message = demande.messages.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            demande=demande,
            departement_id="75",
            type=message.type,
            canal=message.canal,
            statut="a_envoyer",
            cle=message.cle,
            date_avis=message.date_avis,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            demande=demande,
            departement_id="75",
            type="preavis_renouvellement",
            canal="email",
            statut="a_imprimer",  # only a letter is printed
            cle="autre",
            date_avis=message.date_avis,
        )


# --- The outbox -------------------------------------------------------------------------------


class ServeurEnPanne(locmem.EmailBackend):
    en_panne = True

    def send_messages(self, messages):
        if ServeurEnPanne.en_panne:
            raise smtplib.SMTPServerDisconnected("connexion perdue")
        return super().send_messages(messages)


def test_un_fournisseur_en_panne_ne_perd_aucun_message_et_reessaie_de_plus_en_plus_tard(
    enregistrer, settings, monkeypatch, time_machine
):
    demande = enregistrer()
    settings.EMAIL_BACKEND = f"{__name__}.ServeurEnPanne"
    monkeypatch.setattr(ServeurEnPanne, "en_panne", True)
    envoi = services.notifier(
        demande,
        Message.Type.PREAVIS_RENOUVELLEMENT,
        donnees=documents.donnees_preavis_renouvellement(demande),
        reference="essai",
        source="essai",
        canaux_choisis=["email"],
    )
    [message] = envoi.messages

    assert services.envoyer_messages_en_attente() == 0
    message.refresh_from_db()
    assert message.statut == "a_envoyer" and message.tentatives == 1
    premier_essai = message.prochain_essai
    assert "SMTPServerDisconnected" in message.derniere_erreur
    assert message.evenements.filter(type="echec_envoi").count() == 1

    time_machine.move_to(premier_essai + timedelta(seconds=1), tick=False)
    assert services.envoyer_messages_en_attente() == 0
    message.refresh_from_db()
    assert message.tentatives == 2
    assert message.prochain_essai - timezone.now() > premier_essai - message.cree_le

    monkeypatch.setattr(ServeurEnPanne, "en_panne", False)
    time_machine.move_to(message.prochain_essai + timedelta(seconds=1), tick=False)
    assert services.envoyer_messages_en_attente() == 1
    message.refresh_from_db()
    assert message.statut == "envoye" and len(mail.outbox) == 1
    assert services.envoyer_messages_en_attente() == 0


@pytest.mark.django_db(transaction=True)
def test_deux_workers_en_meme_temps_n_envoient_qu_une_fois_chaque_e_mail(
    referentiels_charges, enregistrer
):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("SQLite en mémoire : un seul connecteur partagé, pas de vraie concurrence.")
    demandes_ = [enregistrer(numero=i) for i in range(3)]
    for demande in demandes_:
        services.notifier(
            demande,
            Message.Type.AVIS_SEPARATION,
            donnees=documents.donnees_courrier_separation(demande),
            reference="essai",
            source="essai",
            canaux_choisis=["email"],
        )
    mail.outbox.clear()
    erreurs = []

    def worker():
        try:
            services.envoyer_messages_en_attente()
        except Exception as e:
            erreurs.append(e)
        finally:
            connection.close()

    fils = [threading.Thread(target=worker) for _ in range(3)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert erreurs == []
    assert len(mail.outbox) == 3


def test_les_sms_partent_par_le_meme_chemin(enregistrer):
    from sne.notifications.sms import MemoireSms

    demande = enregistrer(telephone="07 81 23 45 67")
    envoi = services.notifier(
        demande,
        Message.Type.PREAVIS_RENOUVELLEMENT,
        donnees=documents.donnees_preavis_renouvellement(demande),
        reference="essai",
        source="essai",
        canaux_choisis=["sms"],
    )
    assert services.envoyer_nouveaux(envoi.messages) == 1
    assert MemoireSms.boite[-1]["numero"] == "+33781234567"


def test_aucun_sms_vers_un_telephone_fixe(enregistrer):
    demande = enregistrer(telephone="01 40 20 30 40")
    assert services.mobile(demande.demandeur) == ""
    assert "sms" not in services.canaux(demande, demande.demandeur, "preavis_renouvellement")


# --- The provider's delivery events ------------------------------------------------------------


def auth(secret="sne-test:secret-du-webhook") -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def envoye_chez_le_fournisseur(settings, guichet, saisie, django_capture_on_commit_callbacks):
    from tests.notifications.conftest import DONNEES

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        demande = demandes.enregistrer_demande(guichet, saisie, DONNEES)
    message = demande.messages.get()
    assert message.identifiant_fournisseur
    return message


def evenement_brevo(message, evenement: str, **autres) -> str:
    return json.dumps(
        {
            "event": evenement,
            "email": message.destinataire,
            "message-id": message.identifiant_fournisseur,
            "ts_epoch": 1796000000000,
            **autres,
        }
    )


def test_la_remise_annoncee_par_le_fournisseur_est_la_preuve_de_reception(
    client, envoye_chez_le_fournisseur
):
    message = envoye_chez_le_fournisseur
    reponse = client.post(
        "/anymail/brevo/tracking/",
        evenement_brevo(message, "delivered"),
        content_type="application/json",
        **auth(),
    )
    assert reponse.status_code == 200
    message.refresh_from_db()
    assert message.statut == "remis"
    remise = message.evenements.get(type="remis")
    assert remise.source == "fournisseur : Brevo"


def test_un_rebond_rend_l_adresse_a_corriger(client, envoye_chez_le_fournisseur, saisie):
    message = envoye_chez_le_fournisseur
    client.post(
        "/anymail/brevo/tracking/",
        evenement_brevo(message, "hard_bounce", reason="mailbox does not exist"),
        content_type="application/json",
        **auth(),
    )
    message.refresh_from_db()
    assert message.statut == "echec"
    assert "refusée" in message.derniere_erreur
    assert list(services.a_corriger(saisie)) == [message]


def test_un_evenement_sans_le_secret_partage_est_refuse_et_rien_n_est_enregistre(
    client, envoye_chez_le_fournisseur
):
    message = envoye_chez_le_fournisseur
    for entetes in ({}, auth("sne-test:mauvais")):
        reponse = client.post(
            "/anymail/brevo/tracking/",
            evenement_brevo(message, "delivered"),
            content_type="application/json",
            **entetes,
        )
        assert reponse.status_code in (400, 401, 403)
    message.refresh_from_db()
    assert message.statut == "envoye"
    assert not message.evenements.filter(type="remis").exists()


def test_un_evenement_d_un_message_inconnu_est_ignore(client, envoye_chez_le_fournisseur):
    message = envoye_chez_le_fournisseur
    message.identifiant_fournisseur = "<inconnu@brevo>"
    reponse = client.post(
        "/anymail/brevo/tracking/",
        evenement_brevo(message, "delivered"),
        content_type="application/json",
        **auth(),
    )
    assert reponse.status_code == 200


# --- Letters: tournées ---------------------------------------------------------------------


def test_une_tournee_rassemble_les_courriers_en_un_pdf_puis_chacun_est_marque_poste(
    enregistrer,
):
    courriers = [enregistrer(numero=i, email="").messages.get() for i in range(2)]
    gestionnaire_75 = gestionnaire("75")

    with pytest.raises(NonAutorise):
        services.preparer_tournee("75", par=gestionnaire("93"))
    tournee = services.preparer_tournee("75", par=gestionnaire_75)
    assert tournee.nombre == 2 and tournee.statut == Tournee.Statut.EN_PREPARATION
    with pytest.raises(ErreurMetier, match="en préparation"):
        services.marquer_tournee_postee(tournee, gestionnaire_75)
    tournee = services.rendre_tournee(tournee.pk)
    assert tournee.statut == Tournee.Statut.A_IMPRIMER
    assert list(services.courriers_a_imprimer("75")) == []
    tournee.refresh_from_db()
    pages = pages_pdf(tournee.fichier.read())
    for message in courriers:
        assert any(message.demande.numero_unique in page for page in pages)

    assert services.marquer_tournee_postee(tournee, gestionnaire_75) == 2
    for message in courriers:
        message.refresh_from_db()
        assert message.statut == "poste" and message.envoye_le
        assert list(message.evenements.values_list("type", flat=True)) == [
            "cree",
            "imprime",
            "poste",
        ]
    with pytest.raises(ErreurMetier, match="déjà marquée"):
        services.marquer_tournee_postee(tournee, gestionnaire_75)
    assert services.preparer_tournee("75", par=gestionnaire_75) is None


def test_un_courrier_revenu_est_enregistre_et_liste_pour_le_guichet(enregistrer, saisie):
    demande = enregistrer(email="")
    gestionnaire_75 = gestionnaire("75")
    tournee = services.rendre_tournee(services.preparer_tournee("75", par=gestionnaire_75).pk)
    services.marquer_tournee_postee(tournee, gestionnaire_75)
    message = demande.messages.get()
    from sne.demandes.models import Demande

    Demande.objects.filter(pk=demande.pk).update(modifiee_le=message.cree_le - timedelta(1))

    services.signaler_retour(message, gestionnaire_75, motif="N'habite pas à l'adresse indiquée")

    message.refresh_from_db()
    assert message.statut == "echec"
    assert message.evenements.filter(type="retour_courrier").exists()
    assert list(services.a_corriger(saisie)) == [message]


# --- Separation ---------------------------------------------------------------------------------


def test_la_separation_est_annoncee_une_fois_a_chacun(enregistrer, guichet, saisie):
    demande = enregistrer()
    autre = enregistrer(numero=1, email="karim@example.fr")
    mail.outbox.clear()
    assert services.informer_separation(demande.pk, autre.pk) == 2
    assert services.informer_separation(demande.pk, autre.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["elodie@example.fr", "karim@example.fr"]
    avis = Message.objects.filter(type=Message.Type.AVIS_SEPARATION)
    assert sorted(avis.values_list("demande_id", "canal")) == [
        (demande.pk, "email"),
        (autre.pk, "email"),
    ]


def test_sans_e_mail_le_demandeur_qui_garde_la_demande_recoit_un_courrier(enregistrer):
    demande = enregistrer(email="")
    autre = enregistrer(numero=1, email="")
    services.informer_separation(demande.pk, autre.pk)
    [courrier] = Message.objects.filter(type=Message.Type.AVIS_SEPARATION)
    assert (courrier.demande, courrier.canal, courrier.statut) == (
        demande,
        "courrier",
        "a_imprimer",
    )
    assert not Attestation.objects.filter(type="separation").exists()
