"""Registrations in progress (« saisies en cours »): a wizard is never dropped because newer ones
were started, survives a logout, is seen only by its author, listed with what it holds, resumed
with every value typed, abandoned after confirmation, and erased when it expires.

And « Contacter mon gestionnaire territorial » from the duplicate step: the request form comes
prefilled, and once sent the agent is back at the duplicate step with everything typed."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from sne.demandes import services
from sne.demandes.models import BrouillonDemande, Demande
from sne.demandes.services import brouillons
from sne.demandes.tasks import purger_saisies_expirees
from sne.organisations.models import DemandeAuGestionnaire
from tests.demandes.test_pages import contenu, donnees_etapes, parcourir
from tests.factories import GuichetFactory, agent
from tests.outils import a_midi, connecter, nous_sommes_le, texte

pytestmark = pytest.mark.django_db

URL_RECHERCHE = "/demandes/"


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TA1", nom="Bailleur de test", departements=["75"])


@pytest.fixture
def agent_saisie(client, guichet):
    utilisateur = agent(guichet, email="saisie@bailleur-test.fr")
    connecter(client, utilisateur)
    return utilisateur


def commencer(client, etapes: dict, jusqu_a: str = "guichet") -> str:
    """Start a wizard and post its steps before `jusqu_a`: the URL of that step."""
    url = client.get(reverse("demandes:nouvelle")).url
    for etape in ("guichet", "demandeur", "menage", "ressources", "souhaits"):
        if etape == jusqu_a:
            break
        url = client.post(url, etapes[etape]).url
    return url


def test_sept_saisies_commencees_la_premiere_reprend_avec_toutes_ses_valeurs(
    client, guichet, agent_saisie
):
    etapes = donnees_etapes(guichet)
    premiere = commencer(client, etapes, jusqu_a="ressources")
    assert premiere.endswith("/ressources/")
    for _ in range(6):
        commencer(client, donnees_etapes(guichet), jusqu_a="demandeur")

    assert BrouillonDemande.objects.filter(auteur=agent_saisie).count() == 7
    demandeur = texte(client.get(premiere.replace("/ressources/", "/demandeur/")))
    assert 'value="Nguyen"' in demandeur and 'value="Thi Mai"' in demandeur
    assert 'value="12 avenue d\'Italie"' in demandeur
    menage = texte(client.get(premiere.replace("/ressources/", "/menage/")))
    assert 'value="Linh"' in menage and 'value="2014-06-01"' in menage
    # It goes on to the end and registers the demande.
    url = premiere
    for etape in ("ressources", "souhaits"):
        url = client.post(url, etapes[etape]).url
    url = client.post(url, {}).url
    client.post(url, {})
    assert Demande.objects.get().demandeur.prenom == "Thi Mai"
    assert BrouillonDemande.objects.filter(auteur=agent_saisie).count() == 6


def test_la_liste_des_saisies_en_cours_dit_le_nom_l_etape_et_propose_reprendre_ou_abandonner(
    client, guichet, agent_saisie
):
    url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")
    identifiant = url.split("/")[-3]
    commencer(client, donnees_etapes(guichet))  # nothing validated: nothing to resume

    page = texte(client.get(URL_RECHERCHE))

    assert "Saisies en cours" in page
    assert "Thi Mai NGUYEN" in page
    assert "Ménage (3 sur 7)" in page
    assert f'href="{url}"' in page  # « Reprendre » leads to the step reached
    assert reverse("demandes:abandonner_saisie", args=[identifiant]) in page
    assert page.count(">Reprendre</a>") == 1


def test_une_saisie_survit_a_la_deconnexion_et_a_la_fin_de_la_session(
    client, guichet, agent_saisie
):
    url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")
    client.logout()
    connecter(client, agent_saisie)

    assert "Thi Mai NGUYEN" in texte(client.get(URL_RECHERCHE))
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert "Étape 3 sur 7" in texte(reponse)


def test_une_saisie_n_est_vue_reprise_ni_abandonnee_que_par_son_auteur(
    client, guichet, agent_saisie
):
    url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")
    identifiant = url.split("/")[-3]
    collegue = agent(guichet, email="collegue@bailleur-test.fr")
    connecter(client, collegue)

    assert "Thi Mai NGUYEN" not in texte(client.get(URL_RECHERCHE))
    reponse = client.get(url, follow=True)
    assert reponse.redirect_chain[-1][0] == URL_RECHERCHE
    assert "Cette saisie n'est plus en cours" in texte(reponse)
    assert "Nguyen" not in texte(reponse)
    client.post(reverse("demandes:abandonner_saisie", args=[identifiant]))
    assert BrouillonDemande.objects.filter(identifiant=identifiant).exists()


def test_abandonner_une_saisie_demande_confirmation_puis_l_efface(client, guichet, agent_saisie):
    url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")
    abandon = reverse("demandes:abandonner_saisie", args=[url.split("/")[-3]])

    confirmation = texte(client.get(abandon))
    assert "Abandonner la saisie de Thi Mai NGUYEN" in confirmation
    assert "Confirmer l'abandon" in confirmation
    assert BrouillonDemande.objects.exists()

    reponse = client.post(abandon, follow=True)

    assert "La saisie de Thi Mai NGUYEN est abandonnée" in texte(reponse)
    assert not BrouillonDemande.objects.exists()
    assert "Saisies en cours" not in texte(client.get(URL_RECHERCHE))


def test_une_saisie_laissee_sept_jours_expire_et_est_purgee(client, guichet, agent_saisie):
    with nous_sommes_le(timezone.localdate()) as horloge:
        # Logged in again at noon: the fixture's login, made at the real hour, is more than the
        # 8-hour session old at noon when the suite runs between midnight and 4 a.m.
        connecter(client, agent_saisie)
        url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")

        def dans(jours: int):
            horloge.move_to(a_midi(timezone.localdate() + timedelta(days=jours)))
            connecter(client, agent_saisie)  # the 8-hour session is long over

        dans(6)
        assert client.get(url).status_code == 200  # still there after 6 days
        client.post(url, donnees_etapes(guichet)["menage"])  # a change: 7 more days
        dans(6)
        assert client.get(url.replace("/menage/", "/ressources/")).status_code == 200

        dans(8)
        reponse = client.get(url, follow=True)
        assert "Cette saisie n'est plus en cours" in texte(reponse)
        assert "plus de 7 jours" in texte(reponse)
        assert purger_saisies_expirees.call_local() == 1  # the nightly task
    assert not BrouillonDemande.objects.exists()


def test_seuls_les_champs_de_l_etape_sont_gardes(client, guichet, agent_saisie):
    url = client.get(reverse("demandes:nouvelle")).url
    client.post(url, {**donnees_etapes(guichet)["guichet"], "intrus": "x" * 100_000})

    etapes = BrouillonDemande.objects.get().donnees["etapes"]
    assert set(etapes["guichet"]) == {"guichet", "departement", "date_depot", "beneficiaire"}


def test_au_dela_de_la_limite_les_saisies_vides_font_place_puis_un_message_le_dit(
    client, guichet, agent_saisie, monkeypatch
):
    monkeypatch.setattr(brouillons, "BROUILLONS_MAX", 3)
    remplies = [commencer(client, donnees_etapes(guichet), jusqu_a="demandeur") for _ in "12"]
    vide = commencer(client, donnees_etapes(guichet))  # nothing validated yet

    # A fourth: the empty one makes room (nothing typed goes with it).
    quatrieme = client.get(reverse("demandes:nouvelle")).url
    assert client.get(vide).status_code == 302
    client.post(quatrieme, donnees_etapes(guichet)["guichet"])

    # A fifth: all three hold something typed; none is dropped, a message says what to do.
    reponse = client.get(reverse("demandes:nouvelle"), follow=True)

    assert reponse.redirect_chain[-1][0] == URL_RECHERCHE
    assert "Vous avez déjà 3 saisies en cours" in texte(reponse)
    assert BrouillonDemande.objects.count() == 3
    for url in [*remplies, quatrieme]:
        assert client.get(url).status_code == 200


# --- « Contacter mon gestionnaire territorial » from the duplicate step ---------------------


@pytest.fixture
def existante():
    """An active demande of the same person, registered by a desk of another département."""
    ailleurs = GuichetFactory(code="93ZZ1", departements=["93"])
    return services.enregistrer_demande(
        ailleurs,
        agent(ailleurs),
        contenu(
            departement="93",
            demandeur={"nom": "NGUYEN", "prenom": "Thi Mai", "date_naissance": "1979-11-03"},
            souhaits={"communes": ["93066"]},
        ),
    )


def test_contacter_le_gestionnaire_preremplit_la_demande_puis_revient_a_la_saisie(
    client, guichet, agent_saisie, existante
):
    doublons = parcourir(client, donnees_etapes(guichet))
    numero = existante.numero_unique

    # The button keeps a justification already typed and leaves for the request form.
    reponse = client.post(
        doublons, {"action": "contacter_gestionnaire", "justification": "Homonyme ?"}
    )
    adresse = urlsplit(reponse.url)
    assert adresse.path == reverse("departement:mes_demandes")
    parametres = parse_qs(adresse.query)
    assert parametres["objet"] == ["doublon"]
    assert parametres["numero"] == [numero]
    assert parametres["nom"] == ["Thi Mai NGUYEN"]
    assert parametres["retour"] == [doublons]
    assert "1979" not in adresse.query  # no birth date: not needed, not sent

    formulaire = texte(client.get(reponse.url))
    assert "Suspicion de doublon lors d'un enregistrement." in formulaire
    assert f"Numéro unique suspecté : {numero}." in formulaire
    assert "Personne saisie : Thi Mai NGUYEN." in formulaire
    assert '<option value="doublon" selected>' in formulaire
    assert f'name="retour" value="{doublons}"' in formulaire
    assert "Revenir à la saisie" in formulaire
    assert "93066" not in formulaire and "Bondy" not in formulaire  # nothing of the other demande

    reponse = client.post(
        reverse("departement:mes_demandes"),
        {
            "guichet": guichet.pk,
            "departement": "75",
            "objet": "doublon",
            "message": f"Suspicion de doublon lors d'un enregistrement : {numero}.",
            "retour": doublons,
        },
        follow=True,
    )

    assert reponse.redirect_chain == [(doublons, 302)]
    page = texte(reponse)
    assert "Votre demande a été transmise au gestionnaire territorial du 75" in page
    assert "Vous reprenez votre saisie." in page
    assert "Étape 6 sur 7" in page and numero in page
    assert "Homonyme ?</textarea>" in page
    envoyee = DemandeAuGestionnaire.objects.get()
    assert envoyee.objet == "doublon" and numero in envoyee.message
    assert envoyee.auteur == agent_saisie
    # Every step typed is still there; the agent may go on.
    assert 'value="Thi Mai"' in texte(client.get(doublons.replace("/doublons/", "/demandeur/")))
    reponse = client.post(doublons, {"justification": "Homonyme, vérifié par le gestionnaire."})
    assert reponse.url.endswith("/recapitulatif/")


def test_une_saisie_enregistree_dans_un_autre_onglet_n_est_pas_recreee(
    client, guichet, agent_saisie
):
    url = commencer(client, donnees_etapes(guichet), jusqu_a="menage")
    brouillon = brouillons.trouver_saisie(agent_saisie, url.split("/")[-3])
    brouillons.terminer_saisie(brouillon)  # the other tab registered the demande

    assert brouillons.sauver_saisie(brouillon) is False
    assert not BrouillonDemande.objects.exists()
    reponse = client.post(url, donnees_etapes(guichet)["menage"], follow=True)
    assert "Cette saisie n'est plus en cours" in texte(reponse)
