"""Security of logins: lockout after wrong passwords, second factor, audit of every login."""

import html

import pytest
from django.contrib.auth.hashers import make_password
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

import sne.comptes.signaux  # noqa: F401  (receivers; connected by ComptesConfig.ready() too)
from sne.audit.models import EvenementAudit
from sne.comptes import securite
from sne.exceptions import ErreurMetier
from tests.factories import GuichetFactory, UtilisateurFactory, agent, gestionnaire, national

pytestmark = pytest.mark.django_db

CONNEXION = "/comptes/connexion/"
DECONNEXION = "/comptes/deconnexion/"
VERIFIER = "/comptes/securite/verifier/"
ACTIVER = "/comptes/securite/activer/"
MOT_DE_PASSE = "mot de passe de test"  # the factories' password
MIDDLEWARE_DOUBLE_FACTEUR = "sne.comptes.middleware.DoubleFacteurMiddleware"


def se_connecter(client, email, mot_de_passe=MOT_DE_PASSE):
    return client.post(CONNEXION, {"username": email, "password": mot_de_passe})


def code_actuel(appareil: TOTPDevice) -> str:
    """The code the person's phone shows right now."""
    totp = TOTP(appareil.bin_key, appareil.step, appareil.t0, appareil.digits, appareil.drift)
    return f"{totp.token():06d}"


def application(utilisateur) -> TOTPDevice:
    return TOTPDevice.objects.create(user=utilisateur, name="Téléphone", confirmed=True)


def lisible(reponse) -> str:
    """The page's text as a person reads it: entities decoded, spaces collapsed."""
    return " ".join(html.unescape(reponse.content.decode()).split())


def est_connecte(client) -> bool:
    return "_auth_user_id" in client.session


# --- The settings these rules rest on ---------------------------------------------------------


def test_la_double_authentification_et_le_verrouillage_sont_dans_les_reglages_de_production():
    """The tests below run on these very lines: the test settings change none of them."""
    from django.conf import settings

    from sne.settings import base as production

    intergiciels = production.MIDDLEWARE
    assert intergiciels.index("django.contrib.auth.middleware.AuthenticationMiddleware") < (
        intergiciels.index("django_otp.middleware.OTPMiddleware")
    )
    assert intergiciels.index("django_otp.middleware.OTPMiddleware") < (
        intergiciels.index(MIDDLEWARE_DOUBLE_FACTEUR)
    )
    assert "axes.middleware.AxesMiddleware" in intergiciels
    assert {"django_otp", "django_otp.plugins.otp_totp", "axes"} <= set(production.INSTALLED_APPS)
    assert production.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert production.AXES_FAILURE_LIMIT == 5
    assert production.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert production.AXES_CLIENT_IP_CALLABLE == "sne.audit.services.adresse_ip"
    assert production.SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP == 50
    assert production.AXES_USERNAME_CALLABLE == (
        "sne.comptes.securite.identifiant_pour_verrouillage"
    )
    for nom in (
        "MIDDLEWARE",
        "INSTALLED_APPS",
        "AUTHENTICATION_BACKENDS",
        "AXES_FAILURE_LIMIT",
        "AXES_LOCKOUT_PARAMETERS",
        "AXES_USERNAME_CALLABLE",
        "AXES_CLIENT_IP_CALLABLE",
        "SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP",
        "SNE_PROXIES_DE_CONFIANCE",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    ):
        assert getattr(settings, nom) == getattr(production, nom), nom


# --- Lockout after wrong passwords ------------------------------------------------------------


