"""Nothing is registered twice, nothing is silently overwritten, no input makes a 500:
a double submit gives one demande, a concurrent registration of the same person is caught by
the duplicate search, a stale modification never reverts someone else's change."""

import threading
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from sne.demandes import services
from sne.demandes.models import CompteurNumeroUnique, Demande
from sne.demandes.regles import ModificationConcurrente
from sne.exceptions import ErreurMetier
from tests.demandes.conftest import donnees_minimales, valeurs_du_formulaire
from tests.factories import GuichetFactory, agent
from tests.outils import connecter, texte


def _en_meme_temps(fonction, nombre: int) -> tuple[list, list]:
    resultats, erreurs = [], []

    def appel(i):
        try:
            resultats.append(fonction(i))
        except ErreurMetier as e:
            erreurs.append(e.code)
        finally:
            connection.close()

    fils = [threading.Thread(target=appel, args=(i,)) for i in range(nombre)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    return resultats, erreurs


def _concurrence_reelle():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memory"):
        pytest.skip("SQLite en mémoire : un seul connecteur partagé, pas de vraie concurrence.")


@pytest.mark.django_db(transaction=True)
def test_trois_soumissions_simultanees_de_la_meme_saisie_font_une_seule_demande(
    referentiels_charges,
):
    _concurrence_reelle()
    guichet = GuichetFactory(code="75TC2", departements=["75"])
    agents = [agent(guichet) for _ in range(3)]

    resultats, erreurs = _en_meme_temps(
        lambda i: (
            services.enregistrer_demande(
                guichet, agents[i], donnees_minimales(), jeton="assistant:session:abc"
            ).numero_unique
        ),
        3,
    )

    assert erreurs == []
    assert len(set(resultats)) == 1
    assert Demande.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deux_guichets_qui_enregistrent_la_meme_personne_en_meme_temps_voient_le_doublon(
    referentiels_charges,
):
    _concurrence_reelle()
    guichet = GuichetFactory(code="75TC3", departements=["75"])
    agents = [agent(guichet) for _ in range(3)]

    resultats, erreurs = _en_meme_temps(
        lambda i: services.enregistrer_demande(guichet, agents[i], donnees_minimales()), 3
    )

    assert len(resultats) == 1
    assert erreurs == ["suspicion_doublon", "suspicion_doublon"]


@pytest.mark.django_db
def test_la_meme_soumission_renvoyee_rend_la_demande_deja_enregistree(guichet_75, agent_75):
    premiere = services.enregistrer_demande(
        guichet_75, agent_75, donnees_minimales(), jeton="assistant:s:1"
    )
    encore = services.enregistrer_demande(
        guichet_75, agent_75, donnees_minimales(), jeton="assistant:s:1"
    )
    assert encore.pk == premiere.pk
    assert Demande.objects.count() == 1


@pytest.mark.django_db
def test_une_sequence_mensuelle_epuisee_est_dite_sans_erreur_500(guichet_75, agent_75):
    aujourd_hui = timezone.localdate()
    CompteurNumeroUnique.objects.create(
        territoire="075", mois=aujourd_hui.month, annee=aujourd_hui.year % 100, dernier=999_999
    )
    with pytest.raises(ErreurMetier) as refus:
        services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    assert refus.value.code == "sequence_epuisee"


@pytest.mark.django_db
def test_une_modification_sur_une_version_perimee_n_ecrase_rien(guichet_75, agent_75):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    lue = demande.version
    services.modifier_demande(
        demande, agent_75, guichet_75, demande_valeurs={"loyer_actuel": 650}, version=lue
    )

    with pytest.raises(ModificationConcurrente) as refus:
        services.modifier_demande(
            demande, agent_75, guichet_75, demande_valeurs={"loyer_actuel": 500}, version=lue
        )

    demande.refresh_from_db()
    assert demande.loyer_actuel == 650
    assert refus.value.details["version_actuelle"] == lue + 1
    assert len(refus.value.details["historique"]) == 1


@pytest.mark.django_db
def test_la_page_de_modification_montre_ce_qui_a_change_entre_temps_et_garde_la_saisie(client):
    guichet = GuichetFactory(code="75TC4", departements=["75"])
    moi, collegue = agent(guichet), agent(guichet)
    demande = services.enregistrer_demande(guichet, moi, donnees_minimales())
    connecter(client, moi)
    url = reverse("demandes:modifier", args=[demande.numero_unique])
    formulaire = client.get(url)  # the form is read at version 1…
    services.modifier_demande(  # …a colleague changes the rent meanwhile
        demande, collegue, guichet, demande_valeurs={"loyer_actuel": 650}, version=1
    )

    reponse = client.post(url, valeurs_du_formulaire(formulaire, loyer_actuel="500"))

    page = texte(reponse)
    assert reponse.status_code == 200
    assert "a été modifiée pendant que vous la modifiiez" in page
    assert "Modifié entre-temps" in page and "650" in page
    assert 'name="version" value="2"' in page  # the next submission applies to version 2
    demande.refresh_from_db()
    assert demande.loyer_actuel == 650


@pytest.mark.django_db
def test_une_personne_qui_n_est_pas_de_la_demande_est_refusee_sans_erreur_500(guichet_75, agent_75):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(demande, agent_75, guichet_75, personnes={999_999: {"nom": "X"}})
    assert refus.value.code == "personne_inconnue"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("champ", "valeur"),
    [
        ("ressources", {"revenu_fiscal_reference": 999999999999999999999}),
        ("ressources", {"revenu_fiscal_reference": 3_000_000_000}),
        ("association", {"id": 99999999999999}),
    ],
)
def test_un_nombre_demesure_est_refuse_par_le_schema(guichet_75, agent_75, champ, valeur):
    donnees = donnees_minimales(**{champ: valeur})
    if champ == "association":
        donnees["beneficiaire"] = "association"
    with pytest.raises(ValueError):  # pydantic's ValidationError: a 422, never a 500
        services.enregistrer_demande(guichet_75, agent_75, donnees)


