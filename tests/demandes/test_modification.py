"""Modifying everything of a demande that can change (issue 9): identity, household (people
added and removed, the count derived from them), duplicate search again, history in words."""

from datetime import date

import pytest

from sne.attestations.models import Attestation
from sne.demandes import services
from sne.demandes.models import Demande, HistoriqueDemande, Personne
from sne.demandes.views.fiche import lignes_historique
from sne.exceptions import ErreurMetier
from tests.demandes.conftest import donnees_minimales, valeurs_du_formulaire

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2026, 11, 30))]


@pytest.fixture
def famille(guichet_75, agent_75):
    """A married couple with one child: 3 people."""
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": "marie"}
    donnees["co_demandeur"] = {
        "nom": "Martin",
        "prenom": "Karim",
        "date_naissance": "1985-09-30",
        "lien": "conjoint",
    }
    donnees["personnes_a_charge"] = [
        {"nom": "Martin", "prenom": "Inès", "date_naissance": "2016-02-03", "lien": "enfant"}
    ]
    return services.enregistrer_demande(guichet_75, agent_75, donnees)


def textes(demande) -> list[str]:
    entree = demande.historique.filter(action=HistoriqueDemande.Action.MODIFICATION).latest("pk")
    return [c["texte"] for c in lignes_historique([entree])[0]["changements"]]


def test_une_naissance_s_ajoute_et_le_menage_se_recompte(
    famille, guichet_75, agent_75, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.modifier_demande(
            famille,
            agent_75,
            guichet_75,
            ajouts=[
                {
                    "role": "personne_a_charge",
                    "nom": "Martin",
                    "prenom": "Léa",
                    "date_naissance": "2026-10-03",
                    "lien": "enfant",
                }
            ],
            version=famille.version,
        )

    famille = Demande.objects.get(pk=famille.pk)
    assert [p.prenom for p in famille.personnes_a_charge] == ["Inès", "Léa"]
    assert famille.nombre_personnes == 4
    assert "Personne à charge ajoutée : Léa MARTIN (né(e) le 03/10/2026, enfant)" in textes(famille)
    assert "Nombre de personnes à loger : 3 → 4" in textes(famille)
    assert not Attestation.objects.exists()  # FAQ: no attestation (the cotation ran)


def test_une_personne_a_charge_se_retire_et_se_corrige(famille, guichet_75, agent_75):
    ines = famille.personnes_a_charge[0]
    services.modifier_demande(
        famille, agent_75, guichet_75, personnes={ines.pk: {"prenom": "Inés"}}
    )
    assert "Personne à charge Inès MARTIN — prénom : Inès → Inés" in textes(famille)

    services.modifier_demande(famille, agent_75, guichet_75, retraits=[ines.pk])

    famille = Demande.objects.get(pk=famille.pk)
    assert famille.personnes_a_charge == []
    assert famille.nombre_personnes == 2
    assert "Personne à charge retirée : Inés MARTIN (né(e) le 03/02/2016, enfant)" in textes(
        famille
    )


def test_l_identite_du_demandeur_se_corrige_en_mots(famille, guichet_75, agent_75):
    demandeur = famille.demandeur
    services.modifier_demande(
        famille,
        agent_75,
        guichet_75,
        personnes={
            demandeur.pk: {
                "nom": "Martins",
                "date_naissance": date(1987, 4, 21),
                "civilite": "MME",
                "nationalite": "francaise",
            }
        },
    )

    demandeur.refresh_from_db()
    assert demandeur.nom == "Martins" and demandeur.nom_cle == "martins"
    lignes = textes(famille)
    assert "Demandeur — nom d'usage : Martin → Martins" in lignes
    assert "Demandeur — date de naissance : 12/04/1987 → 21/04/1987" in lignes
    assert "Demandeur — civilité : — → Madame" in lignes
    assert "Demandeur — nationalité : — → Française" in lignes


def test_le_co_demandeur_se_retire_puis_un_autre_s_ajoute(famille, guichet_75, agent_75):
    karim = famille.co_demandeur
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            famille,
            agent_75,
            guichet_75,
            ajouts=[{"role": "co_demandeur", "nom": "Petit", "prenom": "Paul"}],
        )
    assert "déjà un co-demandeur (Karim MARTIN)" in refus.value.message

    services.modifier_demande(
        famille,
        agent_75,
        guichet_75,
        retraits=[karim.pk],
        ajouts=[
            {
                "role": "co_demandeur",
                "nom": "Petit",
                "prenom": "Paul",
                "date_naissance": "1980-01-01",
                "lien": "concubin",
            }
        ],
    )

    famille = Demande.objects.get(pk=famille.pk)
    assert famille.co_demandeur.prenom == "Paul"
    assert famille.nombre_personnes == 3
    lignes = textes(famille)
    assert "Co-demandeur retiré : Karim MARTIN (né(e) le 30/09/1985, conjoint)" in lignes
    assert "Co-demandeur ajouté : Paul PETIT (né(e) le 01/01/1980, concubin(e))" in lignes
    assert not any(str(karim.pk) in t for t in lignes)


