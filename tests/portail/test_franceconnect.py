"""Logging in with FranceConnect, end to end against a local OpenID Connect provider
(oidc-provider-mock, started in a thread), never the real one.

The test client plays the browser: it follows our redirection to the provider's authorization
page, where `requests` approves as a preset person (what clicking « Authorize » posts), then
follows the provider's redirection back to our callback. Our server talks to the provider by
HTTP for the discovery document, the keys, the token and the userinfo.
"""

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from django.contrib.auth.hashers import make_password
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from oidc_provider_mock import run_server_in_thread

from sne.audit.models import EvenementAudit
from sne.portail import franceconnect
from sne.portail.models import CodeTeledemandeur, LienFranceConnect, Tentative
from tests.outils import texte
from tests.test_reglages_de_production import PRODUCTION, reglages
from tests.test_saisies_hostiles import VALEURS_HOSTILES, _parcourir

pytestmark = pytest.mark.django_db

CODE = "12345678"
MESSAGE_GENERIQUE = "Nous n'avons pas pu relier votre compte FranceConnect à une demande."
SAMIA = {
    "given_name": "Samia",
    "family_name": "Benali",
    "birthdate": "1990-06-15",  # the demandeur's date of birth (tests/portail/conftest.py)
    "email": "samia.benali@example.fr",
    "acr": "eidas1",  # the mock puts the person's claims in the ID token too
}


@pytest.fixture(scope="module")
def fournisseur():
    """The local provider, for this module's tests: its address is its issuer."""
    with run_server_in_thread() as serveur:
        yield f"http://localhost:{serveur.server_port}"


@pytest.fixture(autouse=True)
def franceconnect_actif(settings, fournisseur):
    settings.SNE_FRANCECONNECT = True
    settings.SNE_FRANCECONNECT_ISSUER = fournisseur
    settings.SNE_FRANCECONNECT_CLIENT_ID = "sne-tests"
    settings.SNE_FRANCECONNECT_CLIENT_SECRET = "secret-des-tests"
    settings.SNE_FRANCECONNECT_DELAI = 5
    # FranceConnect names a scope after each claim; the mock gives given_name, family_name and
    # birthdate under the standard « profile » scope only.
    settings.SNE_FRANCECONNECT_SCOPES = "openid given_name family_name birthdate email profile"


@pytest.fixture
def code(demande):
    return CodeTeledemandeur.objects.create(
        demande=demande,
        code_hache=make_password(CODE),
        canal=CodeTeledemandeur.Canal.EMAIL,
        expire_le=timezone.now() + timedelta(hours=24),
    )


def personne(fournisseur, sub, revendications=SAMIA):
    """The provider knows this person (their claims), as if they had a FranceConnect account."""
    requests.put(f"{fournisseur}/users/{sub}", json=revendications, timeout=5).raise_for_status()


def chez_le_fournisseur(client, sub, *, action=None, nonce=None, suivant=None):
    """Click the FranceConnect button, approve at the provider as `sub` (or decline), and
    come back: the URL the provider sends the browser back to (path and query)."""
    depart = client.get("/portail/franceconnect/", {"suivant": suivant} if suivant else {})
    assert depart.status_code == 302
    autorisation = depart["Location"]
    if nonce is not None:
        morceaux = urlsplit(autorisation)
        parametres = {k: v[0] for k, v in parse_qs(morceaux.query).items()}
        parametres["nonce"] = nonce
        autorisation = urlunsplit(morceaux._replace(query=urlencode(parametres)))
    donnees = {"action": action} if action else {"sub": sub}
    reponse = requests.post(autorisation, data=donnees, allow_redirects=False, timeout=5)
    assert reponse.status_code == 302, reponse.text
    retour = urlsplit(reponse.headers["Location"])
    assert retour.path == "/portail/franceconnect/retour/"
    return f"{retour.path}?{retour.query}"


def connecte_sur(client):
    reponse = client.get("/portail/ma-demande/")
    return reponse.status_code == 200


def lier(client, numero, code=CODE):
    return client.post("/portail/franceconnect/lier-ma-demande/", {"numero": numero, "code": code})


# --- The setting ----------------------------------------------------------------------------


