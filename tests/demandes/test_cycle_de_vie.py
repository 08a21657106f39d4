"""Modify, renew, strike off, reactivate, duplicate for separation (DESIGN « The Demande
lifecycle »; REFERENCE-CODES.md « Radiation rules »; FAQ « Règles d'usage »)."""

from datetime import date

import pytest
from django.core import mail

from sne.attestations.models import Attestation
from sne.demandes import recherche, services
from sne.demandes.models import Demande, HistoriqueDemande
from sne.exceptions import ErreurMetier
from tests.demandes.conftest import donnees_minimales
from tests.outils import a_midi

DEPOT = date(2025, 3, 3)  # the day the demandes of these tests are registered
SEPARATION_KARIM = services.Separation(
    piece_identite_type="titre_sejour",
    adresse_ligne1="4 rue de Belleville",
    commune="75119",
    email="karim@example.fr",
)

# Every test starts on the day of deposit; `horloge.move_to(a_midi(...))` turns the calendar.
pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(DEPOT)]


@pytest.fixture
def demande(guichet_75, agent_75, donnees):
    return services.enregistrer_demande(guichet_75, agent_75, donnees)


def test_une_modification_garde_l_ancienne_et_la_nouvelle_valeur_sans_attestation(
    demande, guichet_75, agent_75, django_capture_on_commit_callbacks
):
    attestations = Attestation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        changements = services.modifier_demande(
            demande,
            agent_75,
            guichet_75,
            demande_valeurs={"revenu_fiscal_reference": 23150},
            personnes={demande.demandeur.pk: {"telephone": "0612345678"}},
        )

    assert {"champ": "revenu_fiscal_reference", "avant": None, "apres": 23150} in changements
    entree = demande.historique.filter(action=HistoriqueDemande.Action.MODIFICATION).get()
    assert {
        "champ": "demandeur.telephone",
        "avant": "",
        "apres": "+33612345678",
    } in entree.changements
    # FAQ: no attestation after a mere modification (the callbacks that ran: the cotation).
    assert Attestation.objects.count() == attestations
    assert not Attestation.objects.exists()


def test_le_nir_n_apparait_jamais_en_clair_dans_l_historique(demande, guichet_75, agent_75):
    services.modifier_demande(
        demande, agent_75, guichet_75, personnes={demande.demandeur.pk: {"nir": "287047512012341"}}
    )

    entree = demande.historique.filter(action=HistoriqueDemande.Action.MODIFICATION).get()
    assert "287047512012341" not in str(entree.changements)


def test_les_communes_souhaitees_se_modifient(demande, guichet_75, agent_75):
    services.modifier_demande(demande, agent_75, guichet_75, communes=["75119", "Montreuil"])

    assert list(demande.communes_souhaitees.values_list("commune_id", flat=True)) == [
        "75119",
        "93048",
    ]


def test_le_renouvellement_repousse_l_expiration_d_un_an_et_garde_l_anciennete(
    demande, guichet_75, agent_75, django_capture_on_commit_callbacks, horloge
):
    assert demande.date_expiration == date(2026, 3, 3)
    horloge.move_to(a_midi(date(2026, 2, 6)))

    with django_capture_on_commit_callbacks() as rappels:
        demande = services.renouveler(demande, agent_75, guichet_75)

    assert demande.date_depot == date(2025, 3, 3)
    assert demande.date_dernier_renouvellement == date(2026, 2, 6)
    assert demande.date_expiration == date(2027, 2, 6)
    assert len(rappels) == 1  # the attestation de renouvellement is sent after commit


def test_une_radiation_pour_attribution_est_immediate_et_rend_la_demande_non_modifiable(
    demande, guichet_75, agent_75
):
    services.radier(
        demande, "attribution", par=agent_75, guichet=guichet_75, commentaire="Bail signé"
    )
    demande.refresh_from_db()

    assert demande.statut == Demande.Statut.RADIEE
    assert demande.date_radiation == date(2025, 3, 3)
    with pytest.raises(ErreurMetier) as exc:
        services.modifier_demande(
            demande, agent_75, guichet_75, demande_valeurs={"nombre_personnes": 2}
        )
    assert exc.value.code == "demande_radiee"
    with pytest.raises(ErreurMetier):
        services.renouveler(demande, agent_75, guichet_75)


def test_la_renonciation_est_immediate(demande, guichet_75, agent_75):
    services.radier(demande, "renonciation", par=agent_75, guichet=guichet_75)

    assert Demande.objects.get(pk=demande.pk).motif_radiation == "renonciation"


