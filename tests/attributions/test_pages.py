"""A landlord's desk records its CAL on the pages under /attributions/: its sessions and
dwellings, a session's candidates, each decision, the condition, the applicant's refusal and
the lease that strikes the demande off. The rules are the services' (test_services.py): these
tests check that each page shows, each form reaches its service and shows its refusal in
French on the field, and that the rights hold (town hall: refused; another landlord: 404;
consultation only: no forms). Every page that shows applicants writes their reading."""

from datetime import date

import pytest

from sne.attributions import services
from sne.attributions.models import Candidature, Logement, SeanceCAL
from sne.audit.models import EvenementAudit
from sne.organisations.models import Organisation
from tests.factories import GuichetFactory, OrganisationFactory, agent, habiliter
from tests.outils import connecter, texte

from .fixtures import AUJOURD_HUI, LOGEMENT

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]


@pytest.fixture
def connecte(client, agent_bailleur):
    connecter(client, agent_bailleur)
    return client


@pytest.fixture
def presentes(seance, logement, candidats, guichet, agent_bailleur):
    return [
        services.inscrire_candidat(seance, logement, d, par=agent_bailleur, guichet=guichet)
        for d in candidats
    ]


def lectures(demande) -> int:
    return EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION,
        objet_type="demandes.demande",
        objet_id=str(demande.pk),
    ).count()


# --- Sessions ----------------------------------------------------------------------------------


def test_la_liste_des_seances_vide_dit_quoi_faire(connecte):
    reponse = connecte.get("/attributions/")
    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Aucune séance enregistrée" in page
    assert 'href="/attributions/seances/nouvelle/"' in page
    assert 'href="/attributions/"' in page and ">Attributions<" in page  # the main menu


def test_la_liste_des_seances_compte_logements_candidats_et_decisions(
    connecte, presentes, agent_bailleur, guichet
):
    services.decider(presentes[0], "attribution", par=agent_bailleur, guichet=guichet)
    page = texte(connecte.get("/attributions/"))
    assert "10/03/2027" in page
    ligne = page.split("10/03/2027", 1)[1].split("</tr>", 1)[0]
    cellules = [c.split("</td>")[0].strip() for c in ligne.split("<td>")[1:]]
    assert cellules[1:4] == ["1", "3", "1"]
    assert "2 à saisir" in ligne


def test_une_nouvelle_seance_est_enregistree_avec_ses_membres(connecte):
    donnees = {
        "date": "2027-03-12",
        "lieu": "Siège, salle du conseil",
        "membres-TOTAL_FORMS": "6",
        "membres-INITIAL_FORMS": "0",
        "membres-0-qualite": "bailleur",
        "membres-0-organisation": "Habitat Parisien",
        "membres-1-qualite": "maire",
        "membres-1-organisation": "Ville de Paris",
    }
    reponse = connecte.post("/attributions/seances/nouvelle/", donnees, follow=True)
    seance = SeanceCAL.objects.get()
    assert reponse.redirect_chain[-1][0] == f"/attributions/seances/{seance.pk}/"
    assert seance.date == date(2027, 3, 12) and seance.lieu == "Siège, salle du conseil"
    assert [(m.qualite, m.organisation) for m in seance.membres.all()] == [
        ("bailleur", "Habitat Parisien"),
        ("maire", "Ville de Paris"),
    ]
    assert "Séance du 12/03/2027 enregistrée" in texte(reponse)


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({"date": ""}, "Indiquez la date de la séance."),
        ({"date": "2027-02-31"}, "Saisissez une date valide (jj/mm/aaaa)."),
        ({"date": "2031-01-01"}, "La date de la séance est à un an au plus d'aujourd'hui"),
        (
            {"date": "2027-03-12", "membres-0-qualite": "maire"},
            "Indiquez la qualité et l'organisation du membre, ou laissez la ligne vide.",
        ),
        (
            {"date": "2027-03-12", "membres-0-qualite": "roi", "membres-0-organisation": "X"},
            "Cette qualité n'existe pas",
        ),
    ],
)
def test_une_seance_mal_saisie_est_refusee_en_francais(connecte, donnees, message):
    envoi = {"membres-TOTAL_FORMS": "6", "membres-INITIAL_FORMS": "0", **donnees}
    reponse = connecte.post("/attributions/seances/nouvelle/", envoi)
    assert reponse.status_code == 200
    assert message in texte(reponse)
    assert "Erreur — " in texte(reponse)
    assert not SeanceCAL.objects.exists()


