"""Logging in on the portal (FAQ « Portail Grand Public »): the code télédemandeur, the four
fields, the e-mail confirmation with the FAQ's question, the activation link, the limits."""

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from sne.attestations import services as documents
from sne.audit.models import EvenementAudit
from sne.demandes.models import HistoriqueDemande
from sne.notifications import services as notifications
from sne.notifications.models import Message
from sne.notifications.sms import MemoireSms
from sne.portail import services_compte as services
from sne.portail.commun import guichet_du_portail
from sne.portail.franceconnect import CLE_ID_TOKEN
from sne.portail.models import AdresseVerifiee, CodeTeledemandeur, LienActivation
from sne.portail.vues_compte import suivant_sur
from tests.factories import UtilisateurFactory
from tests.portail.conftest import (
    EMAIL,
    NAISSANCE,
    code_recu,
    jeton_recu,
    ouvrir_session_portail,
)

pytestmark = pytest.mark.django_db

IP = "192.0.2.1"
AUTRE_EMAIL = "samia.nouvelle@example.fr"


def connexion(client, demande, code, email=EMAIL, naissance=NAISSANCE, numero=None):
    return client.post(
        "/portail/connexion/",
        {
            "numero": numero or demande.numero_unique,
            "date_naissance": naissance.isoformat(),
            "email": email,
            "code": code,
        },
    )


# --- The code ----------------------------------------------------------------------------


def test_le_code_est_envoye_par_courriel_et_seul_son_hache_est_garde(
    client, demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            "/portail/code/",
            {"numero": demande.numero_unique, "date_naissance": "1990-06-15", "canal": "email"},
        )
    assert reponse.status_code == 302
    page = client.get(reponse["Location"]).content.decode()
    assert "Si ces informations correspondent à une demande, votre code vous a été envoyé" in page
    code = code_recu()
    assert mail.outbox[-1].to == [EMAIL]
    enregistre = CodeTeledemandeur.objects.get(demande=demande)
    assert code not in enregistre.code_hache and check_password(code, enregistre.code_hache)
    message = Message.objects.get(demande=demande, type=Message.Type.CODE_TELEDEMANDEUR)
    # The desk's tab and the applicant's page list it; its stored text hides the code.
    assert message.statut == Message.Statut.ENVOYE and message.canal == Message.Canal.EMAIL
    assert code not in message.corps and code not in str(message.donnees)