def test_l_irrecevabilite_exige_un_sous_motif(demande, guichet_75, agent_75):
    with pytest.raises(ErreurMetier) as exc:
        services.radier(
            demande,
            "irrecevabilite",
            par=agent_75,
            guichet=guichet_75,
            date_avertissement=date(2025, 1, 22),
        )
    assert exc.value.code == "sous_motif_requis"


def test_une_piece_falsifiee_a_son_sous_motif_d_irrecevabilite(
    demande, guichet_75, agent_75, horloge
):
    """FAQ « Dossier unique »: today's SNE has no sous-motif for it; here it has one."""
    horloge.move_to(a_midi(date(2025, 6, 2)))
    services.radier(
        demande,
        "irrecevabilite",
        "piece_falsifiee",
        par=agent_75,
        guichet=guichet_75,
        date_avertissement=date(2025, 4, 1),
    )

    demande.refresh_from_db()
    assert demande.sous_motif_radiation == "piece_falsifiee"


def test_l_irrecevabilite_attend_un_mois_apres_le_courrier_recommande(
    demande, guichet_75, agent_75, horloge
):
    horloge.move_to(a_midi(date(2025, 6, 2)))
    with pytest.raises(ErreurMetier) as exc:
        services.radier(
            demande,
            "irrecevabilite",
            "irregularite_sejour",
            par=agent_75,
            guichet=guichet_75,
            date_avertissement=date(2025, 5, 20),
        )
    assert exc.value.code == "delai_avertissement"

    with pytest.raises(ErreurMetier) as exc:
        services.radier(demande, "impossibilite_contact", par=agent_75, guichet=guichet_75)
    assert exc.value.code == "avertissement_requis"


@pytest.mark.parametrize(
    "date_avertissement",
    [date(2025, 3, 2), date(1, 1, 1), date(2025, 6, 3), date(9999, 12, 31)],
)
def test_un_courrier_d_avertissement_est_date_entre_le_depot_et_aujourd_hui(
    demande, guichet_75, agent_75, horloge, date_avertissement
):
    """Not before the date de dépôt (3 March), nor in the future (nor year 9999, which
    overflowed into an error 500)."""
    horloge.move_to(a_midi(date(2025, 6, 2)))
    with pytest.raises(ErreurMetier) as exc:
        services.radier(
            demande,
            "impossibilite_contact",
            par=agent_75,
            guichet=guichet_75,
            date_avertissement=date_avertissement,
        )
    assert exc.value.code == "date_avertissement_improbable"


def test_un_sous_motif_hors_irrecevabilite_est_refuse(demande, guichet_75, agent_75):
    with pytest.raises(ErreurMetier):
        services.radier(demande, "attribution", "piece_falsifiee", par=agent_75, guichet=guichet_75)


def test_le_non_renouvellement_attend_un_mois_apres_l_expiration(
    demande, guichet_75, agent_75, horloge
):
    assert demande.date_expiration == date(2026, 3, 3)
    horloge.move_to(a_midi(date(2026, 4, 2)))
    with pytest.raises(ErreurMetier) as exc:
        services.radier(demande, "non_renouvellement", par=agent_75, guichet=guichet_75)
    assert exc.value.code == "delai_non_renouvellement"

    horloge.move_to(a_midi(date(2026, 4, 3)))
    services.radier(demande, "non_renouvellement", par=agent_75, guichet=guichet_75)
    assert Demande.objects.get(pk=demande.pk).statut == Demande.Statut.RADIEE


def test_la_base_refuse_une_demande_radiee_sans_motif(demande):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Demande.objects.filter(pk=demande.pk).update(statut="radiee", date_radiation=DEPOT)


def test_la_reactivation_garde_le_numero_et_l_anciennete(demande, guichet_75, agent_75):
    numero, depot = demande.numero_unique, demande.date_depot
    services.radier(demande, "renonciation", par=agent_75, guichet=guichet_75)

    demande = services.reactiver(
        demande, agent_75, guichet_75, commentaire="Renonciation par erreur"
    )

    assert (demande.statut, demande.numero_unique, demande.date_depot) == ("active", numero, depot)
    assert demande.motif_radiation == ""


def test_apres_un_non_renouvellement_la_reactivation_renouvelle_dans_les_18_mois(
    demande, guichet_75, agent_75, django_capture_on_commit_callbacks, horloge
):
    horloge.move_to(a_midi(date(2026, 4, 12)))
    services.radier(demande, "non_renouvellement", par=agent_75, guichet=guichet_75)
    horloge.move_to(a_midi(date(2026, 9, 3)))  # 18 months after the deposit

    with django_capture_on_commit_callbacks() as rappels:
        demande = services.reactiver(demande, agent_75, guichet_75)

    assert demande.date_depot == date(2025, 3, 3)
    assert demande.date_dernier_renouvellement == date(2026, 9, 3)
    assert demande.date_expiration == date(2027, 9, 3)
    assert len(rappels) == 1  # attestation de renouvellement


