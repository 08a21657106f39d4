"""The OpenID Connect client of FranceConnect (docs/franceconnect.md): an optional way into the
portal, behind `SNE_FRANCECONNECT`.

FranceConnect proves who the person is (given names, family name, birth date, e-mail), never
which demande is theirs: the portal links a FranceConnect identity (`sub`) to a demande only
after the usual check of the code télédemandeur (`services_franceconnect.lier_demande`).

The flow is OpenID Connect's authorization code flow (OpenID Connect Core 1.0, § 3.1), as
FranceConnect's partners' documentation asks:
- `url_autorisation` draws a `state` (against forged answers, RFC 6749 § 10.12) and a `nonce`
  (against replayed ID tokens, OIDC Core § 3.1.2.1) and keeps them in the portal's own session
  (`request.portail`, never the agents' `request.session`), for one use only;
- `terminer_autorisation` checks the state, exchanges the code at the token endpoint,
  validates the ID token (signature against the provider's published keys, `iss`, `aud`,
  `exp`, `nonce`, OIDC Core § 3.1.3.7; its eIDAS level `acr`) and reads the identity at the
  userinfo endpoint (a JSON document, or a signed JWT as FranceConnect v2 sends it, verified
  the same way);
- `url_deconnexion` is the provider's logout (OIDC RP-Initiated Logout 1.0): FranceConnect
  requires the partner to end the person's FranceConnect session too.

Plain `requests` and `joserfc`: the state lives in the portal's session, which Authlib's Django
client (storing it in `request.session`) would not use.
"""

import hmac
import logging
import secrets
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

import requests
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

logger = logging.getLogger(__name__)

# What waits in `request.portail` between the redirection to the provider and its answer.
CLE_FLUX = "franceconnect_flux"
# The ID token of a session opened through FranceConnect: the logout's `id_token_hint`.
CLE_ID_TOKEN = "franceconnect_id_token"
ALGORITHMES = ["RS256", "ES256"]
# FranceConnect's guarantee levels (eIDAS), lowest first.
NIVEAUX_EIDAS = ("eidas1", "eidas2", "eidas3")


class ErreurFranceConnect(Exception):
    """The provider did not identify the person: refused, unreachable, or an answer that does
    not hold (bad signature, wrong audience, expired, wrong nonce). Never the applicant's
    fault; they can still log in with their code."""


class FournisseurIndisponible(ErreurFranceConnect):
    """The provider does not answer (network, timeout, a 5xx of its own)."""


class EtatInvalide(ErreurFranceConnect):
    """An answer this browser did not ask for (forged or replayed `state`): nothing opened."""


class ConnexionAnnulee(ErreurFranceConnect):
    """The person declined at FranceConnect (`error=access_denied`)."""


@dataclass(frozen=True)
class IdentiteFranceConnect:
    """What FranceConnect says of the person. Kept only in the portal's session, until the
    link is made; only `sub` is ever stored in the database (`LienFranceConnect`)."""

    sub: str
    prenoms: str = ""
    nom: str = ""
    date_naissance: str = ""  # « AAAA-MM-JJ », as FranceConnect's `birthdate`
    email: str = ""

    def en_session(self) -> dict:
        return asdict(self)

    @classmethod
    def depuis_session(cls, valeurs: dict) -> "IdentiteFranceConnect":
        return cls(**{nom: str(valeurs.get(nom) or "") for nom in cls.__dataclass_fields__})


def active() -> bool:
    return bool(settings.SNE_FRANCECONNECT)


def _appeler(methode: str, url: str, **kwargs) -> requests.Response:
    """One call to the provider: `FournisseurIndisponible` when it does not answer or fails
    itself, `ErreurFranceConnect` when it refuses what it was sent (a 4xx)."""
    try:
        reponse = requests.request(
            methode, url, timeout=settings.SNE_FRANCECONNECT_DELAI, allow_redirects=False, **kwargs
        )
    except requests.RequestException as e:
        logger.warning("FranceConnect injoignable (%s) : %s", url, e.__class__.__name__)
        raise FournisseurIndisponible("Le fournisseur ne répond pas.") from e
    if reponse.status_code >= 500:
        logger.warning("FranceConnect en erreur (%s) : %s", url, reponse.status_code)
        raise FournisseurIndisponible("Le fournisseur est en erreur.")
    if reponse.status_code != 200:
        logger.warning("FranceConnect refuse l'appel (%s) : %s", url, reponse.status_code)
        raise ErreurFranceConnect("Le fournisseur refuse l'appel.")
    return reponse