def test_le_demandeur_ne_se_retire_pas(famille, guichet_75, agent_75):
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(famille, agent_75, guichet_75, retraits=[famille.demandeur.pk])
    assert refus.value.code == "demandeur_non_retirable"
    assert Personne.objects.filter(demande=famille).count() == 3


def test_une_personne_ajoutee_suit_les_regles_de_l_enregistrement(famille, guichet_75, agent_75):
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            famille,
            agent_75,
            guichet_75,
            ajouts=[
                {
                    "role": "personne_a_charge",
                    "nom": "X",
                    "prenom": "Y",
                    "date_naissance": "1850-01-01",
                    "email": "pas une adresse",
                }
            ],
        )
    erreurs = {e["champ"]: e["message"] for e in refus.value.details["erreurs"]}
    assert "antérieure au 01/01/1900" in erreurs["ajouts[0].date_naissance"]
    assert erreurs["ajouts[0].email"].startswith("Adresse e-mail invalide")
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            famille,
            agent_75,
            guichet_75,
            personnes={famille.demandeur.pk: {"date_naissance": date(2030, 1, 1), "nom": ""}},
        )
    champs = {e["champ"] for e in refus.value.details["erreurs"]}
    assert {"demandeur.date_naissance", "demandeur.nom"} <= champs
    assert Demande.objects.get(pk=famille.pk).version == famille.version  # nothing written


def test_le_nombre_de_personnes_ne_se_saisit_plus(famille, guichet_75, agent_75):
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            famille, agent_75, guichet_75, demande_valeurs={"nombre_personnes": 5}
        )
    assert refus.value.code == "nombre_personnes_deduit"


@pytest.mark.parametrize(
    ("valeurs", "code"),
    [
        ({"deja_locataire_hlm": None}, "obligatoire"),
        ({"statut_dalo": ""}, "invalide"),
        ({"statut_dalo": "peut_etre"}, "invalide"),
        ({"logement_actuel": "chateau"}, "invalide"),
        ({"bailleur_actuel": "x" * 201}, "invalide"),
        ({"revenu_fiscal_reference": -1}, "invalide"),
    ],
)
def test_une_valeur_que_la_demande_ne_peut_pas_garder_est_refusee_avec_son_champ(
    famille, guichet_75, agent_75, valeurs, code
):
    """A connected system may send what no form offers: refused before anything is written,
    never by the database (deja_locataire_hlm = null was an IntegrityError, a 500)."""
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(famille, agent_75, guichet_75, demande_valeurs=valeurs)

    (champ,) = valeurs
    assert refus.value.details["erreurs"][0]["champ"] == champ
    assert refus.value.details["erreurs"][0]["code"] == code
    assert Demande.objects.get(pk=famille.pk).version == famille.version


def test_un_nombre_faux_d_avant_est_corrige_a_la_modification_suivante(
    famille, guichet_75, agent_75
):
    Demande.objects.filter(pk=famille.pk).update(nombre_personnes=5)
    services.modifier_demande(famille, agent_75, guichet_75, demande_valeurs={"loyer_actuel": 600})
    assert Demande.objects.get(pk=famille.pk).nombre_personnes == 3
    assert "Nombre de personnes à loger : 5 → 3" in textes(famille)


def test_un_changement_d_identite_relance_la_recherche_de_doublons(famille, guichet_75, agent_75):
    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "nom": "Durand", "prenom": "Paul"}
    existante = services.enregistrer_demande(guichet_75, agent_75, autre)
    karim = famille.co_demandeur
    changement = {
        karim.pk: {"nom": "Durand", "prenom": "Paul", "date_naissance": date(1987, 4, 12)}
    }

    with pytest.raises(services.SuspicionDoublon) as refus:
        services.modifier_demande(famille, agent_75, guichet_75, personnes=changement)
    assert [d["numero_unique"] for d in refus.value.details["doublons"]] == [
        existante.numero_unique
    ]
    karim.refresh_from_db()
    assert karim.nom == "Martin"  # nothing written

    services.modifier_demande(
        famille,
        agent_75,
        guichet_75,
        personnes=changement,
        justification_doublon="Homonyme vérifié avec le gestionnaire.",
    )
    entree = famille.historique.get(action=HistoriqueDemande.Action.MODIFICATION)
    assert existante.numero_unique in entree.commentaire
    assert "Homonyme vérifié avec le gestionnaire." in entree.commentaire


def test_un_co_demandeur_ajoute_est_cherche_dans_les_doublons(guichet_75, agent_75):
    seule = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "nom": "Roux", "prenom": "Marc"}
    existante = services.enregistrer_demande(
        guichet_75, agent_75, autre, justification_forcage="homonyme"
    )

    with pytest.raises(services.SuspicionDoublon) as refus:
        services.modifier_demande(
            seule,
            agent_75,
            guichet_75,
            ajouts=[
                {
                    "role": "co_demandeur",
                    "nom": "Roux",
                    "prenom": "Marc",
                    "date_naissance": "1987-04-12",
                }
            ],
        )
    assert refus.value.details["doublons"][0]["numero_unique"] == existante.numero_unique


