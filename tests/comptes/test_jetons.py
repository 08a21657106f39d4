"""API tokens of a desk (ADR 0012): only a hash is stored, the token acts as the desk's
technical account through the one rights layer, the command prints the token alone."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.comptes import jetons, services
from sne.comptes.droits import droits_de
from sne.comptes.models import Habilitation, JetonApi, Utilisateur
from sne.exceptions import ErreurMetier, NonAutorise
from tests.factories import GuichetFactory, UtilisateurFactory, gestionnaire, national

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TJ1", departements=["75"])


def test_seule_l_empreinte_du_jeton_est_conservee(guichet):
    jeton, en_clair = jetons.creer_jeton(guichet, par=gestionnaire("75"), libelle="Logiciel X")

    assert en_clair.startswith("sne_75TJ1_")
    assert len(en_clair) >= len("sne_75TJ1_") + 43  # token_urlsafe(32): 256 bits
    assert jeton.prefixe == en_clair[: len("sne_75TJ1_") + 6]
    assert jeton.empreinte == jetons.empreinte(en_clair) != en_clair
    enregistre = JetonApi.objects.values().get(pk=jeton.pk)
    assert not any(en_clair in str(valeur) for valeur in enregistre.values())


def test_deux_jetons_ne_sont_jamais_les_memes(guichet):
    _, premier = jetons.creer_jeton(guichet, libelle="A")
    _, second = jetons.creer_jeton(guichet, libelle="A")

    assert premier != second


def test_la_base_refuse_deux_jetons_de_meme_empreinte(guichet):
    jeton, _ = jetons.creer_jeton(guichet, libelle="A")

    with pytest.raises(IntegrityError), transaction.atomic():
        JetonApi.objects.create(
            guichet=guichet, libelle="B", prefixe="sne_75TJ1_x", empreinte=jeton.empreinte
        )


@pytest.mark.parametrize(
    "champs",
    [
        {"empreinte": "pas-une-empreinte"},
        {"prefixe": "autre_75TJ1"},
        {"libelle": ""},
        {"revoque_par_id": "par"},  # revoked by someone, without a date
        {"revoque_le": timezone.now() - timedelta(days=400)},  # before its creation
    ],
)
def test_la_base_refuse_un_jeton_incoherent(guichet, champs):
    if champs.get("revoque_par_id") == "par":
        champs["revoque_par_id"] = UtilisateurFactory().pk
    valeurs = {
        "guichet": guichet,
        "libelle": "Logiciel",
        "prefixe": "sne_75TJ1_abcdef",
        "empreinte": "a" * 64,
        **champs,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        JetonApi.objects.create(**valeurs)


def test_le_jeton_agit_avec_le_compte_technique_du_guichet_et_ses_droits(guichet):
    _, en_clair = jetons.creer_jeton(guichet, libelle="Logiciel X")

    jeton = jetons.jeton_valide(en_clair)

    compte = jeton.guichet.compte_systeme
    assert compte.nom_complet == "Système connecté du guichet 75TJ1"
    assert compte.est_compte_systeme
    droits = droits_de(compte)
    assert droits.saisit_pour(guichet) and droits.consulte_pour(guichet)
    assert not droits.est_gestionnaire
    assert Habilitation.objects.get(utilisateur=compte).role == "saisie"


def test_un_seul_compte_technique_par_guichet(guichet):
    jetons.creer_jeton(guichet, libelle="A")
    jetons.creer_jeton(guichet, libelle="B")

    assert Utilisateur.objects.filter(guichet_systeme=guichet).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Utilisateur.objects.create(
            email="autre@api.sne.invalid", password="!", guichet_systeme=guichet
        )


def test_le_compte_technique_ne_se_connecte_pas_aux_pages(guichet):
    jetons.creer_jeton(guichet, libelle="A")
    compte = guichet.compte_systeme

    assert not compte.has_usable_password()
    assert not compte.check_password("") and not compte.check_password("!")
    compte.set_password("un mot de passe choisi 2026")
    with pytest.raises(IntegrityError), transaction.atomic():
        compte.save()


def test_le_compte_technique_ne_recoit_ni_lien_d_activation_ni_autre_habilitation(guichet):
    jetons.creer_jeton(guichet, libelle="A")
    compte = guichet.compte_systeme
    autre = GuichetFactory(departements=["75"])

    services.demander_activation(compte.email, base_url="http://testserver")
    assert not EvenementAudit.objects.filter(
        action=EvenementAudit.Action.ACTIVATION_DEMANDEE
    ).exists()
    with pytest.raises(ErreurMetier) as refus:
        services.habiliter(compte, "saisie", par=national(), guichet=autre)
    assert refus.value.code == "compte_systeme"
    with pytest.raises(ErreurMetier):
        services.ajouter_agent(
            autre,
            par=gestionnaire("75"),
            email=compte.email,
            prenom="",
            nom="",
            role="saisie",
            base_url="http://testserver",
        )


def test_un_jeton_revoque_ou_inconnu_n_est_pas_valide(guichet):
    jeton, en_clair = jetons.creer_jeton(guichet, libelle="A")

    assert jetons.jeton_valide("sne_75TJ1_inconnu") is None
    assert jetons.jeton_valide("") is None
    assert jetons.jeton_valide("x" * 10_000) is None
    jetons.revoquer_jeton(jeton, par=gestionnaire("75"))
    assert jetons.jeton_valide(en_clair) is None


def test_le_jeton_d_un_guichet_desactive_n_est_plus_valide(guichet):
    _, en_clair = jetons.creer_jeton(guichet, libelle="A")
    guichet.actif = False
    guichet.save()

    assert jetons.jeton_valide(en_clair) is None
    with pytest.raises(ErreurMetier) as refus:
        jetons.creer_jeton(guichet, libelle="B")
    assert refus.value.code == "guichet_inactif"


def test_la_derniere_utilisation_est_notee_au_plus_une_fois_par_minute(guichet, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    jeton, en_clair = jetons.creer_jeton(guichet, libelle="A")
    assert jeton.utilise_le is None

    premiere = jetons.jeton_valide(en_clair).utilise_le
    time_machine.shift(timedelta(seconds=30))
    jetons.jeton_valide(en_clair)
    jeton.refresh_from_db()
    assert jeton.utilise_le == premiere

    time_machine.shift(timedelta(seconds=31))
    jetons.jeton_valide(en_clair)
    jeton.refresh_from_db()
    assert jeton.utilise_le > premiere


def test_un_gestionnaire_ne_cree_ni_ne_revoque_hors_de_ses_departements(guichet):
    jeton, _ = jetons.creer_jeton(guichet, libelle="A")

    with pytest.raises(NonAutorise):
        jetons.creer_jeton(guichet, par=gestionnaire("93"), libelle="B")
    with pytest.raises(NonAutorise):
        jetons.revoquer_jeton(jeton, par=gestionnaire("93"))
    jeton.refresh_from_db()
    assert not jeton.est_revoque


def test_creation_et_revocation_sont_au_journal(guichet):
    referent = gestionnaire("75")
    jeton, _ = jetons.creer_jeton(guichet, par=referent, libelle="Logiciel X")
    jetons.revoquer_jeton(jeton, par=referent)
    jetons.revoquer_jeton(jeton, par=referent)  # a second click changes nothing

    entrees = EvenementAudit.objects.filter(objet_type="comptes.jetonapi", objet_id=str(jeton.pk))
    assert sorted(entrees.values_list("action", "utilisateur", "guichet")) == [
        ("jeton_api_cree", referent.pk, guichet.pk),
        ("jeton_api_revoque", referent.pk, guichet.pk),
    ]
    jeton.refresh_from_db()
    assert jeton.revoque_par == referent


def test_un_libelle_vide_est_refuse_sur_son_champ(guichet):
    with pytest.raises(ErreurMetier) as refus:
        jetons.creer_jeton(guichet, libelle="   ")

    assert refus.value.champ == "libelle"
    assert not JetonApi.objects.exists()


def test_la_commande_imprime_le_jeton_seul_sur_la_sortie_standard(guichet):
    sortie, erreurs = StringIO(), StringIO()

    call_command("jeton_api", "75tj1", "--libelle", "Logiciel X", stdout=sortie, stderr=erreurs)

    lignes = sortie.getvalue().splitlines()
    assert len(lignes) == 1
    assert jetons.jeton_valide(lignes[0]).guichet == guichet
    assert "copiez-le maintenant" in erreurs.getvalue()
    jeton = JetonApi.objects.get()
    assert jeton.cree_par is None and jeton.libelle == "Logiciel X"
    assert EvenementAudit.objects.get(action="jeton_api_cree").details["origine"] == "commande"


def test_la_commande_refuse_un_guichet_inconnu_en_francais():
    sortie = StringIO()

    with pytest.raises(CommandError, match="Guichet inconnu : 'ZZZ99'"):
        call_command("jeton_api", "ZZZ99", stdout=sortie, stderr=StringIO())
    assert sortie.getvalue() == ""


def test_l_administration_technique_liste_les_jetons_sans_les_creer_ni_donner_de_mot_de_passe(
    client, guichet
):
    from tests.outils import connecter

    jeton, _ = jetons.creer_jeton(guichet, libelle="Logiciel X")
    admin = UtilisateurFactory(is_staff=True, is_superuser=True)
    connecter(client, admin)

    liste = client.get("/admin/comptes/jetonapi/")
    assert liste.status_code == 200 and jeton.prefixe in liste.content.decode()
    assert client.get("/admin/comptes/jetonapi/add/").status_code == 403
    compte = guichet.compte_systeme
    assert client.get(f"/admin/comptes/utilisateur/{compte.pk}/change/").status_code == 200
    assert client.get(f"/admin/comptes/utilisateur/{compte.pk}/password/").status_code == 403


def test_un_jeton_dont_le_compte_technique_a_ete_supprime_n_est_pas_valide(guichet):
    _, en_clair = jetons.creer_jeton(guichet, libelle="A")
    guichet.compte_systeme.delete()  # by hand in the database: refused, never a 500

    assert jetons.jeton_valide(en_clair) is None