def _json(reponse: requests.Response) -> dict:
    try:
        donnees = reponse.json()
    except ValueError as e:
        raise ErreurFranceConnect("Réponse du fournisseur illisible.") from e
    if not isinstance(donnees, dict):
        raise ErreurFranceConnect("Réponse du fournisseur illisible.")
    return donnees


def configuration() -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0): its endpoints and
    keys' address. Its `issuer` must be the configured one (§ 4.3)."""
    issuer = settings.SNE_FRANCECONNECT_ISSUER
    document = _json(_appeler("GET", f"{issuer}/.well-known/openid-configuration"))
    if document.get("issuer") != issuer:
        logger.warning("FranceConnect : l'émetteur annoncé n'est pas celui configuré.")
        raise ErreurFranceConnect("Émetteur inattendu.")
    for cle in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        if not isinstance(document.get(cle), str):
            raise ErreurFranceConnect(f"Document de découverte sans {cle}.")
    return document


def url_autorisation(request) -> str:
    """Where to send the person to log in at FranceConnect. A new state and nonce each time,
    kept in the portal's session (a second click replaces the first one's)."""
    document = configuration()
    flux = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32)}
    request.portail[CLE_FLUX] = flux
    parametres = {
        "response_type": "code",
        "client_id": settings.SNE_FRANCECONNECT_CLIENT_ID,
        "redirect_uri": settings.SNE_FRANCECONNECT_REDIRECT_URI,
        "scope": settings.SNE_FRANCECONNECT_SCOPES,
        "acr_values": settings.SNE_FRANCECONNECT_ACR,
        "state": flux["state"],
        "nonce": flux["nonce"],
    }
    return f"{document['authorization_endpoint']}?{urlencode(parametres)}"


def _meme_valeur(a, b) -> bool:
    """Compared in constant time, as bytes: `compare_digest` refuses non-ASCII text, which
    anyone can put in the callback's `state`."""
    return (
        isinstance(a, str)
        and isinstance(b, str)
        and hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8"))
    )


def terminer_autorisation(request) -> tuple[IdentiteFranceConnect, str]:
    """The provider's answer on the callback: `(identity, id_token)`, or `ErreurFranceConnect`.
    The state is used up whatever the outcome: a replayed answer finds nothing to match."""
    flux = request.portail.pop(CLE_FLUX, None)
    if "error" in request.GET:
        # An error answer opens nothing, so it needs no state to be believed (and some
        # providers leave it out): the person is only told they are not logged in.
        erreur = request.GET.get("error", "")
        logger.info(
            "FranceConnect a répondu par une erreur : %s",
            erreur if erreur.isascii() and erreur.isidentifier() and len(erreur) < 50 else "?",
        )
        if erreur == "access_denied":
            raise ConnexionAnnulee("Connexion annulée par la personne.")
        raise ErreurFranceConnect("Erreur du fournisseur.")
    if not isinstance(flux, dict) or not _meme_valeur(request.GET.get("state"), flux.get("state")):
        logger.warning("FranceConnect : réponse avec un state inconnu ou déjà utilisé.")
        raise EtatInvalide("State inconnu ou déjà utilisé.")
    code = request.GET.get("code", "")
    if not code:
        raise ErreurFranceConnect("Réponse sans code.")

    document = configuration()
    jeton = _echanger_code(document, code)
    cles = _cles(document)
    id_token = jeton.get("id_token")
    access_token = jeton.get("access_token")
    if not isinstance(id_token, str) or not isinstance(access_token, str):
        raise ErreurFranceConnect("Réponse du point de jeton incomplète.")
    revendications = _valider_jwt(id_token, cles, nonce=flux.get("nonce"))
    if not _niveau_suffisant(revendications.get("acr")):
        logger.warning("FranceConnect : niveau de garantie insuffisant.")
        raise ErreurFranceConnect("Niveau de garantie insuffisant.")
    identite = _informations(document, access_token, cles, sub=revendications["sub"])
    return identite, id_token