def test_une_modification_sans_changement_d_identite_ne_cherche_pas_de_doublons(
    famille, guichet_75, agent_75
):
    # The same person registered twice by force: modifying their phone is not refused.
    services.enregistrer_demande(
        guichet_75, agent_75, donnees_minimales(), justification_forcage="vérifié"
    )
    services.modifier_demande(
        famille,
        agent_75,
        guichet_75,
        personnes={famille.demandeur.pk: {"telephone": "01 02 03 04 05"}},
    )


def test_l_ancien_historique_avec_un_identifiant_se_lit_en_mots(famille, guichet_75, agent_75):
    karim = famille.co_demandeur
    entree = HistoriqueDemande.objects.create(
        demande=famille,
        action=HistoriqueDemande.Action.DUPLICATION_SEPARATION,
        changements=[
            {"champ": "co_demandeur", "avant": str(karim.pk), "apres": None},
            {"champ": "co_demandeur", "avant": "99999999", "apres": None},
            {"champ": "demandeur.commune", "avant": "75120", "apres": "93048"},
        ],
    )

    lignes = [c["texte"] for c in lignes_historique([entree])[0]["changements"]]

    assert lignes[0] == "Co-demandeur : Karim MARTIN → —"
    assert lignes[1] == "Co-demandeur : une personne qui n'est plus enregistrée → —"
    assert "Paris 20e" in lignes[2] and "Montreuil" in lignes[2]


def test_un_couple_qui_se_separe_passe_par_la_duplication(famille, guichet_75, agent_75):
    divorce = {famille.demandeur.pk: {"situation_familiale": "divorce"}}
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(famille, agent_75, guichet_75, personnes=divorce)
    erreur = refus.value.details["erreurs"][0]
    assert erreur["champ"] == "demandeur.situation_familiale"
    assert "Karim MARTIN est encore co-demandeur" in erreur["message"]
    assert services.peut_dupliquer_pour_separation(Demande.objects.get(pk=famille.pk))

    # The co-demandeur simply leaving the demande at the same time is accepted.
    services.modifier_demande(
        famille, agent_75, guichet_75, personnes=divorce, retraits=[famille.co_demandeur.pk]
    )
    assert "Demandeur — situation familiale : Marié(e) → Divorcé(e)" in textes(famille)


def test_la_separation_est_proposee_apres_un_changement_du_couple(guichet_75, agent_75):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": "concubin"}
    donnees["co_demandeur"] = {"nom": "Roux", "prenom": "Marc", "date_naissance": "1984-05-06"}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)

    changements = services.modifier_demande(
        demande,
        agent_75,
        guichet_75,
        personnes={demande.demandeur.pk: {"situation_familiale": "pacse"}},
    )

    assert services.separation_a_proposer(Demande.objects.get(pk=demande.pk), changements)
    assert not services.separation_a_proposer(Demande.objects.get(pk=demande.pk), [])


def test_pas_de_separation_proposee_sans_co_demandeur(guichet_75, agent_75):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    assert not services.separation_a_proposer(demande, [])


def test_l_enregistrement_refuse_un_nombre_de_personnes_contraire_aux_personnes(
    guichet_75, agent_75
):
    donnees = donnees_minimales(nombre_personnes=5)
    with pytest.raises(ErreurMetier) as refus:
        services.enregistrer_demande(guichet_75, agent_75, donnees)
    assert refus.value.details["erreurs"][0]["champ"] == "nombre_personnes"
    assert "ne correspond pas aux personnes déclarées (1" in refus.value.message

    demande = services.enregistrer_demande(
        guichet_75, agent_75, donnees_minimales(nombre_personnes=1)
    )
    assert demande.nombre_personnes == 1


def test_rien_a_changer_rien_d_ecrit(famille, guichet_75, agent_75):
    assert services.modifier_demande(famille, agent_75, guichet_75) == []
    assert not famille.historique.filter(action=HistoriqueDemande.Action.MODIFICATION).exists()


# --- The page -----------------------------------------------------------------------------


@pytest.fixture
def sur_la_page(client, guichet_75, agent_75):
    from tests.outils import connecter

    connecter(client, agent_75)
    return client


def url_de(demande, action="modifier") -> str:
    from django.urls import reverse

    return reverse(f"demandes:{action}", args=[demande.numero_unique])


def page_texte(reponse) -> str:
    from tests.outils import texte

    return texte(reponse)


def test_la_page_montre_ce_qui_ne_change_pas_et_le_nombre_calcule(famille, sur_la_page):
    reponse = sur_la_page.get(url_de(famille))

    page = page_texte(reponse)
    assert famille.numero_unique in page and f"{famille.date_depot:%d/%m/%Y}" in page
    assert 'name="numero_unique"' not in page and 'name="date_depot"' not in page
    assert 'name="nombre_personnes"' not in page
    assert "Nombre de personnes à loger : <strong>3</strong>" in page
    assert 'value="Karim"' in page and 'value="Inès"' in page


