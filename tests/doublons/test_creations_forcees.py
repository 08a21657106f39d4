"""A demande registered (or changed) past a suspicion of duplicate is recorded with its
justification, and listed to the gestionnaire of its département only, both demandes side by
side, the reading logged (issue 11)."""

from datetime import date

import pytest

from sne.audit.models import EvenementAudit
from sne.demandes import services
from sne.doublons.models import CreationForcee, PaireDoublon
from tests.demandes.conftest import donnees_minimales
from tests.doublons.conftest import enregistrer
from tests.factories import agent, gestionnaire, national
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def martin(guichet_75):
    return enregistrer(guichet_75)


@pytest.fixture
def forcee(guichet_75, martin):
    return enregistrer(guichet_75, nom="Martn", justification="Ce n'est pas la même Élodie")


def test_une_creation_forcee_est_enregistree_avec_sa_justification(guichet_75, martin, forcee):
    [forcage] = CreationForcee.objects.all()
    assert forcage.demande == forcee
    assert forcage.operation == "creation"
    assert forcage.justification == "Ce n'est pas la même Élodie"
    assert forcage.guichet == guichet_75
    assert forcage.departement_id == "75"
    assert forcage.examinee_le is None
    [suspicion] = forcage.suspicions
    assert suspicion["numero_unique"] == martin.numero_unique
    assert suspicion["score"] > 0 and suspicion["raisons"]
    [paire] = forcage.paires.all()
    assert {paire.demande_a_id, paire.demande_b_id} == {martin.pk, forcee.pk}
    assert paire.demande_a_id < paire.demande_b_id
    assert paire.statut == PaireDoublon.Statut.A_EXAMINER


def test_sans_suspicion_rien_n_est_enregistre(guichet_75, martin):
    enregistrer(guichet_75, nom="Quintana", prenom="Rayan", date_naissance="1971-02-03")

    assert not CreationForcee.objects.exists()
    assert not PaireDoublon.objects.exists()


def test_un_refus_pour_doublon_n_enregistre_rien(guichet_75, martin):
    with pytest.raises(services.SuspicionDoublon):
        services.enregistrer_demande(guichet_75, agent(guichet_75), donnees_minimales(), "  ")

    assert not CreationForcee.objects.exists()


def test_une_modification_d_identite_forcee_est_enregistree(guichet_75, martin):
    autre = enregistrer(guichet_75, nom="Quintana", prenom="Rayan", date_naissance="1971-02-03")
    demandeur = autre.personnes.get(role="demandeur")

    services.modifier_demande(
        autre,
        agent(guichet_75),
        guichet_75,
        personnes={
            demandeur.pk: {"nom": "Martin", "prenom": "Élodie", "date_naissance": date(1987, 4, 12)}
        },
        justification_doublon="Sœur jumelle, vérifié sur pièce",
    )

    [forcage] = CreationForcee.objects.all()
    assert forcage.demande == autre
    assert forcage.operation == "modification"
    assert forcage.justification == "Sœur jumelle, vérifié sur pièce"


def test_la_liste_montre_les_creations_forcees_au_gestionnaire_du_departement(
    client, forcee, martin
):
    connecter(client, gestionnaire("75"))

    reponse = client.get("/gestion/doublons/creations-forcees/")

    assert reponse.status_code == 200
    contenu = texte(reponse)
    assert forcee.numero_unique in contenu
    assert martin.numero_unique in contenu
    assert "Ce n'est pas la même Élodie" in contenu
    assert "À examiner" in contenu


def test_un_gestionnaire_d_un_autre_departement_ne_la_voit_pas(client, forcee):
    connecter(client, gestionnaire("93"))
    forcage = CreationForcee.objects.get()

    assert forcee.numero_unique not in texte(client.get("/gestion/doublons/creations-forcees/"))
    assert client.get(f"/gestion/doublons/creations-forcees/{forcage.pk}/").status_code == 404
    paire = PaireDoublon.objects.get()
    assert client.get(f"/gestion/doublons/paires/{paire.pk}/").status_code == 404
    assert (
        client.post(
            f"/gestion/doublons/paires/{paire.pk}/decision/",
            {"decision": "personnes_differentes"},
        ).status_code
        == 404
    )
    assert PaireDoublon.objects.get().statut == "a_examiner"


def test_un_agent_n_y_a_pas_acces(client, guichet_75, forcee):
    connecter(client, agent(guichet_75))

    assert client.get("/gestion/doublons/creations-forcees/").status_code == 403


def test_le_national_voit_tout(client, forcee):
    connecter(client, national())

    assert forcee.numero_unique in texte(client.get("/gestion/doublons/creations-forcees/"))