def test_sans_le_reglage_franceconnect_n_existe_pas(client, settings):
    settings.SNE_FRANCECONNECT = False
    for adresse in ("", "retour/?code=x&state=y", "lier-ma-demande/", "deconnecte/"):
        reponse = client.get(f"/portail/franceconnect/{adresse}")
        assert reponse.status_code == 404
        assert "introuvable" in texte(reponse).lower()
    assert "FranceConnect" not in render_to_string("portail/franceconnect/_bouton.html")


def test_avec_le_reglage_le_bouton_mene_au_fournisseur(client, settings, fournisseur):
    bouton = render_to_string("portail/franceconnect/_bouton.html")
    assert 'action="/portail/franceconnect/"' in bouton and "fr-connect" in bouton
    reponse = client.get("/portail/franceconnect/")
    assert reponse.status_code == 302
    adresse = urlsplit(reponse["Location"])
    parametres = parse_qs(adresse.query)
    assert f"{adresse.scheme}://{adresse.netloc}" == fournisseur
    assert parametres["acr_values"] == ["eidas1"]
    assert parametres["client_id"] == ["sne-tests"]
    assert parametres["redirect_uri"] == [settings.SNE_FRANCECONNECT_REDIRECT_URI]
    assert parametres["state"][0] and parametres["nonce"][0]
    assert parametres["state"] != parametres["nonce"]


def test_par_defaut_franceconnect_est_desactive_avec_les_portees_de_franceconnect(tmp_path):
    resultat = reglages(
        {"SNE_URL_SITE": "http://localhost:8000"},
        tmp_path,
        "SNE_FRANCECONNECT",
        "SNE_FRANCECONNECT_SCOPES",
        "SNE_FRANCECONNECT_ACR",
        "SNE_FRANCECONNECT_REDIRECT_URI",
    )
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines() == [
        "SNE_FRANCECONNECT False",
        "SNE_FRANCECONNECT_SCOPES 'openid given_name family_name birthdate email'",
        "SNE_FRANCECONNECT_ACR 'eidas1'",
        "SNE_FRANCECONNECT_REDIRECT_URI 'http://localhost:8000/portail/franceconnect/retour/'",
    ]


def test_en_production_franceconnect_refuse_de_demarrer_sans_son_client(tmp_path):
    variables = {
        **PRODUCTION,
        "SNE_FRANCECONNECT": "1",
        "SNE_FRANCECONNECT_ISSUER": "https://oidc.franceconnect.gouv.fr/api/v2",
        "SNE_FRANCECONNECT_CLIENT_ID": "client",
    }
    resultat = reglages(variables, tmp_path, "SNE_FRANCECONNECT")
    assert resultat.returncode != 0
    assert "SNE_FRANCECONNECT=1 demande en production" in resultat.stderr

    variables["SNE_FRANCECONNECT_CLIENT_SECRET"] = "secret"
    resultat = reglages(variables, tmp_path, "SNE_FRANCECONNECT")
    assert resultat.returncode == 0, resultat.stderr


# --- Linking a demande, then logging in -------------------------------------------------------


def test_premiere_connexion_puis_liaison_avec_le_bon_code(client, demande, code, fournisseur):
    personne(fournisseur, "fc-samia")
    retour = client.get(chez_le_fournisseur(client, "fc-samia"))
    assert retour.status_code == 302
    assert retour["Location"] == "/portail/franceconnect/lier-ma-demande/"
    assert not connecte_sur(client)

    page = client.get(retour["Location"])
    assert page.status_code == 200
    assert "Bonjour Samia" in texte(page)
    assert 'href="/portail/code/"' in page.content.decode()
    assert 'for="id_numero"' in page.content.decode()

    reponse = lier(client, demande.numero_unique.lower()[:9] + " " + demande.numero_unique[9:])
    assert reponse.status_code == 302 and reponse["Location"] == "/portail/ma-demande/"
    assert connecte_sur(client)
    lien = LienFranceConnect.objects.get()
    assert (lien.demande, lien.sub) == (demande, "fc-samia")
    # (the page « Ma demande », opened since, is in the journal too: its consultation)
    evenement = EvenementAudit.objects.filter(
        objet_id=str(demande.pk), action=EvenementAudit.Action.CONNEXION
    ).latest("pk")
    assert evenement.details == {"moyen": "franceconnect"}
    assert evenement.utilisateur is None and evenement.guichet.code == "PGP00"