def test_la_page_d_une_seance_montre_membres_candidats_et_journalise_la_lecture(
    connecte, presentes, candidats
):
    avant = lectures(candidats[0])
    reponse = connecte.get(f"/attributions/seances/{presentes[0].seance_id}/")
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Préfecture de Paris (DRIHL) (Représentant de l'État (préfet))" in page
    assert "T3 12 rue de Tolbiac, Paris 13e Arrondissement" in page
    for d in candidats:
        assert f'href="/demandes/{d.numero_unique}/"' in page
        assert d.demandeur.nom.upper() in page
    assert page.count("Enregistrer la décision") == 3
    assert "Présenter le candidat" in page
    assert lectures(candidats[0]) == avant + 1
    assert (
        reponse["Cache-Control"].startswith("max-age=0") or "no-store" in reponse["Cache-Control"]
    )


# --- Candidates and decisions -------------------------------------------------------------------


def test_presenter_un_candidat_par_son_numero(connecte, seance, logement, candidats):
    donnees = {
        "presenter-logement": str(logement.pk),
        "presenter-numero": candidats[1].numero_unique,
        "presenter-rang": "",
    }
    reponse = connecte.post(f"/attributions/seances/{seance.pk}/presenter/", donnees, follow=True)
    candidature = Candidature.objects.get()
    assert candidature.demande == candidats[1] and candidature.rang == 1
    assert f"La demande {candidats[1].numero_unique} est présentée au rang 1" in texte(reponse)


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("numero", "", "Indiquez le numéro unique de la demande."),
        ("numero", "075032700099975BA1", "Aucune demande visible ne porte le numéro"),
        ("numero", "075112604000001", "Un numéro unique compte 18 caractères"),
        ("numero", "abc", "numéro"),
        ("rang", "0", "Le rang est un nombre entre 1 et 50."),
        ("rang", "3000000000", "Le rang est un nombre entre 1 et 50."),
        ("logement", "999999", "Ce logement n'est pas l'un de ceux de votre bailleur."),
    ],
)
def test_une_presentation_mal_saisie_est_refusee_sur_son_champ(
    connecte, seance, logement, candidats, champ, valeur, message
):
    donnees = {
        "presenter-logement": str(logement.pk),
        "presenter-numero": candidats[0].numero_unique,
        "presenter-rang": "",
        f"presenter-{champ}": valeur,
    }
    reponse = connecte.post(f"/attributions/seances/{seance.pk}/presenter/", donnees)
    assert reponse.status_code == 200
    assert message in texte(reponse)
    assert not Candidature.objects.exists()


def test_le_meme_candidat_deux_fois_est_refuse_en_francais(connecte, presentes, logement):
    donnees = {
        "presenter-logement": str(logement.pk),
        "presenter-numero": presentes[0].demande.numero_unique,
    }
    reponse = connecte.post(f"/attributions/seances/{presentes[0].seance_id}/presenter/", donnees)
    assert "est déjà candidate pour ce logement à cette séance" in texte(reponse)


