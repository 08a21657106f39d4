"""What a client can send, on the endpoints that read a body, a query or a path: every answer
is an RFC 9457 problem document (`application/problem+json`) with the documented status and
a French `detail`, never a 500, and nothing is written (issue 10: « nothing a client can send
breaks the server »). Runs on SQLite and PostgreSQL (which refuses NUL characters in text).

The contract's own checks (schemathesis) are in test_schemathesis.py; the size limit and the
throttle in test_authentification.py."""

import io
import json
import re

import pytest

from sne.comptes import jetons
from sne.demandes.models import Demande
from sne.demandes.services import enregistrer_demande
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db

# Words of an English message; `detail` is for a person, in French.
ANGLAIS = re.compile(r"\b(cannot|invalid|must|required|field|error|the|not found|value)\b", re.I)


@pytest.fixture
def guichet():
    return GuichetFactory(code="75RB1", departements=["75", "92"])


@pytest.fixture
def entete(guichet):
    return {"HTTP_AUTHORIZATION": f"Bearer {jetons.creer_jeton(guichet, libelle='Robustesse')[1]}"}


@pytest.fixture
def demande(guichet):
    donnees = donnees_minimales(reference_externe="RB-1")
    donnees["demandeur"] = {**donnees["demandeur"], "nom": "Robuste", "prenom": "Anne"}
    return enregistrer_demande(guichet, jetons.compte_systeme(guichet), donnees)


@pytest.fixture
def corps_valide():
    donnees = donnees_minimales(reference_externe="RB-2")
    donnees["demandeur"] = {**donnees["demandeur"], "nom": "Valide", "prenom": "Jean"}
    return donnees


def un_probleme(reponse, statut: int, code: str | None = None) -> dict:
    """The answer is the problem document of `statut` (and `code`), its detail in French."""
    assert reponse.status_code == statut, reponse.content[:500]
    assert reponse["Content-Type"] == "application/problem+json"
    if reponse.request["REQUEST_METHOD"] == "HEAD":
        return {}
    probleme = reponse.json()
    assert probleme["status"] == statut
    assert probleme["type"].endswith(f"/problemes/{probleme['code']}")
    if code:
        assert probleme["code"] == code
    detail = probleme["detail"]
    assert detail and not ANGLAIS.search(detail), detail
    for erreur in probleme.get("erreurs") or []:
        message = erreur["message"]
        assert message and not ANGLAIS.search(message), message
    return probleme


# The endpoints that read a JSON body: (method, address; `{numero}` is the demande's).
CORPS_JSON = [
    ("post", "/api/v1/demandes"),
    ("patch", "/api/v1/demandes/{numero}"),
    ("post", "/api/v1/doublons/recherche"),
]


def envoyer(client, entete, methode, adresse, demande, corps, type_contenu="application/json"):
    return getattr(client, methode)(
        adresse.format(numero=demande.numero_unique),
        data=corps,
        content_type=type_contenu,
        **entete,
    )


@pytest.fixture(autouse=True)
def rien_n_est_enregistre(demande):
    avant = Demande.objects.count(), Demande.objects.get(pk=demande.pk).version
    yield
    assert (Demande.objects.count(), Demande.objects.get(pk=demande.pk).version) == avant


# --- The body ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
@pytest.mark.parametrize(
    "corps",
    [
        b'{"departement": ',
        b"{'departement': '75'}",
        b'{"departement": "75",}',
        b"\xff\xfe{}",  # not UTF-8
        b'{"nombre_personnes": NaN}',
        b'{"nombre_personnes": Infinity}',
        b'{"nombre_personnes": ' + b"9" * 5000 + b"}",  # beyond Python's 4,300 digits
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    ],
    ids=[
        "tronque",
        "apostrophes",
        "virgule_finale",
        "pas_utf8",
        "nan",
        "infini",
        "entier_geant",
        "listes_imbriquees",
        "objets_imbriques",
    ],
)
def test_un_json_illisible_est_un_400_json_invalide(
    client, entete, demande, methode, adresse, corps
):
    reponse = envoyer(client, entete, methode, adresse, demande, corps)

    un_probleme(reponse, 400, "json_invalide")


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
@pytest.mark.parametrize(
    ("type_contenu", "corps"),
    [
        ("text/plain", None),
        ("application/x-www-form-urlencoded", "departement=75&demandeur=x"),
        ("multipart/form-data; boundary=x", None),
        ("application/xml", "<demande/>"),
        ("", None),
    ],
    ids=["texte", "formulaire", "multipart", "xml", "aucun"],
)
def test_un_corps_qui_n_est_pas_declare_json_est_un_415(
    client, entete, demande, corps_valide, methode, adresse, type_contenu, corps
):
    if type_contenu.startswith("multipart"):
        corps = b'--x\r\nContent-Disposition: form-data; name="departement"\r\n\r\n75\r\n--x--\r\n'
    elif corps is None:
        corps = json.dumps(corps_valide)  # valid JSON, but not said to be

    reponse = envoyer(client, entete, methode, adresse, demande, corps, type_contenu)

    probleme = un_probleme(reponse, 415, "type_de_contenu_non_accepte")
    assert "Content-Type: application/json" in probleme["detail"]


