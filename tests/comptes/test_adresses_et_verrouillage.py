"""Who the client is and where links lead: never what the request claims.

- links in e-mails start from the site's configured URL (`SNE_URL_SITE`), never from the
  request's Host header;
- the client's address is the direct peer, unless it is a trusted proxy
  (`SNE_PROXIES_DE_CONFIANCE`): only then is X-Forwarded-For read; the audit log, the lockout
  and the rate limits all count that one address;
- a login is locked per (login, address); an address with many failures on any login is
  blocked too (password spraying).
"""

import re

import pytest
from django.core import mail

from sne.audit.models import EvenementAudit
from tests.factories import GuichetFactory, UtilisateurFactory, agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

CONNEXION = "/comptes/connexion/"
MOT_DE_PASSE_INCONNU = "/comptes/mot-de-passe-inconnu/"
MOT_DE_PASSE = "mot de passe de test"  # the factories' password
SITE = "https://sne.example.fr"
PIRATE = "pirate.example"


@pytest.fixture
def site(settings):
    settings.SNE_URL_SITE = SITE
    settings.ALLOWED_HOSTS = ["*"]  # even where the site would answer any Host
    return settings


def liens(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def se_connecter(client, email, mot_de_passe=MOT_DE_PASSE, **entetes):
    return client.post(CONNEXION, {"username": email, "password": mot_de_passe}, **entetes)


# --- Links in e-mails ---------------------------------------------------------------------


def test_le_lien_d_activation_part_de_l_adresse_du_site_et_jamais_de_l_en_tete_host(
    client, site, django_capture_on_commit_callbacks
):
    agent(GuichetFactory(), email="elodie.martin@bailleur.fr")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(MOT_DE_PASSE_INCONNU, {"email": "elodie.martin@bailleur.fr"}, HTTP_HOST=PIRATE)

    (lien,) = liens(mail.outbox[-1])
    assert lien.startswith(f"{SITE}/comptes/activation/")
    assert PIRATE not in mail.outbox[-1].body


def test_le_lien_de_changement_d_adresse_part_de_l_adresse_du_site(
    client, site, django_capture_on_commit_callbacks
):
    personne = agent(GuichetFactory(), email="elodie.martin@bailleur.fr")
    connecter(client, personne)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/comptes/mon-compte/",
            {"nouvel_email": "elodie.durand@bailleur.fr", "mot_de_passe": MOT_DE_PASSE},
            HTTP_HOST=PIRATE,
        )

    confirmation = next(m for m in mail.outbox if m.to == ["elodie.durand@bailleur.fr"])
    assert liens(confirmation)[0].startswith(f"{SITE}/comptes/confirmer-email/")
    assert all(PIRATE not in m.body for m in mail.outbox)


def test_l_invitation_d_un_nouvel_agent_part_de_l_adresse_du_site(
    client, site, django_capture_on_commit_callbacks
):
    guichet = GuichetFactory(departements=["93"])
    connecter(client, gestionnaire("93"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/gestion/guichets/{guichet.code}/agents/",
            {"email": "nouvel.agent@mairie.fr", "prenom": "Nour", "nom": "Agent", "role": "saisie"},
            HTTP_HOST=PIRATE,
        )

    invitation = next(m for m in mail.outbox if m.to == ["nouvel.agent@mairie.fr"])
    assert liens(invitation)[0].startswith(f"{SITE}/comptes/activation/")


# --- The client's address -----------------------------------------------------------------


def test_un_x_forwarded_for_venu_d_un_client_quelconque_est_ignore(client):
    UtilisateurFactory(email="agent@bailleur.fr")

    se_connecter(client, "agent@bailleur.fr", HTTP_X_FORWARDED_FOR="198.51.100.66")

    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.CONNEXION)
    assert evenement.adresse_ip == "127.0.0.1"


def test_un_x_forwarded_for_illisible_n_empeche_pas_de_se_connecter(client):
    """On PostgreSQL, « unknown » written in the audit log's address column was an error 500."""
    UtilisateurFactory(email="agent@bailleur.fr")

    reponse = se_connecter(client, "agent@bailleur.fr", HTTP_X_FORWARDED_FOR="unknown")

    assert reponse.status_code == 302
    assert EvenementAudit.objects.get(action=EvenementAudit.Action.CONNEXION).adresse_ip == (
        "127.0.0.1"
    )