def test_une_attribution_deux_non_attributions_puis_le_bail_radie_la_demande(
    connecte, presentes, candidats
):
    premier, deuxieme, troisieme = presentes
    connecte.post(
        f"/attributions/candidatures/{premier.pk}/decision/",
        {f"decision-{premier.pk}-decision": "attribution"},
    )
    connecte.post(
        f"/attributions/candidatures/{deuxieme.pk}/decision/",
        {
            f"decision-{deuxieme.pk}-decision": "non_attribution",
            f"decision-{deuxieme.pk}-motif": "autre_candidat",
        },
    )
    reponse = connecte.post(
        f"/attributions/candidatures/{troisieme.pk}/decision/",
        {
            f"decision-{troisieme.pk}-decision": "non_attribution",
            f"decision-{troisieme.pk}-motif": "taux_effort",
        },
        follow=True,
    )
    assert "Décision enregistrée pour la demande" in texte(reponse)
    assert [c.decision for c in Candidature.objects.order_by("rang")] == [
        "attribution",
        "non_attribution",
        "non_attribution",
    ]
    page = texte(reponse)
    assert "Radie la demande" not in page
    assert f"radie la demande {candidats[0].numero_unique} pour attribution" in page

    reponse = connecte.post(
        f"/attributions/candidatures/{premier.pk}/bail/",
        {f"bail-{premier.pk}-le": "2027-03-14"},
        follow=True,
    )
    page = texte(reponse)
    assert f"la demande {candidats[0].numero_unique} est radiée pour attribution" in page
    assert "Bail signé le 14/03/2027 : demande radiée pour attribution." in page
    candidats[0].refresh_from_db()
    assert candidats[0].statut == "radiee" and candidats[0].motif_radiation == "attribution"


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        ({}, "Choisissez la décision de la commission."),
        ({"decision": "veto"}, "Cette décision n'existe pas"),
        ({"decision": "non_attribution"}, "Une non-attribution est motivée"),
        ({"decision": "attribution", "motif": "taux_effort"}, "Seules la non-attribution"),
        (
            {"decision": "non_attribution", "motif": "autre"},
            "Précisez le motif.",
        ),
        (
            {"decision": "attribution_sous_condition", "condition": "Avis d'imposition"},
            "Indiquez avant quelle date la pièce doit être fournie",
        ),
        (
            {"decision": "attribution_sous_condition", "condition_avant": "2027-31-03"},
            "Saisissez une date valide (jj/mm/aaaa).",
        ),
    ],
)
def test_une_decision_mal_saisie_est_refusee_en_francais(connecte, presentes, donnees, message):
    c = presentes[0]
    envoi = {f"decision-{c.pk}-{k}": v for k, v in donnees.items()}
    reponse = connecte.post(f"/attributions/candidatures/{c.pk}/decision/", envoi)
    assert reponse.status_code == 200
    assert message in texte(reponse)
    c.refresh_from_db()
    assert c.decision == ""


def test_condition_levee_puis_bail(connecte, presentes, candidats):
    c = presentes[0]
    connecte.post(
        f"/attributions/candidatures/{c.pk}/decision/",
        {
            f"decision-{c.pk}-decision": "attribution_sous_condition",
            f"decision-{c.pk}-condition": "Avis d'imposition 2026",
            f"decision-{c.pk}-condition_avant": "2027-03-31",
        },
    )
    page = texte(connecte.get(f"/attributions/seances/{c.seance_id}/"))
    assert "Condition levée le" in page
    reponse = connecte.post(
        f"/attributions/candidatures/{c.pk}/bail/", {f"bail-{c.pk}-le": "2027-03-14"}
    )
    assert "L'attribution attend encore une pièce (Avis d'imposition 2026)" in texte(reponse)

    reponse = connecte.post(
        f"/attributions/candidatures/{c.pk}/condition/",
        {f"condition-{c.pk}-le": "2027-03-13"},
        follow=True,
    )
    assert "Condition levée le 13/03/2027" in texte(reponse)
    connecte.post(f"/attributions/candidatures/{c.pk}/bail/", {f"bail-{c.pk}-le": "2027-03-14"})
    candidats[0].refresh_from_db()
    assert candidats[0].motif_radiation == "attribution"