@pytest.mark.parametrize(
    "type_contenu", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_les_variantes_du_type_json_sont_acceptees(client, entete, demande, type_contenu):
    reponse = envoyer(
        client, entete, "patch", "/api/v1/demandes/{numero}", demande, "{}", type_contenu
    )

    assert reponse.status_code == 200
    assert reponse.json()["changements"] == []


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
def test_un_corps_vide_est_un_422_qui_le_dit(client, entete, demande, methode, adresse):
    reponse = envoyer(client, entete, methode, adresse, demande, b"")

    probleme = un_probleme(reponse, 422, "donnees_invalides")
    assert probleme["erreurs"][0]["message"].startswith("Le corps de la requête est vide")


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
@pytest.mark.parametrize(
    ("corps", "nature"),
    [("[]", "une liste"), ('"demande"', "un texte"), ("null", "null"), ("42", "un nombre")],
)
def test_un_corps_qui_n_est_pas_un_objet_est_un_422(
    client, entete, demande, methode, adresse, corps, nature
):
    reponse = envoyer(client, entete, methode, adresse, demande, corps)

    probleme = un_probleme(reponse, 422, "donnees_invalides")
    assert probleme["erreurs"] == [
        {
            "champ": "",
            "code": "objet_attendu",
            "message": f"Le corps doit être un objet JSON ({{ … }}), pas {nature}.",
        }
    ]


class Explosif(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, *args):
        raise AssertionError("le corps a été lu")

    readline = read


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
def test_dix_mega_octets_sont_refuses_en_413_sans_etre_lus(
    client, entete, demande, methode, adresse
):
    reponse = getattr(client, methode)(
        adresse.format(numero=demande.numero_unique),
        content_type="application/json",
        CONTENT_LENGTH=str(10 * 1024 * 1024),
        **{"wsgi.input": Explosif()},
        **entete,
    )

    un_probleme(reponse, 413, "corps_trop_volumineux")


@pytest.mark.parametrize("longueur", ["abc", "-5", "1e3"])
def test_une_longueur_annoncee_qui_n_est_pas_une_taille_est_un_400(
    client, entete, demande, corps_valide, longueur
):
    reponse = client.post(
        "/api/v1/demandes",
        data=json.dumps(corps_valide),
        content_type="application/json",
        CONTENT_LENGTH=longueur,
        **entete,
    )

    un_probleme(reponse, 400, "requete_invalide")


# --- NUL characters: in a JSON text, a query, a path ---------------------------------------------


@pytest.mark.parametrize(("methode", "adresse"), CORPS_JSON)
@pytest.mark.parametrize("nul", ["\\u0000", "\x00"], ids=["echappe", "brut"])
def test_un_caractere_nul_dans_le_json_est_un_400(client, entete, demande, methode, adresse, nul):
    corps = '{"nom": "Mar' + nul + 'tin", "prenom": "Élodie", "date_naissance": "1987-04-12"}'

    reponse = envoyer(client, entete, methode, adresse, demande, corps.encode())

    un_probleme(reponse, 400, "caractere_nul")


@pytest.mark.parametrize(
    "adresse",
    [
        "/api/v1/evenements?limite=1%00",
        "/api/v1/evenements?apres=%00",
        "/api/v1/referentiels/communes?q=Paris%00",
        "/api/v1/referentiels/communes?q=Paris&departement=7%005",
        "/api/v1/referentiels/codes-postaux/932%0000",
        "/api/v1/demandes/075%0011260000127",
        "/api/v1/moi?x=%00",
    ],
)
def test_un_caractere_nul_dans_l_adresse_ou_la_requete_est_un_400(client, entete, adresse):
    un_probleme(client.get(adresse, **entete), 400, "caractere_nul")


# --- Values --------------------------------------------------------------------------------------


def _demandeur(corps, **champs):
    return {**corps, "demandeur": {**corps["demandeur"], **champs}}


@pytest.mark.parametrize(
    ("modifier", "champ", "code"),
    [
        (lambda c: {**c, "statut_dalo": "peut_etre"}, "statut_dalo", "enum"),
        (lambda c: _demandeur(c, civilite="Mlle"), "demandeur.civilite", "enum"),
        (
            lambda c: _demandeur(c, piece_identite={"type": "permis_de_conduire"}),
            "demandeur.piece_identite.type",
            "enum",
        ),
        (lambda c: {**c, "motifs": ["trop_cher", 3]}, "motifs.0", "enum"),
        (lambda c: {**c, "departement": "ZZ"}, "departement", "string_pattern_mismatch"),
        (lambda c: {**c, "deja_locataire_hlm": "peut-être"}, "deja_locataire_hlm", "bool_parsing"),
        (lambda c: _demandeur(c, date_naissance="2026-02-31"), "demandeur.date_naissance", None),
        (lambda c: _demandeur(c, date_naissance="99999-01-01"), "demandeur.date_naissance", None),
        (lambda c: _demandeur(c, date_naissance="12/04/1987"), "demandeur.date_naissance", None),
        # A number is not read as seconds since 1970 (19870412 s: 1970-08-19).
        (
            lambda c: _demandeur(c, date_naissance=19870412),
            "demandeur.date_naissance",
            "date_type",
        ),
        (lambda c: _demandeur(c, date_naissance="1850-01-01"), "demandeur.date_naissance", None),
        (
            lambda c: {**c, "ressources": {"revenu_fiscal_reference": 10**30}},
            "ressources.revenu_fiscal_reference",
            "less_than_equal",
        ),
        (lambda c: {**c, "nombre_personnes": 10**400}, "nombre_personnes", "less_than_equal"),
        (lambda c: {**c, "nombre_personnes": -1}, "nombre_personnes", "greater_than_equal"),
        (
            lambda c: {**c, "logement_actuel": {"loyer": "12,50"}},
            "logement_actuel.loyer",
            "decimal_parsing",
        ),
        (
            lambda c: {**c, "logement_actuel": {"loyer": 0.001}},
            "logement_actuel.loyer",
            "decimal_max_places",
        ),
        (lambda c: _demandeur(c, nom="\ud800"), "demandeur.nom", "string_unicode"),
        (lambda c: _demandeur(c, nom="x" * 100_000), "demandeur.nom", "string_too_long"),
        (lambda c: _demandeur(c, nom=""), "demandeur.nom", "string_too_short"),
        (lambda c: _demandeur(c, nom=["Martin"]), "demandeur.nom", "string_type"),
        (lambda c: {**c, "demandeur": "Martin"}, "demandeur.nom", "missing"),
        (lambda c: {**c, "personnes_a_charge": [{}] * 21}, "personnes_a_charge", "too_long"),
    ],
)
def test_une_valeur_refusee_a_l_enregistrement_est_un_422_qui_nomme_son_champ(
    client, entete, corps_valide, modifier, champ, code
):
    corps = json.dumps(modifier(corps_valide))

    reponse = client.post("/api/v1/demandes", corps, content_type="application/json", **entete)

    probleme = un_probleme(reponse, 422, "donnees_invalides")
    refus = {e["champ"]: e["code"] for e in probleme["erreurs"]}
    assert champ in refus, refus
    if code:
        assert refus[champ] == code


@pytest.mark.parametrize(
    ("corps", "champ"),
    [
        ({"statut_dalo": "peut_etre"}, "statut_dalo"),
        ({"statut_dalo": None}, "statut_dalo"),
        ({"deja_locataire_hlm": None}, "deja_locataire_hlm"),
        ({"demandeur": {"date_naissance": "2026-02-31"}}, "demandeur.date_naissance"),
        ({"demandeur": {"date_naissance": 19870412}}, "demandeur.date_naissance"),
        ({"demandeur": {"nom": None}}, "demandeur.nom"),
        ({"demandeur": {"nom": "\ud800"}}, "demandeur.nom"),
        ({"logement_actuel": {"loyer": 10**12}}, "logement_actuel.loyer"),
        ({"ressources": {"annee_revenus": 99999}}, "ressources.annee_revenus"),
        ({"version": 2**80}, "version"),
        ({"retraits": [2**80]}, "personne_inconnue"),
        ({"personnes_a_charge": [{"id": 10**30}]}, "personnes_a_charge.0.id"),
        ({"inconnu": 1}, "inconnu"),
        ({"souhaits": {"communes": ["x" * 100_000]}}, "souhaits.communes[0]"),
        ({"motifs": ["trop_cher"] * 10_000}, "motifs.0"),
    ],
)
def test_une_valeur_refusee_a_la_modification_est_un_422_qui_nomme_son_champ(
    client, entete, demande, corps, champ
):
    reponse = client.patch(
        f"/api/v1/demandes/{demande.numero_unique}",
        json.dumps(corps),
        content_type="application/json",
        **entete,
    )

    probleme = un_probleme(reponse, 422)
    # A field of the schema, or the code of a rule that names none.
    assert champ in {e["champ"] for e in probleme.get("erreurs", [])} | {probleme["code"]}


@pytest.mark.parametrize(
    ("adresse", "champ"),
    [
        ("/api/v1/evenements?limite=abc", "limite"),
        ("/api/v1/evenements?limite=-1", "limite"),
        ("/api/v1/evenements?limite=1.5", "limite"),
        ("/api/v1/evenements?apres=" + "9" * 400, "apres"),
        ("/api/v1/evenements?apres=" + "9" * 5000, "apres"),
        ("/api/v1/referentiels/communes?q=" + "x" * 100_000, "q"),
        ("/api/v1/referentiels/communes?q=Paris&departement=ZZ", "departement"),
        ("/api/v1/referentiels/communes?q=Paris&limite=" + "9" * 5000, "limite"),
        ("/api/v1/referentiels/communes?q=%ED%A0%80", None),  # a lone surrogate in UTF-8
    ],
)
def test_une_requete_hors_bornes_est_un_422_qui_nomme_son_parametre(client, entete, adresse, champ):
    reponse = client.get(adresse, **entete)

    if champ is None:  # undecodable: read with replacement characters, an honest answer
        assert reponse.status_code == 200
        return
    probleme = un_probleme(reponse, 422, "donnees_invalides")
    assert [e["champ"] for e in probleme["erreurs"]] == [champ]


# --- The path ------------------------------------------------------------------------------------


@pytest.mark.parametrize("methode", ["get", "patch"])
@pytest.mark.parametrize(
    ("numero", "statut", "code"),
    [
        ("123", 422, "numero_unique_longueur"),
        ("1" * 2000, 422, "numero_unique_longueur"),
        ("%C3%A9%F0%9F%8F%A0", 422, "numero_unique_longueur"),
        ("%FF%FE", 422, "numero_unique_longueur"),
        ("ABCDEFGHIJKLMNOPQR", 422, "numero_unique_forme"),
        ("075132600001275BA1", 422, "numero_unique_mois"),
        ("075112600099975BA1", 404, "demande_introuvable"),
        ("075/112600001275BA1", 404, "adresse_inconnue"),
    ],
)
def test_un_numero_inconnu_ou_mal_forme_dans_l_adresse_est_un_probleme(
    client, entete, methode, numero, statut, code
):
    reponse = client.generic(
        methode.upper(),
        f"/api/v1/demandes/{numero}",
        data="{}",
        content_type="application/json",
        **entete,
    )

    un_probleme(reponse, statut, code)


# --- Methods -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methode", "adresse", "permises"),
    [
        ("HEAD", "/api/v1/sante", "GET"),
        ("HEAD", "/api/v1/demandes/{numero}", "GET, PATCH"),
        ("OPTIONS", "/api/v1/demandes", "POST"),
        ("OPTIONS", "/api/v1/evenements", "GET"),
        ("GET", "/api/v1/demandes", "POST"),
        ("PUT", "/api/v1/demandes/{numero}", "GET, PATCH"),
        ("DELETE", "/api/v1/demandes/{numero}", "GET, PATCH"),
        ("POST", "/api/v1/demandes/{numero}", "GET, PATCH"),
        ("TRACE", "/api/v1/moi", "GET"),
        ("PROPFIND", "/api/v1/doublons/recherche", "POST"),
    ],
)
def test_une_methode_que_l_adresse_n_accepte_pas_est_un_405_avec_allow(
    client, entete, demande, methode, adresse, permises
):
    reponse = client.generic(methode, adresse.format(numero=demande.numero_unique), **entete)

    un_probleme(reponse, 405, "methode_non_autorisee")
    assert sorted(reponse["Allow"].split(", ")) == sorted(permises.split(", "))