def test_apres_cinq_mots_de_passe_errones_la_connexion_est_bloquee_meme_avec_le_bon(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for _ in range(5):
        se_connecter(client, "agent@bailleur.fr", "mauvais mot de passe")

    reponse = se_connecter(client, "agent@bailleur.fr")

    assert reponse.status_code == 429  # django-axes' default: « Too Many Requests »
    contenu = lisible(reponse)
    assert "Connexion temporairement bloquée" in contenu
    assert "Après 5 essais de mot de passe erronés" in contenu
    assert "pendant 15 minutes" in contenu
    assert "Mot de passe inconnu" in contenu
    assert "contactez votre gestionnaire" in contenu
    assert not est_connecte(client)


def test_le_blocage_ne_se_contourne_pas_en_changeant_les_majuscules_de_l_adresse(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for adresse in [
        "Agent@bailleur.fr",
        "AGENT@bailleur.fr",
        "agent@Bailleur.fr",
        "aGent@bailleur.fr",
    ]:
        se_connecter(client, adresse, "mauvais mot de passe")
    se_connecter(client, " agent@BAILLEUR.FR ", "mauvais mot de passe")

    assert se_connecter(client, "agent@bailleur.fr").status_code == 429


def test_une_connexion_reussie_remet_le_compteur_d_essais_a_zero(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for _ in range(4):
        se_connecter(client, "agent@bailleur.fr", "mauvais mot de passe")
    assert se_connecter(client, "agent@bailleur.fr").status_code == 302
    client.post(DECONNEXION)

    for _ in range(4):
        assert se_connecter(client, "agent@bailleur.fr", "faux").status_code == 200

    assert se_connecter(client, "agent@bailleur.fr").status_code == 302
    assert est_connecte(client)


# --- Second factor: who must have one -------------------------------------------------------


def test_gestionnaires_et_administrateurs_nationaux_doivent_avoir_un_second_facteur():
    assert securite.double_facteur_obligatoire(gestionnaire("93"))
    assert securite.double_facteur_obligatoire(national())
    assert not securite.double_facteur_obligatoire(agent(GuichetFactory()))


def test_un_gestionnaire_sans_application_est_conduit_a_en_ajouter_une_avant_toute_page(client):
    chef = gestionnaire("93", email="chef@ddets-93.gouv.fr")
    se_connecter(client, chef.email)

    reponse = client.get("/")
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{ACTIVER}?next=%2F"
    assert client.get("/gestion/").status_code == 302

    page = lisible(client.get(reponse["Location"]))
    appareil = TOTPDevice.objects.get(user=chef, confirmed=False)
    assert "<svg" in page and 'role="img"' in page  # the QR code, named for screen readers
    assert securite.secret_en_groupes(appareil) in page  # and the key to type by hand
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page

    reponse = client.post(ACTIVER, {"code": code_actuel(appareil), "next": "/"})

    assert "Vos codes de secours" in lisible(reponse)
    assert len(reponse.context["codes"]) == 10
    assert client.get("/").status_code == 200


def test_un_code_faux_a_l_ajout_de_l_application_est_explique(client):
    chef = gestionnaire("93")
    se_connecter(client, chef.email)
    client.get(ACTIVER)
    appareil = TOTPDevice.objects.get(user=chef, confirmed=False)
    faux = f"{(int(code_actuel(appareil)) + 1) % 1_000_000:06d}"

    contenu = lisible(client.post(ACTIVER, {"code": faux}))

    assert "Ce code n'est pas le bon" in contenu
    assert "fr-input-group--error" in contenu
    assert not TOTPDevice.objects.filter(user=chef, confirmed=True).exists()


def test_un_gestionnaire_avec_application_saisit_son_code_avant_d_atteindre_l_accueil(client):
    chef = gestionnaire("93")
    appareil = application(chef)
    se_connecter(client, chef.email)

    reponse = client.get("/")
    assert reponse["Location"] == f"{VERIFIER}?next=%2F"
    assert client.get("/gestion/").status_code == 302

    code = code_actuel(appareil)
    reponse = client.post(VERIFIER, {"code": f"{code[:3]} {code[3:]}", "next": "/"})

    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
    assert client.get("/").status_code == 200


def test_un_code_faux_est_refuse_avec_un_message_en_francais(client):
    chef = national()
    appareil = application(chef)
    se_connecter(client, chef.email)
    faux = f"{(int(code_actuel(appareil)) + 1) % 1_000_000:06d}"

    reponse = client.post(VERIFIER, {"code": faux, "next": "/"})

    assert reponse.status_code == 200
    assert "Ce code n'est pas le bon ou a expiré" in lisible(reponse)
    assert client.get("/").status_code == 302


def test_un_code_de_secours_tape_a_la_place_du_code_de_l_application_est_explique(client):
    chef = gestionnaire("93")
    application(chef)
    se_connecter(client, chef.email)

    contenu = lisible(client.post(VERIFIER, {"code": "abcd-2345"}))

    assert "Le code de votre application a 6 chiffres" in contenu
    assert "utilisez le champ « Code de secours »" in contenu


def test_apres_un_code_faux_il_faut_patienter_avant_le_suivant(client):
    chef = gestionnaire("93")
    appareil = application(chef)
    se_connecter(client, chef.email)
    faux = f"{(int(code_actuel(appareil)) + 1) % 1_000_000:06d}"
    client.post(VERIFIER, {"code": faux})

    contenu = lisible(client.post(VERIFIER, {"code": code_actuel(appareil)}))

    assert "Trop de codes erronés à la suite" in contenu
    assert client.get("/").status_code == 302


def test_un_code_de_secours_ne_sert_qu_une_fois(client):
    chef = gestionnaire("93")
    application(chef)
    codes = securite.codes_de_secours(chef)
    se_connecter(client, chef.email)

    reponse = client.post(VERIFIER, {"code_secours": codes[0].upper(), "next": "/"})
    assert reponse["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post(DECONNEXION)

    se_connecter(client, chef.email)
    contenu = lisible(client.post(VERIFIER, {"code_secours": codes[0]}))

    assert "a déjà servi" in contenu
    assert client.get("/").status_code == 302
    assert securite.codes_de_secours_restants(chef) == 9


def test_de_nouveaux_codes_de_secours_remplacent_les_anciens():
    chef = gestionnaire("93")
    application(chef)
    anciens = securite.codes_de_secours(chef)

    nouveaux = securite.codes_de_secours(chef)

    assert len(set(nouveaux)) == 10
    assert not set(anciens) & set(nouveaux)
    assert securite.codes_de_secours_restants(chef) == 10


def test_pas_de_codes_de_secours_sans_application():
    with pytest.raises(ErreurMetier, match="Ajoutez d'abord une application"):
        securite.codes_de_secours(gestionnaire("93"))


def test_sans_code_verifie_on_ne_change_ni_n_ajoute_d_application(client):
    """A stolen password alone does not let anyone put their own phone on the account."""
    chef = gestionnaire("93")
    application(chef)
    se_connecter(client, chef.email)

    assert client.get(ACTIVER)["Location"].startswith(VERIFIER)
    assert client.post("/comptes/securite/codes-de-secours/")["Location"].startswith(VERIFIER)
    assert not TOTPDevice.objects.filter(user=chef, confirmed=False).exists()


def test_un_agent_de_guichet_n_est_pas_oblige_mais_peut_ajouter_une_application(client):
    agent_guichet = agent(GuichetFactory())
    se_connecter(client, agent_guichet.email)
    assert client.get("/").status_code == 200
    assert "Non activée" in lisible(client.get("/comptes/securite/"))

    client.get(ACTIVER)
    appareil = TOTPDevice.objects.get(user=agent_guichet, confirmed=False)
    client.post(ACTIVER, {"code": code_actuel(appareil)})
    assert securite.a_un_double_facteur(agent_guichet)
    client.post(DECONNEXION)

    se_connecter(client, agent_guichet.email)
    assert client.get("/")["Location"].startswith(VERIFIER)  # once added, it is asked


def test_un_agent_peut_desactiver_sa_double_authentification_mais_pas_un_gestionnaire(client):
    agent_guichet = agent(GuichetFactory())
    application(agent_guichet)
    chef = gestionnaire("93")
    application(chef)

    securite.retirer_double_facteur(agent_guichet)

    assert not securite.a_un_double_facteur(agent_guichet)
    with pytest.raises(ErreurMetier, match="obligatoire pour les gestionnaires"):
        securite.retirer_double_facteur(chef)
    assert securite.a_un_double_facteur(chef)


def test_la_page_de_verification_n_est_pas_accessible_sans_etre_connecte(client):
    reponse = client.get(VERIFIER)

    assert reponse.status_code == 302
    assert reponse["Location"].startswith(CONNEXION)


def test_l_api_n_est_pas_soumise_au_second_facteur_de_la_session(client):
    chef = gestionnaire("93")
    application(chef)
    se_connecter(client, chef.email)

    assert client.get("/api/v1/sante").status_code == 200


def test_les_codes_de_demonstration_permettent_de_se_connecter_et_sont_remis_a_chaque_fois(
    client,
):
    chef = gestionnaire("93")
    securite.codes_de_secours_demo(chef, ["sne-demo-1", "sne-demo-2"])
    se_connecter(client, chef.email)

    assert client.post(VERIFIER, {"code_secours": "sne-demo-1"})["Location"] == "/"
    assert securite.codes_de_secours_restants(chef) == 1

    securite.codes_de_secours_demo(chef, ["sne-demo-1", "sne-demo-2"])
    assert securite.codes_de_secours_restants(chef) == 2


# --- Audit ------------------------------------------------------------------------------------


def test_chaque_changement_de_second_facteur_est_journalise():
    personne = agent(GuichetFactory())
    appareil = securite.creer_appareil_totp(personne)
    securite.confirmer_appareil_totp(appareil, code_actuel(appareil), adresse_ip="192.0.2.1")
    securite.codes_de_secours(personne)
    securite.retirer_double_facteur(personne)

    resumes = list(
        EvenementAudit.objects.filter(
            action=EvenementAudit.Action.MODIFICATION, objet_id=str(personne.pk)
        )
        .order_by("pk")
        .values_list("resume", flat=True)
    )
    assert resumes == [
        "Double authentification : application d'authentification ajoutée",
        "Double authentification : nouveaux codes de secours générés",
        "Double authentification désactivée",
    ]


def test_une_connexion_reussie_est_journalisee_avec_l_adresse_ip(client):
    personne = UtilisateurFactory(email="agent@bailleur.fr")

    se_connecter(client, "agent@bailleur.fr")

    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.CONNEXION)
    assert evenement.utilisateur == personne
    assert evenement.adresse_ip == "127.0.0.1"


def test_un_echec_est_journalise_sans_le_mot_de_passe_ni_l_adresse_tapee(client):
    personne = UtilisateurFactory(email="agent@bailleur.fr")

    se_connecter(client, "agent@bailleur.fr", "secret-tape-par-erreur")
    se_connecter(client, "inconnu.personne@mairie.fr", "autre-secret")

    echecs = EvenementAudit.objects.filter(action=EvenementAudit.Action.CONNEXION_ECHOUEE)
    sur_le_compte = echecs.get(utilisateur=personne)
    inconnu = echecs.get(utilisateur__isnull=True)
    assert sur_le_compte.details == {"domaine": "bailleur.fr"}
    assert sur_le_compte.adresse_ip == "127.0.0.1"
    assert inconnu.details == {"domaine": "mairie.fr"}
    for evenement in echecs:
        trace = f"{evenement.resume} {evenement.details}"
        assert "secret" not in trace and "inconnu.personne" not in trace


def test_le_blocage_est_journalise(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    for _ in range(5):
        se_connecter(client, "agent@bailleur.fr", "faux")

    dernier = EvenementAudit.objects.filter(action=EvenementAudit.Action.CONNEXION_ECHOUEE).first()

    assert dernier.details == {"domaine": "bailleur.fr", "verrouillage": True}
    assert "temporairement bloqué" in dernier.resume


# --- Session and passwords --------------------------------------------------------------------


def test_la_session_expire_au_bout_de_huit_heures_et_a_la_fermeture_du_navigateur(client):
    UtilisateurFactory(email="agent@bailleur.fr")
    se_connecter(client, "agent@bailleur.fr")

    assert client.session.get_expiry_age() <= 8 * 3600
    assert client.session.get_expire_at_browser_close()


def test_les_mots_de_passe_sont_haches_avec_argon2(settings):
    from sne.settings import base as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # tests hash faster (test.py)

    assert make_password("un mot de passe").startswith("argon2")


def test_l_assistance_nationale_reinitialise_la_double_authentification_d_un_gestionnaire(client):
    from django_otp.plugins.otp_static.models import StaticDevice

    from sne.comptes.securite import codes_de_secours_demo
    from tests.factories import gestionnaire, national
    from tests.outils import connecter

    referente = gestionnaire("93")
    codes_de_secours_demo(referente, ["perdu-1"])
    connecter(client, national())

    client.post(f"/gestion/utilisateurs/{referente.pk}/double-authentification/")

    assert not StaticDevice.objects.filter(user=referente, name="Codes de secours").exists()
    assert EvenementAudit.objects.filter(
        objet_id=str(referente.pk), resume__contains="réinitialisée"
    ).exists()


def test_un_gestionnaire_ne_reinitialise_pas_la_double_authentification_d_un_pair(client):
    from django_otp.plugins.otp_static.models import StaticDevice

    from sne.comptes.securite import codes_de_secours_demo
    from tests.factories import gestionnaire
    from tests.outils import connecter

    pair = gestionnaire("93")
    codes_de_secours_demo(pair, ["garde-1"])
    connecter(client, gestionnaire("93"))

    client.post(f"/gestion/utilisateurs/{pair.pk}/double-authentification/")

    assert StaticDevice.objects.filter(user=pair).exclude(name="Tests").exists()