def test_la_page_corrige_l_identite_ajoute_une_naissance_et_retire_une_personne(
    famille, sur_la_page
):
    ines = famille.personnes_a_charge[0]
    url = url_de(famille)
    # « Ajouter une personne à charge »: one more line, nothing saved, what was typed is kept.
    ajout = sur_la_page.post(
        url,
        valeurs_du_formulaire(sur_la_page.get(url), nom="Martinn", action="ajouter_personne"),
    )
    assert ajout.status_code == 200
    assert 'value="Martinn"' in page_texte(ajout)
    assert 'name="personnes-1-nom"' in page_texte(ajout)
    assert Demande.objects.get(pk=famille.pk).version == famille.version

    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            ajout,
            nom="Martin",
            date_naissance="1987-04-21",
            **{
                "personnes-0-retirer": "on",
                "personnes-1-nom": "Martin",
                "personnes-1-prenom": "Léa",
                "personnes-1-date_naissance": "2026-10-03",
                "personnes-1-lien": "enfant",
            },
        ),
        follow=True,
    )

    page = page_texte(reponse)
    assert "Modifications enregistrées" in page, page[:2000]
    famille = Demande.objects.get(pk=famille.pk)
    assert [p.prenom for p in famille.personnes_a_charge] == ["Léa"]
    assert not Personne.objects.filter(pk=ines.pk).exists()
    assert famille.nombre_personnes == 3
    assert famille.demandeur.date_naissance == date(1987, 4, 21)
    historique = page_texte(sur_la_page.get(url_de(famille, "demande") + "?onglet=historique"))
    assert "Demandeur — date de naissance : 12/04/1987 → 21/04/1987" in historique
    assert "Personne à charge ajoutée : Léa MARTIN (né(e) le 03/10/2026, enfant)" in historique
    assert "Personne à charge retirée : Inès MARTIN" in historique


def test_la_page_ajoute_puis_retire_un_co_demandeur(guichet_75, agent_75, sur_la_page):
    seule = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    url = url_de(seule)
    sur_la_page.post(
        url,
        valeurs_du_formulaire(
            sur_la_page.get(url),
            co_nom="Roux",
            co_prenom="Marc",
            co_date_naissance="1984-05-06",
            co_lien="pacse",
        ),
    )
    seule = Demande.objects.get(pk=seule.pk)
    assert seule.co_demandeur.nom == "Roux" and seule.nombre_personnes == 2

    # Emptied without saying so: refused on the field, nothing lost.
    vide = {f"co_{c}": "" for c in ("nom", "prenom", "date_naissance", "lien")}
    reponse = sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), **vide))
    assert "cochez « Retirer le co-demandeur de la demande »" in page_texte(reponse)
    assert Demande.objects.get(pk=seule.pk).co_demandeur is not None

    sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), retirer_co_demandeur="on"))
    seule = Demande.objects.get(pk=seule.pk)
    assert seule.co_demandeur is None and seule.nombre_personnes == 1


def test_la_page_demande_une_justification_devant_un_doublon(
    famille, guichet_75, agent_75, sur_la_page
):
    autre = donnees_minimales()
    autre["demandeur"] = {**autre["demandeur"], "nom": "Durand", "prenom": "Paul"}
    existante = services.enregistrer_demande(guichet_75, agent_75, autre)
    url = url_de(famille)
    changements = {"co_nom": "Durand", "co_prenom": "Paul", "co_date_naissance": "1987-04-12"}

    reponse = sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), **changements))

    page = page_texte(reponse)
    assert reponse.status_code == 200
    assert "Recherche de doublons" in page and existante.numero_unique in page
    assert 'value="Durand"' in page  # what was typed is kept
    assert famille.co_demandeur.nom == "Martin"
    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(reponse, justification_doublon="Homonyme vérifié."),
        follow=True,
    )
    assert "Modifications enregistrées" in page_texte(reponse)
    entree = famille.historique.get(action=HistoriqueDemande.Action.MODIFICATION)
    assert "Homonyme vérifié." in entree.commentaire


def test_la_page_propose_la_duplication_au_couple_qui_se_separe(famille, sur_la_page):
    url = url_de(famille)
    lien = f'href="{url_de(famille, "dupliquer")}"'
    assert lien in page_texte(sur_la_page.get(url))  # offered right there, not in a tab

    reponse = sur_la_page.post(
        url, valeurs_du_formulaire(sur_la_page.get(url), situation_familiale="divorce")
    )

    page = page_texte(reponse)
    assert "Karim MARTIN est encore co-demandeur" in page
    assert lien in page and "Dupliquer la demande pour séparation" in page
    assert 'value="divorce" selected' in page  # what was typed is kept


def test_apres_un_pacs_la_fiche_propose_la_duplication_une_fois(guichet_75, agent_75, sur_la_page):
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "situation_familiale": "concubin"}
    donnees["co_demandeur"] = {"nom": "Roux", "prenom": "Marc", "date_naissance": "1984-05-06"}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    url = url_de(demande)

    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(sur_la_page.get(url), situation_familiale="pacse"),
        follow=True,
    )

    page = page_texte(reponse)
    assert "Modifications enregistrées" in page
    assert "Le couple se sépare ?" in page
    assert f'href="{url_de(demande, "dupliquer")}"' in page
    assert "Le couple se sépare ?" not in page_texte(sur_la_page.get(url_de(demande, "demande")))