def test_le_refus_du_demandeur_est_enregistre_et_compte(connecte, presentes, candidats):
    c = presentes[0]
    connecte.post(
        f"/attributions/candidatures/{c.pk}/decision/", {f"decision-{c.pk}-decision": "attribution"}
    )
    reponse = connecte.post(
        f"/attributions/candidatures/{c.pk}/refus/",
        {f"refus-{c.pk}-motif": "autre", f"refus-{c.pk}-le": "2027-03-12"},
    )
    assert "Précisez le motif." in texte(reponse)
    reponse = connecte.post(
        f"/attributions/candidatures/{c.pk}/refus/",
        {f"refus-{c.pk}-motif": "loyer", f"refus-{c.pk}-le": "2027-03-12"},
        follow=True,
    )
    assert "il compte 1 refus de logement" in texte(reponse)
    assert "Refusé par le demandeur le 12/03/2027 (loyer ou charges trop élevés)" in texte(reponse)
    candidats[0].refresh_from_db()
    assert candidats[0].statut == "active"


def test_un_bail_a_une_date_impossible_est_refuse(connecte, presentes):
    c = presentes[0]
    connecte.post(
        f"/attributions/candidatures/{c.pk}/decision/", {f"decision-{c.pk}-decision": "attribution"}
    )
    for date_saisie, message in [
        ("", "Indiquez la date de signature du bail."),
        ("2027-03-01", "Le bail se situe entre le 10/03/2027 et aujourd'hui"),
        ("0001-01-01", "Le bail se situe entre le 10/03/2027 et aujourd'hui"),
    ]:
        reponse = connecte.post(
            f"/attributions/candidatures/{c.pk}/bail/", {f"bail-{c.pk}-le": date_saisie}
        )
        assert message in texte(reponse)


# --- Dwellings ----------------------------------------------------------------------------------


def test_un_logement_est_enregistre_par_le_formulaire(connecte):
    donnees = {**LOGEMENT, "commune": "75113", "ascenseur": "on"}
    reponse = connecte.post("/attributions/logements/nouveau/", donnees, follow=True)
    logement = Logement.objects.get()
    assert reponse.redirect_chain[-1][0] == f"/attributions/logements/{logement.pk}/"
    assert logement.commune_id == "75113" and logement.ascenseur and not logement.accessible
    assert str(logement.surface) == "64.50"
    assert "Logement PE-0412-03 enregistré." in texte(reponse)


def test_la_commune_du_logement_se_saisit_par_son_nom(connecte):
    donnees = {**LOGEMENT, "commune": "", "commune_code": "75113"}
    connecte.post("/attributions/logements/nouveau/", donnees)
    assert Logement.objects.get().commune_id == "75113"


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("reference", "", "Indiquez la référence du logement chez le bailleur."),
        ("commune", "", "Indiquez la commune du logement."),
        ("commune", "Saint-Denis", "Saint-Denis"),
        ("commune", "93066", "n'est pas habilité sur le département de cette commune"),
        ("typologie", "T9", "Cette typologie n'existe pas"),
        ("loyer", "-3", "Le loyer hors charges : un nombre entre 0 et 10000."),
        ("loyer", "beaucoup", "Le loyer hors charges : un nombre entre 0 et 10000."),
        ("etage", "99", "L'étage est un nombre entre -3 et 60"),
        ("reservataire", "PREFET", "Ce contingent n'existe pas"),
    ],
)
def test_un_logement_mal_saisi_est_refuse_sur_son_champ(connecte, champ, valeur, message):
    reponse = connecte.post("/attributions/logements/nouveau/", {**LOGEMENT, champ: valeur})
    assert reponse.status_code == 200
    assert message in texte(reponse)
    assert not Logement.objects.exists()


