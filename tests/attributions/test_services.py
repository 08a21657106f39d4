"""From demande to home: a landlord's desk records its dwellings, a CAL session, the candidates
and the decisions (CCH R441-3), the applicant's refusal, then the lease that strikes the demande
off for attribution (RADATT) with the dwelling named."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from sne.attributions import services
from sne.attributions.models import Candidature
from sne.audit.models import EvenementAudit
from sne.demandes.models import EvenementDemande, HistoriqueDemande
from sne.exceptions import ErreurMetier, NonAutorise
from tests.factories import GuichetFactory, OrganisationFactory, agent

from .fixtures import AUJOURD_HUI, LOGEMENT, nouvelle_demande

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]


def trois_candidats(seance, logement, candidats, par, guichet):
    return [
        services.inscrire_candidat(seance, logement, d, par=par, guichet=guichet) for d in candidats
    ]


def test_un_logement_est_enregistre_avec_ses_caracteristiques(logement, guichet):
    assert logement.bailleur == guichet.organisation
    assert logement.departement_id == "75" and logement.commune.nom == "Paris 13e Arrondissement"
    assert str(logement.surface) == "64.50" and str(logement.loyer) == "612.40"
    assert logement.etage == 3 and logement.ascenseur and logement.reservataire == "PPRIOR"
    assert EvenementAudit.objects.filter(action="creation", objet_type__contains="logement")


@pytest.mark.parametrize(
    ("champ", "valeur", "code"),
    [
        ("commune", "99999", "commune_inconnue"),
        ("commune", "93066", "departement_non_habilite"),
        ("typologie", "T9", "typologie_inconnue"),
        ("loyer", "-3", "montant_invalide"),
        ("loyer", "1e400", "montant_invalide"),
        ("loyer", "NaN", "montant_invalide"),
        ("surface", "0", "montant_invalide"),
        ("etage", "999", "etage_invalide"),
        ("etage", "deux", "etage_invalide"),
        ("reference", "", "champ_requis"),
        ("reference", "x" * 51, "trop_long"),
        ("reservataire", "PREFET", "reservataire_inconnu"),
    ],
)
def test_un_logement_mal_saisi_est_refuse_en_francais(guichet, agent_bailleur, champ, valeur, code):
    with pytest.raises(ErreurMetier) as erreur:
        services.enregistrer_logement(
            {**LOGEMENT, champ: valeur}, par=agent_bailleur, guichet=guichet
        )
    assert erreur.value.code == code


def test_le_meme_logement_deux_fois_est_refuse(logement, guichet, agent_bailleur):
    with pytest.raises(ErreurMetier, match="déjà enregistré"):
        services.enregistrer_logement(dict(LOGEMENT), par=agent_bailleur, guichet=guichet)


def test_seul_un_guichet_de_bailleur_saisit_les_logements_et_les_cal(guichet_mairie):
    agent_mairie = agent(guichet_mairie)
    with pytest.raises(NonAutorise, match="pas celui d'un bailleur"):
        services.enregistrer_logement(dict(LOGEMENT), par=agent_mairie, guichet=guichet_mairie)
    with pytest.raises(NonAutorise, match="pas celui d'un bailleur"):
        services.ouvrir_seance(
            date_seance=AUJOURD_HUI, membres=[], par=agent_mairie, guichet=guichet_mairie
        )


def test_la_seance_garde_ses_membres_et_refuse_une_date_improbable(seance, guichet, agent_bailleur):
    assert [m.qualite for m in seance.membres.all()] == [
        "bailleur",
        "bailleur",
        "maire",
        "prefet",
        "locataires",
    ]
    with pytest.raises(ErreurMetier, match="à un an au plus"):
        services.ouvrir_seance(
            date_seance=date(2031, 1, 1), membres=[], par=agent_bailleur, guichet=guichet
        )
    with pytest.raises(ErreurMetier, match="Membre 1 : choisissez sa qualité"):
        services.ouvrir_seance(
            date_seance=AUJOURD_HUI, membres=[("roi", "X")], par=agent_bailleur, guichet=guichet
        )


def test_trois_candidats_une_attribution_le_bail_radie_pour_attribution(
    seance, logement, candidats, guichet, agent_bailleur
):
    premier, deuxieme, troisieme = trois_candidats(
        seance, logement, candidats, agent_bailleur, guichet
    )
    assert [c.rang for c in (premier, deuxieme, troisieme)] == [1, 2, 3]

    services.decider(premier, "attribution", par=agent_bailleur, guichet=guichet)
    services.decider(
        deuxieme, "non_attribution", motif="autre_candidat", par=agent_bailleur, guichet=guichet
    )
    services.decider(
        troisieme,
        "non_attribution",
        motif="inadapte_composition",
        par=agent_bailleur,
        guichet=guichet,
    )
    services.signer_bail(premier, le=date(2027, 3, 14), par=agent_bailleur, guichet=guichet)

    demande = candidats[0]
    demande.refresh_from_db()
    assert demande.statut == "radiee" and demande.motif_radiation == "attribution"
    assert "Bail signé le 14/03/2027 : logement PE-0412-03" in demande.commentaire_radiation
    assert "12 rue de Tolbiac, Paris 13e Arrondissement" in demande.commentaire_radiation
    actions = list(
        HistoriqueDemande.objects.filter(demande=demande)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["candidature_cal", "decision_cal", "radiation"]
    assert EvenementDemande.objects.filter(demande=demande, type="decision_cal").exists()
    decision = HistoriqueDemande.objects.get(demande=demande, action="decision_cal")
    assert decision.commentaire == (
        "CAL du 10/03/2027 — Habitat Parisien : attribution du logement PE-0412-03 "
        "(T3, Paris 13e Arrondissement), rang 1"
    )
    assert [c.demande for c in services.parcours(demande)] == [demande]
    # The others stay active, their non-attribution motivated in their history.
    candidats[1].refresh_from_db()
    assert candidats[1].statut == "active"
    assert "motif : attribué à un candidat prioritaire" in (
        HistoriqueDemande.objects.get(demande=candidats[1], action="decision_cal").commentaire
    )


def test_classement_le_refus_du_premier_passe_le_logement_au_suivant(
    seance, logement, candidats, guichet, agent_bailleur
):
    premier, deuxieme, _ = trois_candidats(seance, logement, candidats, agent_bailleur, guichet)
    for c in (premier, deuxieme):
        services.decider(c, "attribution_classement", par=agent_bailleur, guichet=guichet)

    with pytest.raises(ErreurMetier, match="rang 1 n'a pas refusé"):
        services.signer_bail(deuxieme, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)

    services.enregistrer_refus(
        premier, "localisation", le=date(2027, 3, 12), par=agent_bailleur, guichet=guichet
    )
    services.signer_bail(deuxieme, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)

    assert services.nombre_de_refus(candidats[0]) == 1
    candidats[0].refresh_from_db()
    assert candidats[0].statut == "active"  # a refusal does not strike off
    refus = HistoriqueDemande.objects.get(demande=candidats[0], action="refus_logement")
    assert "refusé le 12/03/2027 : localisation" in refus.commentaire
    with pytest.raises(ErreurMetier, match="refusé ce logement"):
        services.signer_bail(premier, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)


def test_attribution_sous_condition_le_bail_attend_la_piece(
    seance, logement, candidats, guichet, agent_bailleur
):
    (candidat,) = trois_candidats(seance, logement, candidats[:1], agent_bailleur, guichet)
    with pytest.raises(ErreurMetier, match="pièce justificative attendue"):
        services.decider(
            candidat, "attribution_sous_condition", par=agent_bailleur, guichet=guichet
        )
    services.decider(
        candidat,
        "attribution_sous_condition",
        condition="Avis d'imposition 2026",
        condition_avant=date(2027, 3, 31),
        par=agent_bailleur,
        guichet=guichet,
    )
    with pytest.raises(ErreurMetier, match="attend encore une pièce"):
        services.signer_bail(candidat, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)

    services.lever_condition(candidat, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)
    services.signer_bail(candidat, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)

    candidat.demande.refresh_from_db()
    assert candidat.demande.motif_radiation == "attribution"


def test_irrecevabilite_pour_piece_falsifiee_ne_radie_pas_d_elle_meme(
    seance, logement, candidats, guichet, agent_bailleur
):
    """The FAQ: the CAL states on a falsified identity document; the desk then strikes the
    demande off for irrecevabilité after the registered letter (`radier`, one month later)."""
    (candidat,) = trois_candidats(seance, logement, candidats[:1], agent_bailleur, guichet)
    with pytest.raises(ErreurMetier, match="irrecevabilité a son motif"):
        services.decider(candidat, "irrecevabilite", par=agent_bailleur, guichet=guichet)
    services.decider(
        candidat, "irrecevabilite", motif="piece_falsifiee", par=agent_bailleur, guichet=guichet
    )
    candidat.refresh_from_db()
    assert candidat.get_decision_display() == "Irrecevabilité de la demande"
    candidat.demande.refresh_from_db()
    assert candidat.demande.statut == "active"
    assert "motif : pièce d'identité falsifiée" in services.resume_decision(candidat)


def test_deux_attributions_simples_du_meme_logement_sont_refusees(
    seance, logement, candidats, guichet, agent_bailleur
):
    premier, deuxieme, _ = trois_candidats(seance, logement, candidats, agent_bailleur, guichet)
    services.decider(premier, "attribution", par=agent_bailleur, guichet=guichet)
    with pytest.raises(ErreurMetier, match="déjà attribué à un autre candidat"):
        services.decider(deuxieme, "attribution", par=agent_bailleur, guichet=guichet)
    with pytest.raises(ErreurMetier, match="déjà enregistrée"):
        services.decider(
            premier, "non_attribution", motif="autre", par=agent_bailleur, guichet=guichet
        )


def test_regles_de_date_et_d_etat(horloge, guichet, agent_bailleur, logement, candidats):
    a_venir = services.ouvrir_seance(
        date_seance=date(2027, 4, 2), membres=[], par=agent_bailleur, guichet=guichet
    )
    candidat = services.inscrire_candidat(
        a_venir, logement, candidats[0], par=agent_bailleur, guichet=guichet
    )
    with pytest.raises(ErreurMetier, match="n'a pas encore eu lieu"):
        services.decider(candidat, "attribution", par=agent_bailleur, guichet=guichet)

    ancienne = services.ouvrir_seance(
        date_seance=date(2026, 4, 1), membres=[], par=agent_bailleur, guichet=guichet
    )
    with pytest.raises(ErreurMetier, match="précède le dépôt de la demande"):
        services.inscrire_candidat(
            ancienne, logement, candidats[1], par=agent_bailleur, guichet=guichet
        )

    from sne.demandes import services as demandes

    demandes.radier(candidats[2], "renonciation", par=agent_bailleur, guichet=guichet)
    with pytest.raises(ErreurMetier, match="est radiée"):
        services.inscrire_candidat(
            a_venir, logement, candidats[2], par=agent_bailleur, guichet=guichet
        )


def test_une_demande_hors_perimetre_ne_peut_pas_etre_candidate(
    seance, logement, guichet, agent_bailleur
):
    autre = GuichetFactory(code="75AU1", departements=["75"], communes=["75120"])
    demande = nouvelle_demande(autre, agent(autre), 5, date_depot="2026-04-02")
    restreint = GuichetFactory(
        code="75BA2", organisation=guichet.organisation, departements=["75"], communes=["75113"]
    )
    agent_restreint = agent(restreint)

    with pytest.raises(NonAutorise, match="hors du périmètre"):
        services.inscrire_candidat(
            seance, logement, demande, par=agent_restreint, guichet=restreint
        )
    assert EvenementAudit.objects.filter(action="acces_refuse").exists()
    assert not Candidature.objects.exists()


def test_un_bailleur_ne_saisit_pas_la_cal_d_un_autre(seance, logement, candidats):
    autre = GuichetFactory(
        code="75BB1", organisation=OrganisationFactory(nom="Autre bailleur"), departements=["75"]
    )
    with pytest.raises(NonAutorise, match="ne peut pas le saisir"):
        services.inscrire_candidat(seance, logement, candidats[0], par=agent(autre), guichet=autre)


def test_la_base_refuse_ce_qui_ne_doit_pas_exister(
    seance, logement, candidats, guichet, agent_bailleur
):
    candidat = services.inscrire_candidat(
        seance, logement, candidats[0], par=agent_bailleur, guichet=guichet
    )
    interdits = [
        {"decision": "non_attribution"},  # without motif
        {"decision": "attribution", "motif": "taux_effort"},
        {"decision": "attribution_sous_condition"},  # without the awaited pièce
        {"decision": "non_attribution", "motif": "autre", "bail_signe_le": AUJOURD_HUI},
        {"decision": "cadeau"},
        {"rang": 0},
    ]
    for champs in interdits:
        with pytest.raises(IntegrityError), transaction.atomic():
            Candidature.objects.filter(pk=candidat.pk).update(**champs)


def test_la_page_de_la_demande_montre_son_parcours_en_cal(
    client, seance, logement, candidats, guichet, agent_bailleur
):
    from django.urls import reverse

    from tests.outils import connecter, texte

    premier, deuxieme, _ = trois_candidats(seance, logement, candidats, agent_bailleur, guichet)
    services.decider(premier, "attribution", par=agent_bailleur, guichet=guichet)
    services.decider(
        deuxieme,
        "non_attribution",
        motif="autre",
        precision="Ménage déjà relogé",
        par=agent_bailleur,
        guichet=guichet,
    )
    services.signer_bail(premier, le=AUJOURD_HUI, par=agent_bailleur, guichet=guichet)
    connecter(client, agent_bailleur)

    def onglet(demande):
        url = reverse("demandes:demande", args=[demande.numero_unique]) + "?onglet=attributions"
        return texte(client.get(url))

    page = onglet(candidats[0])
    assert "Passages en commission d'attribution" in page
    assert "10/03/2027" in page and "12 rue de Tolbiac, Paris 13e Arrondissement" in page
    assert "Bail signé le 15/03/2027" in page
    assert "Radiation suite à attribution" in page or "Attribution d'un logement" in page
    assert "motif : autre motif (précisé) (ménage déjà relogé)" in onglet(candidats[1])
    assert "n'est encore passée devant aucune commission" not in page
    assert "n'est encore passée devant aucune commission" in onglet(
        nouvelle_demande(guichet, agent_bailleur, 7)
    )