def test_au_dela_de_la_fenetre_la_reactivation_est_refusee(demande, guichet_75, agent_75, horloge):
    horloge.move_to(a_midi(date(2026, 4, 12)))
    services.radier(demande, "non_renouvellement", par=agent_75, guichet=guichet_75)
    horloge.move_to(a_midi(date(2026, 9, 4)))  # 18 months and a day after the deposit

    with pytest.raises(ErreurMetier) as exc:
        services.reactiver(Demande.objects.get(pk=demande.pk), agent_75, guichet_75)

    assert exc.value.code == "fenetre_reactivation_depassee"
    assert "jusqu'au 03/09/2026" in exc.value.message


@pytest.fixture
def demande_de_couple(guichet_75, agent_75):
    donnees = donnees_minimales()
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "situation_familiale": "marie",
        "email": "elodie@example.fr",
    }
    donnees["co_demandeur"] = {
        "nom": "Martin",
        "prenom": "Karim",
        "date_naissance": "1985-09-30",
        "lien": "conjoint",
        "email": "karim@example.fr",
    }
    donnees["personnes_a_charge"] = [{"nom": "Martin", "prenom": "Inès", "lien": "enfant"}]
    return services.enregistrer_demande(guichet_75, agent_75, donnees)


def test_la_duplication_pour_separation_garde_la_date_de_depot(
    demande_de_couple, guichet_75, agent_75, django_capture_on_commit_callbacks, horloge
):
    horloge.move_to(a_midi(date(2025, 9, 19)))
    origine = demande_de_couple

    with django_capture_on_commit_callbacks(execute=True):
        nouvelle = services.dupliquer_pour_separation(
            origine, agent_75, guichet_75, SEPARATION_KARIM
        )

    origine.refresh_from_db()
    assert nouvelle.numero_unique != origine.numero_unique
    assert nouvelle.date_depot == origine.date_depot == date(2025, 3, 3)
    assert nouvelle.demandeur.prenom == "Karim"
    assert origine.co_demandeur is None
    assert origine.nombre_personnes == 2
    assert nouvelle.historique.get().action == HistoriqueDemande.Action.CREATION_SUITE_SEPARATION
    destinataires = {adresse for m in mail.outbox for adresse in m.to}
    assert {"elodie@example.fr", "karim@example.fr"} <= destinataires  # both are told


@pytest.mark.parametrize("situation", ["celibataire", "concubin", "divorce"])
def test_la_duplication_n_est_offerte_qu_aux_couples_maries_ou_pacses(
    guichet_75, agent_75, situation
):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": situation}
    donnees["co_demandeur"] = {"nom": "Martin", "prenom": "Karim", "date_naissance": "1985-09-30"}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    assert not services.peut_dupliquer_pour_separation(demande)
    with pytest.raises(ErreurMetier) as exc:
        services.dupliquer_pour_separation(demande, agent_75, guichet_75, SEPARATION_KARIM)
    assert exc.value.code == "duplication_impossible"


def test_un_couple_pacse_sans_co_demandeur_ne_peut_etre_duplique(guichet_75, agent_75):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": "pacse"}

    assert not services.peut_dupliquer_pour_separation(
        services.enregistrer_demande(guichet_75, agent_75, donnees)
    )


def test_un_numero_tape_avec_espaces_et_minuscules_est_retrouve(demande, agent_75):
    saisie = " ".join(
        [demande.numero_unique[:3], demande.numero_unique[3:7], demande.numero_unique[7:]]
    ).lower()

    assert recherche.trouver_demande(saisie, agent_75) == demande


def test_un_numero_mal_forme_dit_ce_qui_ne_va_pas(agent_75):
    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande("0751326000001", agent_75)
    assert "18 caractères" in exc.value.message

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande("075132600000175TS1", agent_75)
    assert "entre 01 et 12" in exc.value.message


def test_un_numero_presque_juste_suggere_le_bon(demande, agent_75):
    faux = demande.numero_unique[:10] + "9" + demande.numero_unique[11:]

    with pytest.raises(ErreurMetier) as exc:
        recherche.trouver_demande(faux, agent_75)

    assert demande.numero_unique in exc.value.details["suggestions"]