def test_la_liste_des_logements_se_filtre_par_commune_et_typologie(
    connecte, logement, guichet, agent_bailleur
):
    services.enregistrer_logement(
        {
            **LOGEMENT,
            "reference": "B-2",
            "identifiant_rpls": "",
            "commune": "75120",
            "typologie": "T2",
        },
        par=agent_bailleur,
        guichet=guichet,
    )
    page = texte(connecte.get("/attributions/logements/"))
    assert "PE-0412-03" in page and "B-2" in page
    page = texte(connecte.get("/attributions/logements/", {"commune": "75120"}))
    assert "PE-0412-03" not in page and "B-2" in page
    page = texte(connecte.get("/attributions/logements/", {"commune": "13e"}))
    assert "PE-0412-03" in page and "B-2" not in page
    page = texte(connecte.get("/attributions/logements/", {"typologie": "T2"}))
    assert "PE-0412-03" not in page and "B-2" in page
    page = texte(connecte.get("/attributions/logements/", {"typologie": "T5"}))
    assert "Aucun logement ne correspond à ce filtre." in page


def test_la_liste_des_logements_vide_dit_quoi_faire(connecte):
    page = texte(connecte.get("/attributions/logements/"))
    assert "Aucun logement enregistré" in page and "Nouveau logement" in page


def test_la_page_d_un_logement_montre_ses_passages_en_commission(connecte, presentes, logement):
    avant = lectures(presentes[0].demande)
    page = texte(connecte.get(f"/attributions/logements/{logement.pk}/"))
    assert "12 rue de Tolbiac, Paris 13e Arrondissement (75113)" in page
    assert presentes[2].demande.numero_unique in page
    assert lectures(presentes[0].demande) == avant + 1


# --- Rights -------------------------------------------------------------------------------------


def test_un_agent_de_mairie_n_a_pas_acces_aux_attributions(client, guichet_mairie):
    connecter(client, agent(guichet_mairie))
    for url in ("/attributions/", "/attributions/logements/", "/attributions/seances/nouvelle/"):
        reponse = client.get(url)
        assert reponse.status_code == 403
        assert "réservées aux agents habilités sur un guichet de bailleur" in texte(reponse)
    assert ">Attributions<" not in texte(client.get("/"))


def test_un_autre_bailleur_ne_voit_ni_la_seance_ni_le_logement_ni_la_candidature(
    client, presentes, logement
):
    autre = OrganisationFactory(nom="Autre Habitat", type=Organisation.Type.BAILLEUR)
    connecter(client, agent(GuichetFactory(code="75BA9", organisation=autre, departements=["75"])))
    c = presentes[0]
    for url in (
        f"/attributions/seances/{c.seance_id}/",
        f"/attributions/seances/{c.seance_id}/presenter/",
        f"/attributions/logements/{logement.pk}/",
        f"/attributions/candidatures/{c.pk}/decision/",
        f"/attributions/candidatures/{c.pk}/bail/",
    ):
        assert client.get(url).status_code == 404, url
    reponse = client.post(
        f"/attributions/candidatures/{c.pk}/decision/", {f"decision-{c.pk}-decision": "attribution"}
    )
    assert reponse.status_code == 404
    c.refresh_from_db()
    assert c.decision == ""
    assert "Aucune séance enregistrée" in texte(client.get("/attributions/"))


def test_la_consultation_seule_lit_sans_formulaires(client, guichet, presentes, logement):
    connecter(client, agent(guichet, role="consultation"))
    page = texte(client.get(f"/attributions/seances/{presentes[0].seance_id}/"))
    assert presentes[0].demande.numero_unique in page
    assert 'action="/attributions/' not in page and "Présenter le candidat" not in page
    assert "Nouvelle séance" not in texte(client.get("/attributions/"))
    assert "Nouveau logement" not in texte(client.get("/attributions/logements/"))
    c = presentes[0]
    for url in (
        "/attributions/seances/nouvelle/",
        "/attributions/logements/nouveau/",
        f"/attributions/candidatures/{c.pk}/decision/",
    ):
        assert client.get(url).status_code == 403, url
    reponse = client.post(
        f"/attributions/candidatures/{c.pk}/decision/", {f"decision-{c.pk}-decision": "attribution"}
    )
    assert reponse.status_code == 403
    c.refresh_from_db()
    assert c.decision == ""