def test_derriere_un_proxy_de_confiance_l_adresse_est_celle_qu_il_a_vue(client, settings):
    settings.SNE_PROXIES_DE_CONFIANCE = ["10.0.0.0/8"]
    UtilisateurFactory(email="agent@bailleur.fr")

    se_connecter(
        client,
        "agent@bailleur.fr",
        REMOTE_ADDR="10.1.2.3",
        # written by the client, then by the proxy
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7",
    )

    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.CONNEXION)
    assert evenement.adresse_ip == "203.0.113.7"


def test_derriere_un_proxy_de_confiance_une_adresse_illisible_n_est_pas_enregistree(
    client, settings
):
    settings.SNE_PROXIES_DE_CONFIANCE = ["10.0.0.0/8"]
    UtilisateurFactory(email="agent@bailleur.fr")

    reponse = se_connecter(
        client, "agent@bailleur.fr", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="unknown"
    )

    assert reponse.status_code == 302
    assert EvenementAudit.objects.get(action=EvenementAudit.Action.CONNEXION).adresse_ip is None


def test_changer_d_x_forwarded_for_ne_contourne_pas_la_limite_par_adresse_de_mot_de_passe_inconnu(
    client,
):
    for n in range(30):
        client.post(
            MOT_DE_PASSE_INCONNU,
            {"email": f"personne{n}@bailleur.fr"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    reponse = client.post(
        MOT_DE_PASSE_INCONNU, {"email": "encore@bailleur.fr"}, HTTP_X_FORWARDED_FOR="198.51.100.99"
    )

    assert reponse.status_code == 429
    assert "Trop de demandes" in texte(reponse)


# --- Lockout ------------------------------------------------------------------------------


def test_cinq_erreurs_depuis_une_adresse_ne_bloquent_pas_le_titulaire_ailleurs(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for _ in range(5):
        se_connecter(client, "agent@bailleur.fr", "faux", REMOTE_ADDR="198.51.100.66")
    assert se_connecter(client, "agent@bailleur.fr", REMOTE_ADDR="198.51.100.66").status_code == (
        429
    )

    reponse = se_connecter(client, "agent@bailleur.fr", REMOTE_ADDR="203.0.113.7")

    assert reponse.status_code == 302


def test_le_verrouillage_compte_l_adresse_vue_derriere_le_proxy_de_confiance(client, settings):
    settings.SNE_PROXIES_DE_CONFIANCE = ["10.0.0.1"]
    UtilisateurFactory(email="agent@bailleur.fr")
    derriere_le_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        se_connecter(
            client,
            "agent@bailleur.fr",
            "faux",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
            **derriere_le_proxy,
        )

    bloque = se_connecter(
        client, "agent@bailleur.fr", HTTP_X_FORWARDED_FOR="198.51.100.66", **derriere_le_proxy
    )
    ailleurs = se_connecter(
        client, "agent@bailleur.fr", HTTP_X_FORWARDED_FOR="203.0.113.7", **derriere_le_proxy
    )

    assert bloque.status_code == 429
    assert ailleurs.status_code == 302


def test_une_adresse_qui_essaie_beaucoup_de_comptes_est_bloquee_pour_tous(client):
    """Password spraying: one password tried on many logins, four each (under the per-account
    limit of five), from one address."""
    UtilisateurFactory(email="agent@bailleur.fr")
    for n in range(50):
        se_connecter(client, f"personne{n // 4}@bailleur.fr", "Printemps2026!")

    reponse = se_connecter(client, "agent@bailleur.fr")

    assert reponse.status_code == 429
    contenu = " ".join(texte(reponse).split())
    assert "Connexion temporairement bloquée" in contenu
    assert "depuis cette adresse est bloquée pendant 15 minutes" in contenu
    assert "_auth_user_id" not in client.session
    assert se_connecter(client, "agent@bailleur.fr", REMOTE_ADDR="203.0.113.7").status_code == 302