@pytest.mark.parametrize(
    "changement",
    [
        {"personnes-TOTAL_FORMS": "999999999999999999999"},
        {"personnes-0-id": "999999999999999999999"},
        {"personnes-0-id": "1"},
        {"personnes-INITIAL_FORMS": "a\x00b"},
    ],
)
def test_une_ligne_de_personne_trafiquee_est_refusee_sans_erreur_500(
    famille, sur_la_page, changement
):
    url = url_de(famille)
    reponse = sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), **changement))
    assert reponse.status_code in (200, 302, 400)
    assert Personne.objects.filter(demande=famille).count() == 3


def test_le_telephone_modifie_est_verifie_et_lu_dans_l_historique(famille, guichet_75, agent_75):
    """Issue 9: the service checks a phone as registration does, stores it in E.164, and the
    history shows it as a desk reads it."""
    demandeur = famille.demandeur
    with pytest.raises(ErreurMetier):
        services.modifier_demande(
            famille, agent_75, guichet_75, personnes={demandeur.pk: {"telephone": "12345"}}
        )
    services.modifier_demande(
        famille, agent_75, guichet_75, personnes={demandeur.pk: {"telephone": "06 12 34 56 78"}}
    )
    demandeur.refresh_from_db()
    assert demandeur.telephone == "+33612345678"
    assert any("06 12 34 56 78" in t for t in textes(famille))


# --- The whole CERFA on the page (issue 9) ---------------------------------------------------


def _champs_de_la_page(demande) -> set[str]:
    """The names of the fields of the forms the modification page really builds."""
    from sne.demandes.views.commun import demande_complete
    from sne.demandes.views.modification import _formulaires, _initiaux

    d = demande_complete(demande.pk)
    formulaires = _formulaires(d, None, _initiaux(d), 3)
    noms = set()
    for f in formulaires.values():
        noms |= set((f.empty_form if hasattr(f, "empty_form") else f).fields)
    return noms


def test_chaque_champ_de_l_assistant_est_sur_la_page_de_modification(famille, guichet_75, agent_75):
    """A field added to the wizard must be modifiable too, or listed as « not modifiable » with
    the reason (`CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES`): this test fails otherwise."""
    from sne.demandes.forms import assistant
    from sne.demandes.forms.association import EtapeAssociationForm
    from sne.demandes.forms.modification import CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES

    pour_association = services.enregistrer_demande(
        guichet_75, agent_75, donnees_association_libre()
    )
    sur_la_page = _champs_de_la_page(famille) | _champs_de_la_page(pour_association)
    etapes = [
        assistant.EtapeGuichetForm(guichets=[guichet_75]),
        assistant.EtapeDemandeurForm(),
        EtapeAssociationForm(departement="75"),
        assistant.EtapeMenageForm(),
        assistant.PersonneAChargeForm(),
        assistant.EtapeRessourcesForm(),
        assistant.EtapeSouhaitsForm(departement="75"),
        assistant.EtapeDoublonsForm(),
    ]
    oublies = {
        f"{type(etape).__name__}.{nom}"
        for etape in etapes
        for nom in etape.fields
        if nom not in sur_la_page and nom not in CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES
    }
    assert not oublies, f"Champs de l'assistant absents de la page de modification : {oublies}"
    # The list of exceptions says why, and names only fields that exist.
    noms_de_l_assistant = {nom for etape in etapes for nom in etape.fields}
    assert set(CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES) <= noms_de_l_assistant
    assert all(raison.strip() for raison in CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES.values())


def test_ce_que_le_service_modifie_est_sur_la_page(famille, guichet_75, agent_75):
    """The other way: what `modifier_demande` accepts is on the page (under the wizard's name
    when it has one), except what a person of that role does not have."""
    from sne.demandes.services.modification import (
        CHAMPS_DEMANDE_MODIFIABLES,
        CHAMPS_PERSONNE_MODIFIABLES,
    )

    pour_association = services.enregistrer_demande(
        guichet_75, agent_75, donnees_association_libre()
    )
    sur_la_page = _champs_de_la_page(famille) | _champs_de_la_page(pour_association)
    sous_un_autre_nom = {
        "association": "association_recherche",  # picked in the département's table
        "association_adresse": "association_adresse_ligne1",
        "association_code_postal": "association_commune",  # the commune's postal code
    }
    # No search field when the département's table is empty (as in these tests): the
    # association is typed, as in the wizard (FAQ); the search is tested with a table below.
    sans_table = {"association"}
    manquants = {
        c
        for c in CHAMPS_DEMANDE_MODIFIABLES
        if sous_un_autre_nom.get(c, c) not in sur_la_page and c not in sans_table
    }
    # The demandeur is the one the links are to; the co-demandeur's situation familiale is the
    # couple's, declared by the demandeur (a separation sets each one's, by duplication).
    hors_role = {"demandeur": {"lien"}, "co_demandeur": {"situation_familiale"}}
    manquants |= {
        f"demandeur.{c}"
        for c in CHAMPS_PERSONNE_MODIFIABLES
        if c not in sur_la_page and c not in hors_role["demandeur"]
    }
    manquants |= {
        f"co_demandeur.{c}"
        for c in CHAMPS_PERSONNE_MODIFIABLES
        if f"co_{c}" not in sur_la_page and c not in hors_role["co_demandeur"]
    }
    assert not manquants, f"Champs du service absents de la page : {manquants}"