def test_hors_du_perimetre_du_guichet_ni_nom_ni_lien_vers_la_demande(
    client, bailleur, presentes, logement
):
    """A desk of the same landlord consulting only Saint-Denis reads the session, not the
    applicants of Paris: their numéro without their name nor the link to their page."""
    restreint = GuichetFactory(
        code="93BA2", organisation=bailleur, departements=["93"], communes=["93066"]
    )
    connecter(client, agent(restreint, role="consultation"))
    demande = presentes[0].demande
    page = texte(client.get(f"/attributions/seances/{presentes[0].seance_id}/"))
    assert demande.numero_unique in page
    assert "hors du périmètre de consultation de votre guichet" in page
    assert f'href="/demandes/{demande.numero_unique}/"' not in page
    assert demande.demandeur.nom.upper() not in page
    page = texte(client.get(f"/attributions/logements/{logement.pk}/"))
    assert f'href="/demandes/{demande.numero_unique}/"' not in page


# --- An agent of two landlords ------------------------------------------------------------------


@pytest.fixture
def deuxieme_guichet(horloge):
    """A desk of a second landlord, in 92 and 75."""
    autre = OrganisationFactory(nom="Seine Habitat", type=Organisation.Type.BAILLEUR)
    return GuichetFactory(code="92SH1", organisation=autre, departements=["92", "75"])


@pytest.fixture
def troisieme_guichet(horloge):
    tiers = OrganisationFactory(nom="Val Logement", type=Organisation.Type.BAILLEUR)
    return GuichetFactory(code="94VL1", organisation=tiers, departements=["94", "75"])


@pytest.fixture
def deux_bailleurs(client, agent_bailleur, deuxieme_guichet):
    """The agent of 75BA1 (Habitat Parisien) also records for Seine Habitat's desk."""
    habiliter(agent_bailleur, "saisie", guichet=deuxieme_guichet)
    connecter(client, agent_bailleur)
    return client


def test_un_agent_de_deux_bailleurs_cree_un_logement_pour_chacun(
    deux_bailleurs, bailleur, guichet, deuxieme_guichet
):
    page = texte(deux_bailleurs.get("/attributions/logements/nouveau/"))
    assert "Choisissez le bailleur" in page
    assert "Habitat Parisien" in page and "Seine Habitat" in page
    autre = deuxieme_guichet.organisation
    for organisation, reference, commune in (
        (bailleur, "HP-1", "75113"),
        (autre, "SH-1", "92012"),
    ):
        donnees = {**LOGEMENT, "bailleur": organisation.pk, "reference": reference}
        donnees.update(commune=commune, identifiant_rpls="")
        reponse = deux_bailleurs.post("/attributions/logements/nouveau/", donnees, follow=True)
        logement = Logement.objects.get(reference=reference)
        assert reponse.redirect_chain[-1][0] == f"/attributions/logements/{logement.pk}/"
        assert f"Logement {reference} enregistré pour {organisation.nom}." in texte(reponse)
    assert {(lg.reference, lg.bailleur_id, lg.guichet_id) for lg in Logement.objects.all()} == {
        ("HP-1", bailleur.pk, guichet.pk),
        ("SH-1", autre.pk, deuxieme_guichet.pk),
    }
    # Each landlord's list shows its own, by the selector above the list.
    page = texte(deux_bailleurs.get(f"/attributions/logements/?bailleur={autre.pk}"))
    assert "SH-1" in page and "HP-1" not in page
    assert f'href="/attributions/logements/nouveau/?bailleur={autre.pk}"' in page
    page = texte(deux_bailleurs.get("/attributions/logements/"))
    assert "HP-1" in page and "SH-1" not in page
    assert 'name="bailleur"' in page  # the selector