@pytest.mark.django_db
@pytest.mark.parametrize("naissance", [date(1899, 12, 31), date(1, 1, 1)])
def test_une_date_de_naissance_avant_1900_est_refusee(guichet_75, agent_75, naissance):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "date_naissance": naissance.isoformat()}
    with pytest.raises(ValueError, match="antérieure au 01/01/1900"):
        services.enregistrer_demande(guichet_75, agent_75, donnees)


@pytest.mark.django_db
def test_le_revenu_fiscal_demesure_est_refuse_a_la_modification(client):
    guichet = GuichetFactory(code="75TC5", departements=["75"])
    moi = agent(guichet)
    demande = services.enregistrer_demande(guichet, moi, donnees_minimales())
    connecter(client, moi)
    url = reverse("demandes:modifier", args=[demande.numero_unique])
    reponse = client.post(
        url,
        valeurs_du_formulaire(client.get(url), revenu_fiscal_reference="999999999999999999999"),
    )
    assert reponse.status_code == 200
    assert "inférieure ou égale à 9999999" in texte(reponse)


@pytest.mark.django_db
def test_une_adresse_accentuee_acceptee_a_l_enregistrement_se_modifie_aussi(guichet_75, agent_75):
    """Issue 9: one check of e-mail addresses everywhere (Django's EmailField refused it at the
    modification, so such a demande could not be modified at all)."""
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "email": "maëlle.x@example.fr"}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    services.modifier_demande(
        demande,
        agent_75,
        guichet_75,
        personnes={demande.demandeur.pk: {"telephone": "0102030405"}},
        version=demande.version,
    )
    demande.refresh_from_db()
    assert demande.demandeur.email == "maëlle.x@example.fr"


@pytest.mark.parametrize(
    ("adresse", "explication"),
    [
        ("a b@exemple.fr", "caractère non autorisé avant le @ : espace."),
        ("exemple.fr", "il manque le @."),
        ("a..b@exemple.fr", "deux points de suite."),
        ("a@exemple", "le nom de domaine, après le @, doit contenir un point."),
    ],
)
def test_une_adresse_invalide_est_expliquee_en_francais(adresse, explication):
    from sne.demandes.schemas import valider_email

    with pytest.raises(ValueError) as refus:
        valider_email(adresse)
    assert str(refus.value) == f"Adresse e-mail invalide : {explication}"