def test_la_page_modifie_la_piece_d_identite_l_adresse_et_l_employeur_du_co_demandeur(
    famille, sur_la_page
):
    url = url_de(famille)
    page = sur_la_page.get(url)
    for nom in ("co_piece_identite_type", "co_nir", "co_adresse_ligne1", "co_employeur"):
        assert f'name="{nom}"' in page_texte(page)

    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            page,
            co_piece_identite_type="passeport",
            co_piece_identite_numero="19AB12345",
            co_piece_identite_expiration="2030-05-31",
            co_nir="185099312345639",
            co_adresse_ligne1="3 place du Marché",
            co_commune="Saint-Denis (93200)",
            co_commune_code="93066",
            co_employeur="Boulangerie Roux",
            co_employeur_commune="Montreuil (93100)",
            co_employeur_commune_code="93048",
            co_email="karim.martin@example.fr",
            co_telephone="06 98 76 54 32",
        ),
        follow=True,
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    karim = Demande.objects.get(pk=famille.pk).co_demandeur
    assert (karim.piece_identite_type, karim.piece_identite_numero) == ("passeport", "19AB12345")
    assert karim.piece_identite_expiration == date(2030, 5, 31)
    assert karim.nir == "185099312345639"
    assert (karim.adresse_ligne1, karim.commune_id, karim.code_postal) == (
        "3 place du Marché",
        "93066",
        "93200",
    )
    assert (karim.employeur, karim.employeur_commune_id) == ("Boulangerie Roux", "93048")
    assert karim.telephone == "+33698765432"
    lignes = textes(famille)
    assert "Co-demandeur — pièce d'identité : — → Passeport" in lignes
    assert "Co-demandeur — date d'expiration de la pièce : — → 31/05/2030" in lignes
    assert "Co-demandeur — numéro de sécurité sociale : ••• → •••" in lignes
    assert "Co-demandeur — commune : — → Saint-Denis (93200)" in lignes
    assert "Co-demandeur — commune de l'employeur : — → Montreuil (93100)" in lignes
    assert "Co-demandeur — téléphone : — → 06 98 76 54 32" in lignes
    assert not any("185099312345639" in t for t in lignes)
    # The demande's page shows what was recorded, the NIR masked.
    fiche = page_texte(reponse)
    assert "Pièce d'identité : Passeport n° 19AB12345, expire le 31/05/2030" in fiche
    assert "Adresse : 3 place du Marché, 93200 Saint-Denis" in fiche
    assert "Adresse de l'employeur : 93100 Montreuil" in fiche
    assert "185099312345639" not in fiche

    # Shown again as recorded, the NIR never in clear.
    page = page_texte(sur_la_page.get(url))
    assert 'value="19AB12345"' in page and 'value="passeport" selected' in page
    assert "185099312345639" not in page
    assert "Saint-Denis (93200)" in page


def test_la_piece_du_co_demandeur_mal_saisie_est_refusee_sur_son_champ(famille, sur_la_page):
    url = url_de(famille)
    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            sur_la_page.get(url),
            co_piece_identite_type="permis_de_conduire",
            co_nir="123",
            co_adresse_ligne1="3 place du Marché",
            co_code_postal="75001",
            co_commune="Saint-Denis (93200)",
            co_commune_code="93066",
        ),
    )

    assert reponse.status_code == 200
    formulaire = reponse.context["co_form"]
    assert set(formulaire.errors) >= {"co_piece_identite_type", "co_nir", "co_code_postal"}
    assert "n'est pas celui de Saint-Denis" in formulaire.errors["co_code_postal"][0]
    assert 'value="3 place du Marché"' in page_texte(reponse)  # nothing lost
    assert Demande.objects.get(pk=famille.pk).version == famille.version


def test_une_adresse_du_co_demandeur_sans_commune_est_refusee(famille, sur_la_page):
    url = url_de(famille)
    reponse = sur_la_page.post(
        url, valeurs_du_formulaire(sur_la_page.get(url), co_adresse_ligne1="3 place du Marché")
    )
    assert reponse.context["co_form"].errors["co_commune"] == [
        "Indiquez la commune de cette adresse."
    ]