def test_la_seconde_connexion_ouvre_directement_la_demande(client, demande, code, fournisseur):
    personne(fournisseur, "fc-samia-2")
    client.get(chez_le_fournisseur(client, "fc-samia-2"))
    lier(client, demande.numero_unique)
    client.cookies.clear()
    assert not connecte_sur(client)

    retour = client.get(chez_le_fournisseur(client, "fc-samia-2"))
    assert retour.status_code == 302 and retour["Location"] == "/portail/ma-demande/"
    assert connecte_sur(client)
    assert LienFranceConnect.objects.get().derniere_connexion_le is not None
    assert (
        EvenementAudit.objects.filter(
            objet_id=str(demande.pk), action=EvenementAudit.Action.CONNEXION
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "cas",
    ["mauvais code", "autre date de naissance", "numéro inconnu", "code expiré", "code remplacé"],
)
def test_un_echec_de_liaison_donne_un_seul_message_et_ne_lie_rien(
    client, demande, code, fournisseur, cas
):
    sub = f"fc-{cas.replace(' ', '-')}"
    revendications = {**SAMIA, "birthdate": "1991-06-15"} if "naissance" in cas else SAMIA
    personne(fournisseur, sub, revendications)
    numero = "0931126000123PGP00" if cas == "numéro inconnu" else demande.numero_unique
    if cas == "code expiré":
        CodeTeledemandeur.objects.update(expire_le=timezone.now() - timedelta(minutes=1))
    if cas == "code remplacé":
        CodeTeledemandeur.objects.update(remplace_le=timezone.now())
    client.get(chez_le_fournisseur(client, sub))

    reponse = lier(client, numero, "87654321" if cas == "mauvais code" else CODE)
    assert reponse.status_code == 200
    page = texte(reponse)
    assert MESSAGE_GENERIQUE in page
    assert 'id="resume-erreurs"' in page
    assert not LienFranceConnect.objects.exists()
    assert not connecte_sur(client)
    assert Tentative.objects.filter(type="connexion", reussie=False).count() == 2


def test_une_saisie_hors_format_est_signalee_sur_son_champ(client, demande, code, fournisseur):
    personne(fournisseur, "fc-saisie")
    client.get(chez_le_fournisseur(client, "fc-saisie"))
    reponse = lier(client, "9" * 500, "")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert 'href="#id_numero"' in page and 'href="#id_code"' in page
    assert not Tentative.objects.exists()


def test_les_essais_sont_limites_par_numero_et_par_adresse(
    client, demande, code, fournisseur, settings
):
    settings.SNE_PORTAIL_TENTATIVES_MAX = {
        **settings.SNE_PORTAIL_TENTATIVES_MAX,
        "connexion": (2, 15),
    }
    personne(fournisseur, "fc-essais")
    client.get(chez_le_fournisseur(client, "fc-essais"))
    for _ in range(2):
        assert MESSAGE_GENERIQUE in texte(lier(client, demande.numero_unique, "00000000"))
    # Even the right code is refused now, with its own message.
    reponse = lier(client, demande.numero_unique)
    assert "Trop d'essais" in texte(reponse)
    assert not LienFranceConnect.objects.exists()
    # Per address: other numéros from the same address are refused too.
    assert "Trop d'essais" in texte(lier(client, "0931126000123PGP00"))


def test_la_page_de_liaison_sans_identite_en_attente_dit_de_recommencer(client):
    reponse = client.get("/portail/franceconnect/lier-ma-demande/")
    assert reponse.status_code == 400
    assert "Votre connexion a expiré" in texte(reponse)
    assert lier(client, "093112600012393BA1").status_code == 400


@pytest.mark.parametrize(
    ("suivant", "arrivee"),
    [
        ("/portail/demande-en-ligne/", "/portail/demande-en-ligne/"),
        ("https://ailleurs.example/portail/", "/portail/ma-demande/"),
        ("//ailleurs.example/portail/", "/portail/ma-demande/"),
        ("/demandes/", "/portail/ma-demande/"),
        ("/portail/\\ailleurs.example", "/portail/ma-demande/"),
    ],
)
def test_apres_la_connexion_le_demandeur_arrive_sur_la_page_du_portail_demandee(
    client, demande, code, fournisseur, suivant, arrivee
):
    personne(fournisseur, "fc-suivant")
    retour = client.get(chez_le_fournisseur(client, "fc-suivant", suivant=suivant))
    assert retour["Location"] == "/portail/franceconnect/lier-ma-demande/"
    assert lier(client, demande.numero_unique)["Location"] == arrivee


# --- What is refused: forged or replayed answers, provider errors ------------------------------


def test_un_state_forge_est_refuse(client, demande, code, fournisseur):
    personne(fournisseur, "fc-forge")
    retour = chez_le_fournisseur(client, "fc-forge")
    forge = retour.replace("state=", "state=x")
    reponse = client.get(forge)
    assert reponse.status_code == 400
    assert "Cette connexion n'est plus valable" in texte(reponse)
    # The genuine answer, arriving after, finds its state used up too: nothing is opened.
    assert client.get(retour).status_code == 400
    assert not connecte_sur(client)


def test_un_state_hors_ascii_est_refuse_sans_erreur(client, fournisseur):
    client.get("/portail/franceconnect/")  # a flow started: its state waits in the session
    reponse = client.get("/portail/franceconnect/retour/", {"code": "x", "state": "état🏠"})
    assert reponse.status_code == 400
    assert "Cette connexion n'est plus valable" in texte(reponse)


def test_une_reponse_rejouee_est_refusee(client, demande, code, fournisseur):
    personne(fournisseur, "fc-rejeu")
    client.get(chez_le_fournisseur(client, "fc-rejeu"))
    lier(client, demande.numero_unique)
    retour = chez_le_fournisseur(client, "fc-rejeu")
    assert client.get(retour)["Location"] == "/portail/ma-demande/"
    client.cookies.clear()
    # Another browser replaying the same answer: its session holds no state.
    rejeu = client.get(retour)
    assert rejeu.status_code == 400
    assert not connecte_sur(client)


def test_un_id_token_d_un_autre_nonce_est_refuse(client, demande, code, fournisseur):
    personne(fournisseur, "fc-nonce")
    reponse = client.get(chez_le_fournisseur(client, "fc-nonce", nonce="un-autre-nonce"))
    assert reponse.status_code == 400
    assert "FranceConnect n'a pas pu vous identifier" in texte(reponse)
    assert "numéro unique et votre code télédemandeur" in texte(reponse)
    assert not connecte_sur(client)
    assert client.get("/portail/franceconnect/lier-ma-demande/").status_code == 400


@pytest.mark.parametrize(
    ("demande_", "obtenu", "accepte"),
    [
        ("eidas1", "eidas2", True),
        ("eidas2", "eidas1", False),
        ("eidas1", "autre", False),
    ],
)
def test_le_niveau_de_garantie_est_verifie(
    client, settings, fournisseur, demande_, obtenu, accepte
):
    settings.SNE_FRANCECONNECT_ACR = demande_
    sub = f"fc-acr-{demande_}-{obtenu}"
    personne(fournisseur, sub, {**SAMIA, "acr": obtenu})
    reponse = client.get(chez_le_fournisseur(client, sub))
    if accepte:
        assert reponse["Location"] == "/portail/franceconnect/lier-ma-demande/"
    else:
        assert reponse.status_code == 400
        assert "FranceConnect n'a pas pu vous identifier" in texte(reponse)


def test_une_connexion_annulee_chez_le_fournisseur(client, fournisseur):
    reponse = client.get(chez_le_fournisseur(client, "", action="deny"))
    assert reponse.status_code == 200
    assert "Vous avez annulé la connexion avec FranceConnect" in texte(reponse)
    assert 'href="/portail/connexion/"' in reponse.content.decode()


def test_un_fournisseur_injoignable_donne_une_page_en_francais(client, settings):
    settings.SNE_FRANCECONNECT_ISSUER = "http://localhost:9"  # discard: nobody listens
    reponse = client.get("/portail/franceconnect/")
    assert reponse.status_code == 503
    assert "FranceConnect n'a pas pu vous identifier" in texte(reponse)


def test_un_code_refuse_au_point_de_jeton_donne_une_page_en_francais(client, settings, fournisseur):
    personne(fournisseur, "fc-client")
    retour = chez_le_fournisseur(client, "fc-client")
    settings.SNE_FRANCECONNECT_CLIENT_ID = "un-autre-client"  # the code was not issued to it
    reponse = client.get(retour)
    assert reponse.status_code == 400
    assert "FranceConnect n'a pas pu vous identifier" in texte(reponse)


# --- The ID token's checks, one by one ----------------------------------------------------------


@pytest.fixture
def cle():
    return RSAKey.generate_key(2048, parameters={"kid": "cle-1"})


def jeton(cle, **revendications):
    maintenant = int(time.time())
    valeurs = {
        "iss": "http://localhost:1234",
        "aud": "sne-tests",
        "sub": "fc-1",
        "exp": maintenant + 60,
        "iat": maintenant,
        "nonce": "n-1",
        **revendications,
    }
    return jwt.encode({"alg": "RS256", "kid": "cle-1"}, valeurs, cle)


@pytest.mark.parametrize(
    "revendications",
    [
        {"iss": "https://un-autre-fournisseur.example"},
        {"aud": "un-autre-client"},
        {"exp": int(time.time()) - 3600},
        {"nonce": "n-2"},
        {"nonce": None},
        {"sub": ""},
    ],
    ids=["iss", "aud", "exp", "nonce", "sans nonce", "sans sub"],
)
def test_un_id_token_non_conforme_est_refuse(settings, cle, revendications):
    settings.SNE_FRANCECONNECT_ISSUER = "http://localhost:1234"
    cles = KeySet([cle])
    assert franceconnect._valider_jwt(jeton(cle), cles, nonce="n-1")["sub"] == "fc-1"
    valeurs = {k: v for k, v in revendications.items() if v is not None}
    sans = {k: None for k, v in revendications.items() if v is None}
    brut = jeton(cle, **valeurs)
    if sans:
        brut = jwt.encode(
            {"alg": "RS256", "kid": "cle-1"},
            {k: v for k, v in jwt.decode(brut, cle).claims.items() if k not in sans},
            cle,
        )
    with pytest.raises(franceconnect.ErreurFranceConnect):
        franceconnect._valider_jwt(brut, cles, nonce="n-1")


def test_un_id_token_signe_par_une_autre_cle_est_refuse(settings, cle):
    settings.SNE_FRANCECONNECT_ISSUER = "http://localhost:1234"
    autre = RSAKey.generate_key(2048, parameters={"kid": "cle-1"})
    with pytest.raises(franceconnect.ErreurFranceConnect):
        franceconnect._valider_jwt(jeton(autre), KeySet([cle]), nonce="n-1")


@pytest.fixture
def point_userinfo():
    """A userinfo endpoint answering as FranceConnect v2 does: a signed JWT
    (`application/jwt`). `point_userinfo.corps` is what it sends."""

    class Point(BaseHTTPRequestHandler):
        corps = b""

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/jwt")
            self.end_headers()
            self.wfile.write(Point.corps)

        def log_message(self, *args):
            pass

    serveur = HTTPServer(("localhost", 0), Point)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    Point.adresse = f"http://localhost:{serveur.server_port}/userinfo"
    yield Point
    serveur.shutdown()
    serveur.server_close()


def test_les_informations_signees_de_franceconnect_v2_sont_verifiees(settings, cle, point_userinfo):
    settings.SNE_FRANCECONNECT_ISSUER = "http://localhost:1234"
    document = {"userinfo_endpoint": point_userinfo.adresse}
    cles = KeySet([cle])
    point_userinfo.corps = jeton(cle, given_name="Samia", birthdate="1990-06-15").encode()
    identite = franceconnect._informations(document, "jeton-d-acces", cles, sub="fc-1")
    assert (identite.prenoms, identite.date_naissance) == ("Samia", "1990-06-15")
    # Signed by another key, or for another person: refused.
    autre = RSAKey.generate_key(2048, parameters={"kid": "cle-1"})
    point_userinfo.corps = jeton(autre).encode()
    with pytest.raises(franceconnect.ErreurFranceConnect):
        franceconnect._informations(document, "jeton-d-acces", cles, sub="fc-1")
    point_userinfo.corps = jeton(cle, sub="fc-2").encode()
    with pytest.raises(franceconnect.ErreurFranceConnect):
        franceconnect._informations(document, "jeton-d-acces", cles, sub="fc-1")


# --- Logging out --------------------------------------------------------------------------------


def test_la_deconnexion_passe_par_le_fournisseur(client, demande, code, fournisseur, settings):
    personne(fournisseur, "fc-depart")
    client.get(chez_le_fournisseur(client, "fc-depart"))
    lier(client, demande.numero_unique)
    assert connecte_sur(client)

    reponse = client.post("/portail/franceconnect/deconnexion/")
    assert reponse.status_code == 302
    adresse = urlsplit(reponse["Location"])
    parametres = parse_qs(adresse.query)
    assert f"{adresse.scheme}://{adresse.netloc}{adresse.path}" == (
        f"{fournisseur}/oauth2/end_session"
    )
    assert parametres["post_logout_redirect_uri"] == [
        settings.SNE_FRANCECONNECT_POST_LOGOUT_REDIRECT_URI
    ]
    assert parametres["id_token_hint"][0].count(".") == 2
    assert not connecte_sur(client)
    # The provider confirms, then sends the person back to our page.
    confirmation = requests.post(
        f"{fournisseur}/oauth2/end_session/confirm",
        data={"redirect_uri": parametres["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=5,
    )
    assert urlsplit(confirmation.headers["Location"]).path == "/portail/franceconnect/deconnecte/"
    assert "Vous êtes déconnecté" in texte(client.get("/portail/franceconnect/deconnecte/"))


def test_la_deconnexion_quand_le_fournisseur_ne_repond_pas(
    client, demande, code, fournisseur, settings
):
    personne(fournisseur, "fc-depart-2")
    client.get(chez_le_fournisseur(client, "fc-depart-2"))
    lier(client, demande.numero_unique)
    settings.SNE_FRANCECONNECT_ISSUER = "http://localhost:9"
    reponse = client.post("/portail/franceconnect/deconnexion/")
    assert reponse.status_code == 200
    assert "FranceConnect ne répond pas" in texte(reponse)
    assert not connecte_sur(client)


def test_la_deconnexion_sans_franceconnect_ramene_a_l_accueil(client):
    reponse = client.post("/portail/franceconnect/deconnexion/")
    assert reponse.status_code == 302 and reponse["Location"] == "/portail/"


def test_une_erreur_du_fournisseur_donne_une_page_en_francais(client):
    reponse = client.get("/portail/franceconnect/retour/?error=server_error&state=x")
    assert reponse.status_code == 400
    assert "vous pouvez toujours" in texte(reponse).lower()
    assert not connecte_sur(client)


def test_le_gabarit_sait_si_la_session_vient_de_franceconnect(rf, settings):
    gabarit = Template(
        "{% load franceconnect %}{% connecte_par_franceconnect as fc %}{{ fc|yesno:'oui,non' }}"
    )
    requete = rf.get("/portail/")
    requete.portail = {franceconnect.CLE_ID_TOKEN: "a.b.c"}
    assert gabarit.render(Context({"request": requete})) == "oui"
    requete.portail = {}
    assert gabarit.render(Context({"request": requete})) == "non"
    settings.SNE_FRANCECONNECT = False
    requete.portail = {franceconnect.CLE_ID_TOKEN: "a.b.c"}
    assert gabarit.render(Context({"request": requete})) == "non"


# --- Hostile input ------------------------------------------------------------------------------


def test_aucune_saisie_hostile_ne_provoque_d_erreur_500(client, demande, code, fournisseur):
    personne(fournisseur, "fc-hostile")
    client.get(chez_le_fournisseur(client, "fc-hostile"))
    erreurs = _parcourir(client, ["/portail/franceconnect/lier-ma-demande/"])
    client.raise_request_exception = False
    for hostile in VALEURS_HOSTILES:
        for parametres in (
            {"code": hostile, "state": hostile},
            {"error": hostile, "state": hostile},
            {"code": "x", "state": hostile, "error_description": hostile},
        ):
            reponse = client.get("/portail/franceconnect/retour/", parametres)
            if reponse.status_code >= 500:
                erreurs.append(f"GET retour/ {parametres!r:.60} → {reponse.status_code}")
        reponse = client.get("/portail/franceconnect/", {"suivant": hostile})
        if reponse.status_code >= 500:
            erreurs.append(f"GET /portail/franceconnect/?suivant={hostile[:20]!r}")
    assert not erreurs, "\n".join(erreurs)
    assert not LienFranceConnect.objects.exists()