def _echanger_code(document: dict, code: str) -> dict:
    reponse = _appeler(
        "POST",
        document["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.SNE_FRANCECONNECT_REDIRECT_URI,
            "client_id": settings.SNE_FRANCECONNECT_CLIENT_ID,
            "client_secret": settings.SNE_FRANCECONNECT_CLIENT_SECRET,
        },
        headers={"Accept": "application/json"},
    )
    return _json(reponse)


def _cles(document: dict) -> KeySet:
    try:
        return KeySet.import_key_set(_json(_appeler("GET", document["jwks_uri"])))
    except (JoseError, ValueError, TypeError, KeyError) as e:
        raise ErreurFranceConnect("Clés du fournisseur illisibles.") from e


def _valider_jwt(valeur: str, cles: KeySet, *, nonce: str | None = None) -> dict:
    """The claims of a JWT signed by the provider, for this client, from this issuer, not
    expired; with this nonce when one is given (the ID token)."""
    try:
        jeton = jwt.decode(valeur, cles, algorithms=ALGORITHMES)
        attendu = {
            "iss": {"essential": True, "value": settings.SNE_FRANCECONNECT_ISSUER},
            "aud": {"essential": True, "value": settings.SNE_FRANCECONNECT_CLIENT_ID},
            "sub": {"essential": True},
        }
        if nonce is not None:
            attendu["exp"] = {"essential": True}
            attendu["nonce"] = {"essential": True, "value": nonce}
        jwt.JWTClaimsRegistry(leeway=60, **attendu).validate(jeton.claims)
    except (JoseError, ValueError, TypeError) as e:
        logger.warning("FranceConnect : jeton refusé (%s).", e.__class__.__name__)
        raise ErreurFranceConnect("Jeton refusé.") from e
    if not isinstance(jeton.claims.get("sub"), str) or not jeton.claims["sub"]:
        raise ErreurFranceConnect("Jeton sans sub.")
    return jeton.claims


def _niveau_suffisant(acr) -> bool:
    """The ID token's `acr` is at least the level asked for (`SNE_FRANCECONNECT_ACR`), as
    FranceConnect asks its partners to check. A token without `acr` (OIDC Core makes it
    optional when `acr_values` is only requested) is accepted, and so is any level when the
    level asked for is not one of eIDAS's (another provider's vocabulary)."""
    demande = settings.SNE_FRANCECONNECT_ACR
    if acr is None or demande not in NIVEAUX_EIDAS:
        return True
    return acr in NIVEAUX_EIDAS and NIVEAUX_EIDAS.index(acr) >= NIVEAUX_EIDAS.index(demande)


def _informations(document: dict, access_token: str, cles: KeySet, *, sub: str):
    reponse = _appeler(
        "GET", document["userinfo_endpoint"], headers={"Authorization": f"Bearer {access_token}"}
    )
    if reponse.headers.get("Content-Type", "").startswith("application/jwt"):
        revendications = _valider_jwt(reponse.text.strip(), cles)
    else:
        revendications = _json(reponse)
    # OIDC Core § 5.3.2: the userinfo's sub must be the ID token's.
    if revendications.get("sub") != sub:
        raise ErreurFranceConnect("Le sub des informations n'est pas celui du jeton.")

    def texte(nom: str) -> str:
        valeur = revendications.get(nom)
        return valeur[:200] if isinstance(valeur, str) else ""

    return IdentiteFranceConnect(
        sub=sub,
        prenoms=texte("given_name"),
        nom=texte("family_name"),
        date_naissance=texte("birthdate"),
        email=texte("email"),
    )


def url_deconnexion(id_token: str) -> str | None:
    """The provider's logout for this session (its `end_session_endpoint`), back to
    `SNE_FRANCECONNECT_POST_LOGOUT_REDIRECT_URI`; None when it offers none."""
    point = configuration().get("end_session_endpoint")
    if not isinstance(point, str):
        return None
    parametres = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": settings.SNE_FRANCECONNECT_POST_LOGOUT_REDIRECT_URI,
        "state": secrets.token_urlsafe(32),
    }
    return f"{point}?{urlencode(parametres)}"