def test_un_co_demandeur_ajoute_par_la_page_garde_sa_piece_et_son_adresse(
    guichet_75, agent_75, sur_la_page
):
    seule = services.enregistrer_demande(guichet_75, agent_75, donnees_minimales())
    url = url_de(seule)
    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            sur_la_page.get(url),
            co_nom="Roux",
            co_prenom="Marc",
            co_date_naissance="1984-05-06",
            co_lien="pacse",
            co_piece_identite_type="titre_sejour",
            co_adresse_ligne1="3 place du Marché",
            co_commune="Saint-Denis (93200)",
            co_commune_code="93066",
            co_employeur="Atelier Roux",
            co_employeur_adresse="1 rue de Paris",
            co_employeur_commune="Montreuil (93100)",
            co_employeur_commune_code="93048",
        ),
        follow=True,
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    marc = Demande.objects.get(pk=seule.pk).co_demandeur
    assert marc.piece_identite_type == "titre_sejour"
    assert (marc.adresse_ligne1, marc.commune_id) == ("3 place du Marché", "93066")
    assert (marc.employeur_adresse, marc.employeur_commune_id) == ("1 rue de Paris", "93048")


def test_l_adresse_de_l_employeur_et_le_dalo_du_demandeur_se_modifient(famille, sur_la_page):
    url = url_de(famille)
    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            sur_la_page.get(url),
            employeur="Mairie de Paris",
            employeur_adresse="Place de l'Hôtel de Ville",
            employeur_commune="Paris 4e Arrondissement (75004)",
            employeur_commune_code="75104",
            statut_dalo="actif",
        ),
        follow=True,
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    famille = Demande.objects.get(pk=famille.pk)
    assert famille.statut_dalo == "actif"
    demandeur = famille.demandeur
    assert demandeur.employeur_adresse == "Place de l'Hôtel de Ville"
    assert (demandeur.employeur_commune_id, demandeur.employeur_code_postal) == (
        "75104",
        "75004",
    )
    assert (
        "Adresse de l'employeur : Place de l'Hôtel de Ville, 75004 Paris 4e Arrondissement"
        in page_texte(reponse)
    )
    lignes = textes(famille)
    assert "Droit au logement opposable (DALO) : Non → Reconnu prioritaire DALO" in lignes
    assert "Demandeur — adresse de l'employeur : — → Place de l'Hôtel de Ville" in lignes
    assert any(t.startswith("Demandeur — commune de l'employeur : — → Paris 4e") for t in lignes)
    assert 'value="actif" selected' in page_texte(sur_la_page.get(url))

    reponse = sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), statut_dalo="x"))
    assert "statut_dalo" in reponse.context["form"].errors


# --- An association's demande ----------------------------------------------------------------


def erreurs_de(reponse) -> dict:
    """The errors of the page's forms, to say why a test's modification was not saved."""
    return {
        nom: getattr(f, "errors", None)
        for nom in ("form", "co_form", "personnes", "association")
        if (f := (reponse.context or {}).get(nom)) is not None
    }


def donnees_association_libre():
    """A demande for an association typed in (the table of Paris is empty in the tests)."""
    donnees = donnees_minimales()
    donnees["demandeur"] = {**donnees["demandeur"], "nom": "Lefèvre", "prenom": "Agnès"}
    donnees["beneficiaire"] = "association"
    donnees["association"] = {
        "nom": "Solidarité Logement Paris",
        "date_creation": "1998-05-04",
        "adresse": {"ligne1": "5 rue Myrha", "commune": "Paris 18e"},
    }
    return donnees


def test_la_page_d_une_association_modifie_l_association_et_son_representant(
    guichet_75, agent_75, sur_la_page
):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_association_libre())
    url = url_de(demande)
    page = sur_la_page.get(url)
    texte_page = page_texte(page)
    assert "Association bénéficiaire" in texte_page
    assert "Identité du représentant de l'association" in texte_page
    assert 'value="Solidarité Logement Paris"' in texte_page
    assert 'value="1998-05-04"' in texte_page and 'value="5 rue Myrha"' in texte_page
    assert "Paris 18e" in texte_page

    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            page,
            association_nom="Solidarité Logement Paris Nord",
            association_adresse_ligne1="12 rue Doudeauville",
            association_commune="Paris 18e Arrondissement (75018)",
            association_commune_code="75118",
            nom="Martin-Roux",
        ),
        follow=True,
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    demande = Demande.objects.get(pk=demande.pk)
    assert demande.association_nom == "Solidarité Logement Paris Nord"
    assert demande.association_adresse == "12 rue Doudeauville"
    assert demande.demandeur.nom == "Martin-Roux"
    lignes = textes(demande)
    assert (
        "Nom de l'association : Solidarité Logement Paris → Solidarité Logement Paris Nord"
        in lignes
    )
    assert "Adresse de l'association : 5 rue Myrha → 12 rue Doudeauville" in lignes


def test_l_association_sans_nom_est_refusee_sur_son_champ(guichet_75, agent_75, sur_la_page):
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_association_libre())
    url = url_de(demande)

    reponse = sur_la_page.post(url, valeurs_du_formulaire(sur_la_page.get(url), association_nom=""))

    assert reponse.status_code == 200
    assert reponse.context["association"].errors["association_nom"] == [
        "Le nom de l'association est obligatoire."
    ]
    assert Demande.objects.get(pk=demande.pk).association_nom == "Solidarité Logement Paris"