class ServeurEnPanne(locmem.EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connexion perdue")


def test_un_code_que_le_fournisseur_n_a_pas_pris_est_annule_jamais_renvoye_masque(
    demande, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.ServeurEnPanne"
    with django_capture_on_commit_callbacks(execute=True):
        services.demander_code(demande.numero_unique, NAISSANCE, "email", IP)
    message = Message.objects.get(type=Message.Type.CODE_TELEDEMANDEUR)
    assert message.statut == Message.Statut.ANNULE
    assert message.evenements.filter(type="annule").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.envoyer_messages_en_attente() == 0
    assert not mail.outbox


def test_un_numero_inconnu_ou_une_mauvaise_date_donnent_la_meme_reponse_sans_rien_envoyer(
    demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inconnu = services.demander_code("093112600009999ZZZ", NAISSANCE, "email", IP)
        mauvaise_date = services.demander_code(
            demande.numero_unique, NAISSANCE + timedelta(days=1), "email", IP
        )
    bonne = services.message_code_envoye("email")
    assert inconnu == mauvaise_date == bonne
    assert not mail.outbox and not CodeTeledemandeur.objects.exists()


def test_le_code_par_sms_garde_son_texte_masque(demande, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.demander_code(demande.numero_unique, NAISSANCE, "sms", IP)
    code = code_recu("sms")
    assert MemoireSms.boite[-1]["numero"] == "+33612345678"
    message = Message.objects.get(type=Message.Type.CODE_TELEDEMANDEUR)
    assert message.canal == "sms" and code not in message.corps


def test_le_code_par_courrier_est_masque_une_fois_la_tournee_imprimee(
    demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.demander_code(demande.numero_unique, NAISSANCE, "courrier", IP)
    message = Message.objects.get(type=Message.Type.CODE_TELEDEMANDEUR)
    assert message.statut == Message.Statut.A_IMPRIMER
    assert message.donnees["code"].isdigit()  # the letter must print it
    assert CodeTeledemandeur.objects.get().expire_le > timezone.now() + timedelta(days=29)
    tournee = notifications.preparer_tournee("93")
    notifications.rendre_tournee(tournee.pk)
    message.refresh_from_db()
    assert message.donnees["code"] == "••••••••"


def test_sans_mobile_connu_le_code_part_par_courrier(demande, django_capture_on_commit_callbacks):
    demande.demandeur.__class__.objects.filter(pk=demande.demandeur.pk).update(telephone="")
    with django_capture_on_commit_callbacks(execute=True):
        reponse = services.demander_code(demande.numero_unique, NAISSANCE, "sms", IP)
    assert "par courrier à votre adresse" in reponse
    assert Message.objects.get(type=Message.Type.CODE_TELEDEMANDEUR).canal == "courrier"
    assert not MemoireSms.boite


def test_un_double_clic_n_envoie_qu_un_code(demande, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.demander_code(demande.numero_unique, NAISSANCE, "email", IP)
    assert CodeTeledemandeur.objects.count() == 1 and len(mail.outbox) == 1


def test_un_nouveau_code_remplace_le_precedent(client, demande, code, adresse_activee):
    ancien = code
    CodeTeledemandeur.objects.update(cree_le=timezone.now() - timedelta(minutes=2))
    services.demander_code(demande.numero_unique, NAISSANCE, "email", IP)
    assert CodeTeledemandeur.objects.filter(remplace_le__isnull=True).count() == 1
    resultat = services.verifier_connexion(demande.numero_unique, NAISSANCE, EMAIL, ancien, IP)
    assert resultat.etat == services.Connexion.REFUSE


def test_les_demandes_de_code_sont_limitees_par_numero(demande, settings):
    settings.SNE_PORTAIL_TENTATIVES_MAX = {**settings.SNE_PORTAIL_TENTATIVES_MAX, "code": (2, 60)}
    for i in range(2):
        services.demander_code(demande.numero_unique, NAISSANCE, "email", f"192.0.2.{10 + i}")
    with pytest.raises(services.TropDeTentatives) as erreur:
        services.demander_code(demande.numero_unique, NAISSANCE, "email", "192.0.2.99")
    assert "réessayez à partir de" in erreur.value.message


# --- Logging in ----------------------------------------------------------------------------


def test_le_parcours_de_la_faq_avec_l_adresse_connue(
    client, demande, code, django_capture_on_commit_callbacks
):
    # The e-mail known, never activated: an activation link is sent to it.
    with django_capture_on_commit_callbacks(execute=True):
        reponse = connexion(client, demande, code)
    assert reponse["Location"] == "/portail/connexion/lien-envoye/"
    assert EMAIL in client.get(reponse["Location"]).content.decode()
    assert mail.outbox[-1].to == [EMAIL]
    jeton = jeton_recu()
    lien = LienActivation.objects.get(demande=demande)
    assert lien.jeton != jeton  # only its hash is kept
    assert jeton not in Message.objects.get(type=Message.Type.LIEN_ACTIVATION).corps
    # The link's page asks to confirm, then activates and signs in.
    assert client.get(f"/portail/activation/{jeton}/").status_code == 200
    reponse = client.post(f"/portail/activation/{jeton}/")
    assert reponse["Location"] == "/portail/ma-demande/"
    assert demande.numero_unique in client.get("/portail/ma-demande/").content.decode()
    assert AdresseVerifiee.objects.get(demande=demande).email == EMAIL
    demande.refresh_from_db()
    assert demande.demarches_en_ligne
    # Next time, the four fields open the demande at once.
    client.post("/portail/deconnexion/")
    assert client.get("/portail/ma-demande/").status_code == 302
    reponse = connexion(client, demande, code)
    assert reponse["Location"] == "/portail/ma-demande/"
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONNEXION, objet_id=str(demande.pk), utilisateur=None
    ).exists()


def test_une_autre_adresse_pose_la_question_de_la_faq_puis_la_remplace_apres_activation(
    client, demande, code, django_capture_on_commit_callbacks
):
    reponse = connexion(client, demande, code, email=AUTRE_EMAIL.upper())
    assert reponse["Location"] == "/portail/connexion/adresse-electronique/"
    page = client.get(reponse["Location"]).content.decode()
    assert (
        "L&#x27;adresse électronique renseignée diffère de celle connue pour ce numéro unique. "
        "Souhaitez-vous mettre à jour votre adresse électronique ?"
    ) in page
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post("/portail/connexion/adresse-electronique/", {"reponse": "oui"})
    assert reponse["Location"] == "/portail/connexion/lien-envoye/"
    assert mail.outbox[-1].to == [AUTRE_EMAIL]
    client.post(f"/portail/activation/{jeton_recu()}/")
    demande.refresh_from_db()
    assert demande.demandeur.email == AUTRE_EMAIL
    entree = HistoriqueDemande.objects.filter(demande=demande).latest("pk")
    assert entree.utilisateur is None and entree.guichet == guichet_du_portail()
    # The new address, activated, now logs in.
    client.post("/portail/deconnexion/")
    assert connexion(client, demande, code, email=AUTRE_EMAIL)["Location"] == (
        "/portail/ma-demande/"
    )


def test_repondre_non_ne_change_rien(client, demande, code):
    connexion(client, demande, code, email=AUTRE_EMAIL)
    reponse = client.post("/portail/connexion/adresse-electronique/", {"reponse": "non"})
    assert "n'est pas modifiée" in client.get(reponse["Location"]).content.decode()
    assert not LienActivation.objects.exists()
    # The question cannot be answered again without logging in again.
    assert client.get("/portail/connexion/adresse-electronique/").status_code == 302


@pytest.mark.parametrize("erreur", ["code", "date", "numero", "email_avant_code"])
def test_un_champ_faux_donne_toujours_le_meme_message(
    client, demande, code, adresse_activee, erreur
):
    champs = {
        "code": {"code": "00000000" if code != "00000000" else "11111111"},
        "date": {"naissance": NAISSANCE + timedelta(days=1)},
        "numero": {"numero": demande.numero_unique[:-1] + "Z"},
        "email_avant_code": {"code": "12", "email": AUTRE_EMAIL},
    }[erreur]
    reponse = connexion(client, demande, champs.pop("code", code), **champs)
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Ces informations ne permettent pas d&#x27;accéder à une demande." in page
    assert client.get("/portail/ma-demande/").status_code == 302


def test_les_quatre_champs_sont_obligatoires(client):
    page = client.post("/portail/connexion/", {}).content.decode()
    for message in (
        "Indiquez votre numéro unique.",
        "Indiquez votre date de naissance.",
        "Indiquez votre adresse électronique.",
        "Indiquez votre code télédemandeur.",
    ):
        assert message in page


def test_un_code_expire_est_refuse(demande, code, adresse_activee):
    CodeTeledemandeur.objects.update(expire_le=timezone.now() - timedelta(minutes=1))
    resultat = services.verifier_connexion(demande.numero_unique, NAISSANCE, EMAIL, code, IP)
    assert resultat.etat == services.Connexion.REFUSE
    assert resultat.message == services.MESSAGE_REFUS


def test_les_connexions_sont_limitees_par_numero(demande, code, adresse_activee):
    for i in range(5):
        services.verifier_connexion(
            demande.numero_unique, NAISSANCE, EMAIL, "99999999", f"192.0.2.{20 + i}"
        )
    # Blocked from anywhere for this numéro, even with the right code, and told when.
    resultat = services.verifier_connexion(
        demande.numero_unique, NAISSANCE, EMAIL, code, "198.51.100.7"
    )
    assert resultat.etat == services.Connexion.BLOQUE
    assert "réessayez à partir de" in resultat.message and resultat.reessayer_a > timezone.now()


def test_les_connexions_sont_limitees_par_adresse_ip(demande, code, adresse_activee):
    for i in range(5):
        services.verifier_connexion(f"09311260000{i}00093BA1", NAISSANCE, EMAIL, "99999999", IP)
    resultat = services.verifier_connexion(demande.numero_unique, NAISSANCE, EMAIL, code, IP)
    assert resultat.etat == services.Connexion.BLOQUE
    autre_ip = services.verifier_connexion(
        demande.numero_unique, NAISSANCE, EMAIL, code, "198.51.100.7"
    )
    assert autre_ip.etat == services.Connexion.CONNECTE


def test_une_demande_radiee_se_consulte_encore(client, demande, code, adresse_activee):
    services.renoncer(demande)
    assert connexion(client, demande, code)["Location"] == "/portail/ma-demande/"
    assert "Votre demande est radiée" in client.get("/portail/ma-demande/").content.decode()


# --- The activation link ---------------------------------------------------------------------


def test_un_lien_ne_sert_qu_une_fois(client, demande, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.envoyer_lien_activation(demande, AUTRE_EMAIL)
    jeton = jeton_recu()
    client.post(f"/portail/activation/{jeton}/")
    client.post("/portail/deconnexion/")
    reponse = client.post(f"/portail/activation/{jeton}/")
    assert reponse.status_code == 410
    page = reponse.content.decode()
    assert "Ce lien a déjà servi" in page
    assert 'href="/portail/code/"' in page
    assert client.get("/portail/ma-demande/").status_code == 302


def test_un_lien_expire_est_refuse_avec_un_moyen_d_en_avoir_un_autre(
    client, demande, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.envoyer_lien_activation(demande, AUTRE_EMAIL)
    LienActivation.objects.update(expire_le=timezone.now() - timedelta(minutes=1))
    reponse = client.post(f"/portail/activation/{jeton_recu()}/")
    assert reponse.status_code == 410
    assert "Ce lien a expiré" in reponse.content.decode()
    demande.refresh_from_db()
    assert demande.demandeur.email == EMAIL


def test_un_lien_inconnu_est_refuse(client):
    reponse = client.post("/portail/activation/nimportequoi/")
    assert reponse.status_code == 410
    assert "n&#x27;est pas valide" in reponse.content.decode()


# --- Sessions and redirections ---------------------------------------------------------------


def test_la_session_du_portail_n_ouvre_aucune_page_des_agents(client, demande, code):
    AdresseVerifiee.objects.create(demande=demande, email=EMAIL, verifiee_le=timezone.now())
    connexion(client, demande, code)
    assert client.get("/portail/ma-demande/").status_code == 200
    assert client.get("/demandes/").status_code == 302
    assert client.get(f"/demandes/{demande.numero_unique}/").status_code == 302


def test_la_session_d_un_agent_n_ouvre_pas_le_portail(client, demande):
    client.force_login(UtilisateurFactory())
    assert client.get("/portail/ma-demande/")["Location"].startswith("/portail/connexion/")


@pytest.mark.parametrize(
    "suivant",
    [
        "https://ailleurs.example/",
        "//ailleurs.example/portail/",
        "/demandes/",
        "/portail/../admin/",
    ],
)
def test_suivant_ne_mene_qu_au_portail(suivant):
    assert suivant_sur(suivant) == "/portail/ma-demande/"


def test_suivant_mene_a_la_page_du_portail_demandee(client, demande, code, adresse_activee):
    assert suivant_sur("/portail/ma-demande/renouveler/") == "/portail/ma-demande/renouveler/"
    client.get("/portail/connexion/?suivant=https://ailleurs.example/")
    assert connexion(client, demande, code)["Location"] == "/portail/ma-demande/"
    client.post("/portail/deconnexion/")
    client.get("/portail/connexion/?suivant=/portail/ma-demande/renouveler/")
    assert connexion(client, demande, code)["Location"] == "/portail/ma-demande/renouveler/"


def test_le_guichet_reimprime_le_code_masque(
    demande, agent_saisie, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.demander_code(demande.numero_unique, NAISSANCE, "courrier", IP)
    message = Message.objects.get(type=Message.Type.CODE_TELEDEMANDEUR)
    rendus = []
    monkeypatch.setattr(documents, "rendre_pdf", lambda donnees: rendus.append(donnees) or b"")
    notifications.reimprimer(message, agent_saisie)
    assert rendus[0]["code"] == documents.MASQUE != message.donnees["code"]


def test_la_page_de_connexion_propose_franceconnect_quand_il_est_active(client, settings):
    settings.SNE_FRANCECONNECT = False
    assert "FranceConnect" not in client.get("/portail/connexion/").content.decode()
    settings.SNE_FRANCECONNECT = True
    page = client.get("/portail/connexion/?suivant=/portail/ma-demande/renouveler/")
    assert 'action="/portail/franceconnect/"' in page.content.decode()
    assert 'name="suivant" value="/portail/ma-demande/renouveler/"' in page.content.decode()


def test_une_session_ouverte_par_franceconnect_se_ferme_aussi_chez_franceconnect(
    client, demande, settings
):
    settings.SNE_FRANCECONNECT = True
    ouvrir_session_portail(client, demande)
    assert 'action="/portail/deconnexion/"' in client.get("/portail/ma-demande/").content.decode()
    session = client.get("/portail/").wsgi_request.portail
    session[CLE_ID_TOKEN] = "jeton"
    session.save()
    page = client.get("/portail/ma-demande/").content.decode()
    assert 'action="/portail/franceconnect/deconnexion/"' in page