def test_un_agent_de_deux_bailleurs_ne_cree_pas_pour_un_troisieme(
    deux_bailleurs, troisieme_guichet
):
    tiers = troisieme_guichet.organisation
    donnees = {**LOGEMENT, "bailleur": tiers.pk}
    reponse = deux_bailleurs.post("/attributions/logements/nouveau/", donnees)
    assert reponse.status_code == 200
    assert "Vous n'avez pas la saisie sur ce bailleur : choisissez-en un de la liste." in texte(
        reponse
    )
    for valeur in ("", "abc", "999999999999999999999"):
        reponse = deux_bailleurs.post(
            "/attributions/logements/nouveau/", {**LOGEMENT, "bailleur": valeur}
        )
        assert reponse.status_code == 200
    assert not Logement.objects.exists()
    envoi = {"bailleur": tiers.pk, "date": "2027-03-12", "membres-TOTAL_FORMS": "0"}
    envoi["membres-INITIAL_FORMS"] = "0"
    reponse = deux_bailleurs.post("/attributions/seances/nouvelle/", envoi)
    assert "Vous n'avez pas la saisie sur ce bailleur" in texte(reponse)
    assert not SeanceCAL.objects.exists()
    # Named in the address (the lists' selector): refused, in French, never a 500.
    for url in (
        f"/attributions/?bailleur={tiers.pk}",
        f"/attributions/logements/?bailleur={tiers.pk}",
        f"/attributions/logements/nouveau/?bailleur={tiers.pk}",
        f"/attributions/seances/nouvelle/?bailleur={tiers.pk}",
        "/attributions/?bailleur=abc",
        "/attributions/?bailleur=999999999999999999999",
    ):
        reponse = deux_bailleurs.get(url)
        assert reponse.status_code == 403, url
        assert "Vous n'êtes habilité sur aucun guichet de ce bailleur" in texte(reponse)


def test_un_agent_de_deux_bailleurs_ouvre_et_tient_la_seance_du_second(
    deux_bailleurs, deuxieme_guichet, agent_bailleur
):
    autre = deuxieme_guichet.organisation
    envoi = {
        "bailleur": autre.pk,
        "date": "2027-03-12",
        "membres-TOTAL_FORMS": "1",
        "membres-INITIAL_FORMS": "0",
        "membres-0-qualite": "bailleur",
        "membres-0-organisation": "Seine Habitat",
    }
    reponse = deux_bailleurs.post("/attributions/seances/nouvelle/", envoi, follow=True)
    seance = SeanceCAL.objects.get()
    assert (seance.bailleur_id, seance.guichet_id) == (autre.pk, deuxieme_guichet.pk)
    page = texte(reponse)
    assert "Séance du 12/03/2027 enregistrée pour Seine Habitat" in page
    assert "Bailleur : <strong>Seine Habitat</strong>" in page
    # Its own landlord's dwellings to present, not those of the agent's first landlord.
    assert f'href="/attributions/logements/nouveau/?bailleur={autre.pk}"' in page
    assert "10/03/2027" not in texte(deux_bailleurs.get("/attributions/"))
    liste = texte(deux_bailleurs.get(f"/attributions/?bailleur={autre.pk}"))
    assert "12/03/2027" in liste