def test_l_association_se_choisit_dans_la_table_et_l_historique_la_nomme(
    guichet_75, agent_75, sur_la_page
):
    from sne.organisations.models import Association
    from sne.referentiels.models import Departement

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_association_libre())
    table = Association.objects.create(
        departement=Departement.objects.get(code="75"),
        nom="Foyer des Batignolles",
        siren="123456789",
    )
    url = url_de(demande)
    page = sur_la_page.get(url)
    assert 'name="association_recherche"' in page_texte(page)

    reponse = sur_la_page.post(
        url,
        valeurs_du_formulaire(
            page,
            association_recherche="Foyer des Batignolles",
            association_recherche_id=str(table.pk),
            association_nom="",
            association_date_creation="",
            association_adresse_ligne1="",
            association_commune="",
            association_commune_code="",
        ),
        follow=True,
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    demande = Demande.objects.get(pk=demande.pk)
    assert demande.association == table and demande.association_nom == ""
    lignes = textes(demande)
    assert "Association de la table du département : — → Foyer des Batignolles" in lignes
    assert not any(str(table.pk) == t.rsplit(" ", 1)[-1] for t in lignes)


def test_le_service_refuse_une_association_a_un_menage_ou_d_un_autre_departement(
    famille, guichet_75, agent_75
):
    from sne.organisations.models import Association
    from sne.referentiels.models import Departement

    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            famille, agent_75, guichet_75, demande_valeurs={"association_nom": "Asso"}
        )
    assert "faite pour un ménage" in refus.value.message

    demande = services.enregistrer_demande(guichet_75, agent_75, donnees_association_libre())
    ailleurs = Association.objects.create(
        departement=Departement.objects.get(code="93"), nom="Toit de Bobigny"
    )
    with pytest.raises(ErreurMetier) as refus:
        services.modifier_demande(
            demande, agent_75, guichet_75, demande_valeurs={"association": ailleurs}
        )
    assert "pas dans la table du département" in refus.value.message


# Fields that issue 9 brought to the page; the site-wide walk (tests/test_saisies_hostiles.py)
# meets no association's demande, so they are walked here too, on both databases in CI.
CHAMPS_AJOUTES = (
    "co_piece_identite_type",
    "co_piece_identite_numero",
    "co_piece_identite_expiration",
    "co_nir",
    "co_adresse_ligne1",
    "co_adresse_ligne2",
    "co_code_postal",
    "co_commune",
    "co_commune_code",
    "co_employeur",
    "co_employeur_adresse",
    "co_employeur_code_postal",
    "co_employeur_commune",
    "employeur_adresse",
    "employeur_code_postal",
    "employeur_commune",
    "employeur_commune_code",
    "statut_dalo",
    "association_recherche",
    "association_recherche_id",
    "association_nom",
    "association_date_creation",
    "association_adresse_ligne1",
    "association_commune",
)


def test_aucune_saisie_hostile_dans_les_champs_ajoutes_ne_provoque_d_erreur_500(
    guichet_75, agent_75, sur_la_page
):
    from sne.organisations.models import Association
    from sne.referentiels.models import Departement
    from tests.test_saisies_hostiles import VALEURS_HOSTILES

    donnees = donnees_association_libre()
    donnees["co_demandeur"] = {"nom": "Roux", "prenom": "Marc", "date_naissance": "1984-05-06"}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    # A table in the département: the search field is on the page too.
    Association.objects.create(departement=Departement.objects.get(code="75"), nom="Foyer")
    url = url_de(demande)
    sur_la_page.raise_request_exception = False
    valeurs = valeurs_du_formulaire(sur_la_page.get(url))
    assert set(CHAMPS_AJOUTES) <= set(valeurs), set(CHAMPS_AJOUTES) - set(valeurs)

    erreurs = [
        f"{nom}={hostile[:20]!r} → {reponse.status_code}"
        for nom in CHAMPS_AJOUTES
        for hostile in VALEURS_HOSTILES
        if (reponse := sur_la_page.post(url, {**valeurs, nom: hostile})).status_code >= 500
    ]

    assert not erreurs, "\n".join(erreurs)
    assert Personne.objects.filter(demande=demande).count() == 2


def test_une_association_retiree_de_la_table_n_empeche_pas_de_modifier_la_demande(
    guichet_75, agent_75, sur_la_page
):
    from sne.organisations.models import Association
    from sne.referentiels.models import Departement

    table = Association.objects.create(
        departement=Departement.objects.get(code="75"), nom="Foyer des Batignolles"
    )
    donnees = donnees_association_libre()
    donnees["association"] = {"id": table.pk}
    demande = services.enregistrer_demande(guichet_75, agent_75, donnees)
    Association.objects.filter(pk=table.pk).update(active=False)  # the table has changed since
    url = url_de(demande)

    reponse = sur_la_page.post(
        url, valeurs_du_formulaire(sur_la_page.get(url), nom="Lefèvre-Roux"), follow=True
    )

    assert "Modifications enregistrées" in page_texte(reponse), erreurs_de(reponse)
    demande = Demande.objects.get(pk=demande.pk)
    assert demande.association == table and demande.demandeur.nom == "Lefèvre-Roux"