def test_les_filtres_par_departement_et_examen(client, guichet_75, guichet_93, forcee):
    enregistrer(guichet_93, nom="Benali", prenom="Inès", date_naissance="1990-01-02")
    du_93 = enregistrer(guichet_93, nom="Benalli", prenom="Ines", date_naissance="1990-01-02")
    connecter(client, national())

    contenu = texte(client.get("/gestion/doublons/creations-forcees/", {"departement": "93"}))
    assert du_93.numero_unique in contenu and forcee.numero_unique not in contenu

    services.ecarter_doublon(PaireDoublon.objects.get(departement="75"), national())
    a_examiner = texte(client.get("/gestion/doublons/creations-forcees/", {"examen": "a_examiner"}))
    examinees = texte(client.get("/gestion/doublons/creations-forcees/", {"examen": "examinees"}))
    assert forcee.numero_unique not in a_examiner and du_93.numero_unique in a_examiner
    assert forcee.numero_unique in examinees and du_93.numero_unique not in examinees


def test_un_filtre_inconnu_est_ignore(client, forcee):
    connecter(client, gestionnaire("75"))

    reponse = client.get(
        "/gestion/doublons/creations-forcees/", {"departement": "2A", "examen": "x" * 999}
    )

    assert reponse.status_code == 200
    assert forcee.numero_unique in texte(reponse)


def test_la_liste_vide_dit_quoi_faire(client):
    connecter(client, gestionnaire("75"))

    contenu = texte(client.get("/gestion/doublons/creations-forcees/"))

    assert "Aucun guichet de vos départements n'a forcé la création" in contenu
    assert "audit des doublons" in contenu


def test_les_deux_demandes_cote_a_cote_et_la_lecture_est_journalisee(client, forcee, martin):
    referent = gestionnaire("75")
    connecter(client, referent)
    forcage = CreationForcee.objects.get()

    reponse = client.get(f"/gestion/doublons/creations-forcees/{forcage.pk}/")

    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    contenu = texte(reponse)
    assert "MARTN" in contenu and "MARTIN" in contenu  # both identities
    assert "12/04/1987" in contenu
    assert "12 rue des Lilas" in contenu
    assert "Ce n'est pas la même Élodie" in contenu
    lectures = EvenementAudit.objects.filter(
        utilisateur=referent, action=EvenementAudit.Action.CONSULTATION
    )
    assert {e.objet_id for e in lectures} == {str(martin.pk), str(forcee.pk)}
    # The more recent demande is offered to be struck off, to keep the older seniority.
    assert reponse.context["a_radier_defaut"] == forcee


def test_une_demande_suspectee_d_un_autre_departement_ne_montre_pas_ses_donnees(
    client, guichet_75, guichet_93
):
    de_paris = enregistrer(guichet_75, nom="Garnier", prenom="Zoé", date_naissance="1999-09-09")
    du_93 = enregistrer(guichet_93, nom="Garnier", prenom="Zoé", date_naissance="1999-09-09")
    referent = gestionnaire("93")
    connecter(client, referent)
    forcage = CreationForcee.objects.get(demande=du_93)

    contenu = texte(client.get(f"/gestion/doublons/creations-forcees/{forcage.pk}/"))

    assert de_paris.numero_unique in contenu
    assert "hors de vos départements" in contenu
    assert (
        EvenementAudit.objects.filter(
            utilisateur=referent, action="consultation", objet_id=str(de_paris.pk)
        ).count()
        == 0
    )


def test_la_demande_du_guichet_au_gestionnaire_sur_ce_doublon_est_citee(
    client, guichet_75, forcee, martin
):
    from sne.organisations.models import DemandeAuGestionnaire

    question = DemandeAuGestionnaire.objects.create(
        guichet=guichet_75,
        departement_id="75",
        auteur=agent(guichet_75),
        objet=DemandeAuGestionnaire.Objet.DOUBLON,
        message=f"Suspicion de doublon lors d'un enregistrement : {martin.numero_unique}",
    )
    DemandeAuGestionnaire.objects.create(
        guichet=guichet_75,
        departement_id="75",
        auteur=agent(guichet_75),
        objet=DemandeAuGestionnaire.Objet.DOUBLON,
        message="Une autre suspicion : 075112699999975DB1",
    )
    connecter(client, gestionnaire("75"))
    forcage = CreationForcee.objects.get()

    reponse = client.get(f"/gestion/doublons/creations-forcees/{forcage.pk}/")

    assert reponse.context["messages_du_guichet"] == [question]
    assert f"/gestion/departements/demandes/{question.pk}/" in texte(reponse)