def test_un_agent_de_deux_bailleurs_decide_pour_la_seance_du_second_par_son_guichet(
    deux_bailleurs, deuxieme_guichet, agent_bailleur, candidats
):
    logement = services.enregistrer_logement(
        {**LOGEMENT, "reference": "SH-2"}, par=agent_bailleur, guichet=deuxieme_guichet
    )
    seance = services.ouvrir_seance(
        date_seance=date(2027, 3, 11), membres=[], par=agent_bailleur, guichet=deuxieme_guichet
    )
    c = services.inscrire_candidat(
        seance, logement, candidats[0], par=agent_bailleur, guichet=deuxieme_guichet
    )
    page = texte(deux_bailleurs.get(f"/attributions/seances/{seance.pk}/"))
    assert "Enregistrer la décision" in page
    candidats_du_logement = deux_bailleurs.get(f"/attributions/logements/{logement.pk}/candidats/")
    assert candidats_du_logement.status_code == 200
    reponse = deux_bailleurs.post(
        f"/attributions/candidatures/{c.pk}/decision/",
        {f"decision-{c.pk}-decision": "attribution"},
        follow=True,
    )
    assert reponse.redirect_chain[-1][0] == f"/attributions/seances/{seance.pk}/#candidature-{c.pk}"
    c.refresh_from_db()
    assert c.decision == "attribution"
    # Recorded by Seine Habitat's desk (the agent's first landlord's desk may not).
    assert c.demande.historique.latest("pk").guichet_id == deuxieme_guichet.pk


def test_un_logement_est_enregistre_par_le_guichet_du_bailleur_habilite_sur_sa_commune(
    client, bailleur, guichet, agent_bailleur
):
    """Saisie on two desks of one landlord (75BA1, 92BA2): a dwelling of Issy-les-Moulineaux
    is recorded by 92BA2, one of Paris by 75BA1; no choice of landlord is offered."""
    hauts_de_seine = GuichetFactory(code="92BA2", organisation=bailleur, departements=["92"])
    habiliter(agent_bailleur, "saisie", guichet=hauts_de_seine)
    connecter(client, agent_bailleur)
    assert "Choisissez le bailleur" not in texte(client.get("/attributions/logements/nouveau/"))
    for reference, commune in (("IS-1", "92040"), ("PA-1", "75113")):
        donnees = {**LOGEMENT, "reference": reference, "commune": commune}
        donnees["identifiant_rpls"] = ""
        assert client.post("/attributions/logements/nouveau/", donnees).status_code == 302
    assert dict(Logement.objects.values_list("reference", "guichet__code")) == {
        "IS-1": "92BA2",
        "PA-1": "75BA1",
    }
    reponse = client.post(
        "/attributions/logements/nouveau/",
        {**LOGEMENT, "reference": "VI-1", "commune": "94080", "identifiant_rpls": ""},
    )
    assert "Le guichet 75BA1 n'est pas habilité sur le département de cette commune" in texte(
        reponse
    )


def test_un_agent_d_un_seul_bailleur_n_a_pas_de_choix_du_bailleur(connecte):
    for url in (
        "/attributions/",
        "/attributions/logements/nouveau/",
        "/attributions/seances/nouvelle/",
    ):
        page = texte(connecte.get(url))
        assert 'name="bailleur"' not in page and "Choisissez le bailleur" not in page


def test_la_consultation_seule_d_un_second_bailleur_se_lit_sans_s_y_saisir(
    client, agent_bailleur, deuxieme_guichet
):
    """Saisie on Habitat Parisien, consultation on Seine Habitat: the creation forms offer
    only the first (no choice), Seine Habitat's lists are read without « Nouvelle séance »."""
    habiliter(agent_bailleur, "consultation", guichet=deuxieme_guichet)
    connecter(client, agent_bailleur)
    autre = deuxieme_guichet.organisation
    assert "Choisissez le bailleur" not in texte(client.get("/attributions/seances/nouvelle/"))
    page = texte(client.get(f"/attributions/?bailleur={autre.pk}"))
    assert "Seine Habitat (consultation seule)" in page
    assert "Nouvelle séance" not in page
    assert client.get(f"/attributions/seances/nouvelle/?bailleur={autre.pk}").status_code == 403


def test_un_visiteur_anonyme_est_renvoye_a_la_connexion(client):
    reponse = client.get("/attributions/")
    assert reponse.status_code == 302 and "/comptes/connexion/" in reponse["Location"]
