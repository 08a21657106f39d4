"""Import of a fiche collecte (FAQ « Connexion à l'application nationale », « Options de
paramétrage »): a file checked line by line, then applied all at once, inviting each person."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook

from sne.audit.models import EvenementAudit
from sne.comptes.models import Habilitation, Utilisateur
from sne.exceptions import ErreurMetier, NonAutorise
from sne.organisations import services, tableurs
from sne.organisations.fiche_collecte import (
    COLONNES,
    analyser_fiche_collecte,
    appliquer_fiche_collecte,
)
from sne.organisations.models import Guichet, Organisation
from tests.factories import (
    GuichetFactory,
    OrganisationFactory,
    PointContactFactory,
    UtilisateurFactory,
    agent,
    gestionnaire,
    habiliter,
    national,
)

pytestmark = pytest.mark.django_db

EXEMPLES = Path(__file__).resolve().parents[2] / "docs" / "exemples"
BASE_URL = "https://sne.example.fr"
GUICHET = {
    "organisation_nom": "Foyer Dionysien (exemple)",
    "organisation_type": "bailleur",
    "organisation_siren": "999990039",
    "guichet_code": "93FD1",
    "guichet_nom": "Agence de Saint-Denis (exemple)",
    "guichet_email": "accueil@foyer-dionysien.example.fr",
    "departements": "93",
    "communes_consultation": "",
}


def personne(prenom, nom, email, role="saisie", **autres):
    return {
        "utilisateur_prenom": prenom,
        "utilisateur_nom": nom,
        "utilisateur_email": email,
        "role": role,
        **autres,
    }


def fiche_csv(*lignes, separateur=";", encodage="utf-8", nom="fiche.csv", **guichet):
    """A CSV fiche: the desk's columns on the first line, one person per line."""
    premiere = {**GUICHET, **guichet}
    texte = separateur.join(COLONNES) + "\n"
    for i, ligne in enumerate(lignes):
        valeurs = {**(premiere if i == 0 else {}), **ligne}
        texte += separateur.join(valeurs.get(c, "") for c in COLONNES) + "\n"
    return SimpleUploadedFile(nom, texte.encode(encodage), content_type="text/csv")


def exemple(nom):
    return SimpleUploadedFile(nom, (EXEMPLES / nom).read_bytes())


def trois_personnes():
    return (
        personne("Camille", "Martin", "camille.martin@foyer.example.fr"),
        personne("Karim", "Benali", "karim.benali@foyer.example.fr"),
        personne("Sophie", "Lefèvre", "sophie.lefevre@foyer.example.fr", "consultation"),
    )


def messages_de(analyse, champ=None):
    return [p.message for p in analyse.problemes if champ is None or p.champ == champ]


# --- A valid fiche creates everything and invites each person ---------------------------------


@pytest.mark.parametrize("fichier", ["fiche-collecte-exemple.csv", "fiche-collecte-exemple.xlsx"])
def test_la_fiche_exemple_cree_organisation_guichet_comptes_et_invite_a_la_finalisation(
    fichier, django_capture_on_commit_callbacks, mailoutbox
):
    """FAQ: convention → fiche collecte → paramétrage → e-mail de confirmation. The new desk is
    not set up yet: nobody is invited by the import; « Finaliser » invites each person."""
    par = gestionnaire("93")

    analyse = analyser_fiche_collecte(exemple(fichier), par)
    assert analyse.problemes == []
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    organisation = Organisation.objects.get(siren="999990039")
    assert organisation.nom == "Foyer Dionysien (exemple)"
    assert organisation.type == Organisation.Type.BAILLEUR
    guichet = Guichet.objects.get(code="93FD1")
    assert guichet.organisation == organisation
    assert [d.code for d in guichet.departements.all()] == ["93"]
    assert guichet.fiche_collecte_recue_le is not None
    # The scope of consultation is the two communes, not the whole département.
    assert not guichet.consultation_departements.exists()
    assert sorted(guichet.consultation_communes.values_list("code_insee", flat=True)) == [
        "93066",
        "93070",
    ]
    roles = dict(
        Habilitation.objects.filter(guichet=guichet).values_list("utilisateur__email", "role")
    )
    assert roles == {
        "camille.martin@foyer-dionysien.example.fr": "saisie",
        "karim.benali@foyer-dionysien.example.fr": "saisie",
        "sophie.lefevre@foyer-dionysien.example.fr": "consultation",
    }
    for compte in resultat.comptes_crees:
        assert not compte.has_usable_password()  # they choose it through the invitation
    assert mailoutbox == []
    assert resultat.invites == []
    assert sorted(u.email for u in resultat.invitations_differees) == sorted(roles)

    finaliser_apres_convention(guichet, par)

    invitations = [m for m in mailoutbox if "compte vous a été ouvert" in m.subject]
    assert sorted(m.to[0] for m in invitations) == sorted(roles)
    assert all(f"{BASE_URL}/comptes/activation/" in m.body for m in invitations)


def finaliser_apres_convention(guichet, par):
    services.enregistrer_convention(guichet, par=par, convention_signee_le=date(2026, 11, 2))
    PointContactFactory(guichet=guichet, adresse="2 place Victor Hugo", code_postal="93200")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.finaliser_parametrage(guichet, par=par, base_url=BASE_URL)


def test_sans_communes_le_guichet_consulte_ses_departements_entiers(
    django_capture_on_commit_callbacks,
):
    par = gestionnaire("93")
    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), par)

    with django_capture_on_commit_callbacks(execute=True):
        appliquer_fiche_collecte(analyse, par, BASE_URL)

    guichet = Guichet.objects.get(code="93FD1")
    assert [d.code for d in guichet.consultation_departements.all()] == ["93"]
    assert not guichet.consultation_communes.exists()


def test_l_import_est_journalise_avec_des_comptes_et_des_identifiants_seulement(
    django_capture_on_commit_callbacks,
):
    par = gestionnaire("93")
    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), par)

    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    evenement = EvenementAudit.objects.get(action=EvenementAudit.Action.IMPORT)
    assert evenement.utilisateur == par
    assert evenement.guichet == resultat.guichet
    assert evenement.details["comptes_crees"] == [u.pk for u in resultat.comptes_crees]
    assert evenement.details["invitations"] == 0
    assert evenement.details["invitations_differees"] == 3
    assert "@" not in str(evenement.details) + evenement.resume


def test_appliquer_deux_fois_la_meme_fiche_ne_cree_rien_la_seconde_fois(
    django_capture_on_commit_callbacks, mailoutbox
):
    par = gestionnaire("93")
    with django_capture_on_commit_callbacks(execute=True):
        appliquer_fiche_collecte(
            analyser_fiche_collecte(exemple("fiche-collecte-exemple.csv"), par), par, BASE_URL
        )

    seconde = analyser_fiche_collecte(exemple("fiche-collecte-exemple.csv"), par)
    assert seconde.problemes == []
    assert all(u.deja_habilite for u in seconde.utilisateurs)
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(seconde, par, BASE_URL)

    assert not resultat.organisation_creee and not resultat.guichet_cree
    assert resultat.comptes_crees == [] and resultat.habilitations_creees == []
    assert len(resultat.deja_habilites) == 3
    assert Organisation.objects.filter(siren="999990039").count() == 1
    assert Utilisateur.objects.filter(email__endswith="@foyer-dionysien.example.fr").count() == 3
    assert Habilitation.objects.filter(guichet__code="93FD1").count() == 3
    assert resultat.invites == resultat.invitations_differees == []
    assert len(mailoutbox) == 0  # the desk is not set up: invitations wait for « Finaliser »


def test_une_fiche_ajoute_des_personnes_a_un_guichet_existant_de_la_meme_organisation(
    django_capture_on_commit_callbacks, mailoutbox
):
    par = gestionnaire("93")
    organisation = OrganisationFactory(siren="999990039")
    guichet = GuichetFactory(code="93FD1", organisation=organisation, departements=["93"])
    deja = agent(guichet, prenom="Camille", nom="Martin", email="camille.martin@foyer.example.fr")

    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), par)
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    assert analyse.guichet.existant == guichet
    assert resultat.deja_habilites == [deja]
    assert len(resultat.habilitations_creees) == 2
    assert guichet.habilitations.count() == 3
    assert len(mailoutbox) == 2  # the desk is set up: the two new persons are invited at once
    assert all("vous a ouvert un compte" in m.body for m in mailoutbox)
    assert all("Vous avez demandé" not in m.body for m in mailoutbox)


def test_une_fiche_sur_un_guichet_a_parametrer_n_invite_personne_avant_la_finalisation(
    django_capture_on_commit_callbacks, mailoutbox
):
    par = gestionnaire("93")
    organisation = OrganisationFactory(siren="999990039")
    guichet = GuichetFactory(
        code="93FD1", organisation=organisation, departements=["93"], a_parametrer=True
    )

    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), par)
    assert all(u.invitation_differee for u in analyse.utilisateurs)
    assert "finalisation du paramétrage" in analyse.utilisateurs[0].action
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    assert mailoutbox == []
    assert len(resultat.invitations_differees) == 3
    finalisation = finaliser_apres_convention(guichet, par)
    assert sorted(u.email for u in finalisation.invites) == sorted(
        p["utilisateur_email"] for p in trois_personnes()
    )
    invitations = [m for m in mailoutbox if "compte vous a été ouvert" in m.subject]
    assert len(invitations) == 3
    assert f"{guichet.nom} (93FD1)" in invitations[0].body


def test_un_compte_deja_gere_par_le_gestionnaire_recoit_l_habilitation(
    django_capture_on_commit_callbacks,
):
    par = gestionnaire("93")
    compte = UtilisateurFactory(prenom="Camille", nom="MARTIN", email="camille.martin@x.fr")
    habiliter(compte, "consultation", guichet=GuichetFactory(code="93ZZ9", departements=["93"]))

    analyse = analyser_fiche_collecte(
        fiche_csv(personne("camille", "Martin", "Camille.Martin@x.fr")), par
    )
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    assert analyse.problemes == []
    assert resultat.comptes_crees == []
    assert resultat.habilitations_creees[0].utilisateur == compte
    assert resultat.invites == []  # this account already has its password


def test_un_compte_habilite_ailleurs_accepte_lui_meme_l_habilitation_par_un_lien(
    django_capture_on_commit_callbacks, mailoutbox
):
    """Issue 8: a fiche collecte no more than the habilitation form gives a gestionnaire a
    person he does not manage (and then their audit trail) without their consent."""
    par = gestionnaire("93")
    compte = UtilisateurFactory(prenom="Camille", nom="MARTIN", email="camille.martin@x.fr")
    habiliter(compte, "saisie", guichet=GuichetFactory(code="69ZZ9", departements=["69"]))

    analyse = analyser_fiche_collecte(
        fiche_csv(personne("camille", "Martin", "Camille.Martin@x.fr")), par
    )
    with django_capture_on_commit_callbacks(execute=True):
        resultat = appliquer_fiche_collecte(analyse, par, BASE_URL)

    assert resultat.habilitations_creees == []
    assert resultat.accords_demandes == ["camille.martin@x.fr"]
    assert not Habilitation.objects.filter(utilisateur=compte, guichet=resultat.guichet).exists()
    assert [m.to for m in mailoutbox if "/comptes/accepter-habilitation/" in m.body] == [
        ["camille.martin@x.fr"]
    ]


# --- Each fault of the file is a problem on its line --------------------------------------------


def test_une_virgule_a_la_place_d_un_point_est_signalee_sur_sa_ligne():
    analyse = analyser_fiche_collecte(
        fiche_csv(
            personne("Camille", "Martin", "camille.martin@foyer.example.fr"),
            personne("Karim", "Benali", "karim.benali@foyer,fr"),
        ),
        gestionnaire("93"),
    )

    (probleme,) = analyse.problemes
    assert (probleme.ligne, probleme.champ) == (3, "utilisateur_email")
    assert "virgule à la place d'un point" in probleme.message
    assert "karim.benali@foyer.fr" in probleme.message
    with pytest.raises(ErreurMetier):
        appliquer_fiche_collecte(analyse, gestionnaire("93"), BASE_URL)


def test_une_virgule_dans_un_csv_separe_par_des_virgules_decale_les_colonnes_et_le_dit():
    contenu = (
        ",".join(COLONNES) + "\n"
        "Foyer,bailleur,999990039,93FD1,Agence,,93,,Karim,Benali,karim@foyer,fr,saisie\n"
    )

    analyse = analyser_fiche_collecte(
        SimpleUploadedFile("fiche.csv", contenu.encode()), gestionnaire("93")
    )

    assert any("virgule" in m for m in messages_de(analyse))


def test_une_meme_adresse_pour_deux_personnes_est_refusee_avec_son_explication():
    analyse = analyser_fiche_collecte(
        fiche_csv(
            personne("Camille", "Martin", "accueil@foyer.example.fr"),
            personne("Karim", "Benali", "Accueil@foyer.example.fr"),
        ),
        gestionnaire("93"),
    )

    (probleme,) = analyse.problemes
    assert (probleme.ligne, probleme.champ) == (3, "utilisateur_email")
    assert "ligne 2" in probleme.message
    assert "une adresse e-mail identifie une seule personne" in probleme.message
    assert "ne gardait que la première personne" in probleme.message
    assert not analyse.applicable


def test_une_adresse_deja_celle_du_compte_d_une_autre_personne_est_refusee():
    UtilisateurFactory(prenom="Paul", nom="Durand", email="karim.benali@foyer.example.fr")

    analyse = analyser_fiche_collecte(
        fiche_csv(personne("Karim", "Benali", "karim.benali@foyer.example.fr")),
        gestionnaire("93"),
    )

    assert "déjà l'identifiant du compte d'une autre personne" in messages_de(analyse)[0]
    assert "Durand" not in messages_de(analyse)[0]  # someone else's name is not revealed


def test_une_commune_inconnue_est_signalee():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), communes_consultation="Saint-Denis|Montreuil-sous-Bois"),
        gestionnaire("93"),
    )

    (message,) = messages_de(analyse, "communes_consultation")
    assert "Aucune commune ne correspond à « Montreuil-sous-Bois »" in message


def test_une_commune_ambigue_est_signalee_avec_ses_candidates():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), communes_consultation="Saint-Deni"), gestionnaire("93")
    )

    (message,) = messages_de(analyse, "communes_consultation")
    assert "ambigu" in message and "Saint-Denis (93066)" in message


def test_un_nom_de_commune_present_dans_deux_departements_du_guichet_demande_le_code_insee():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), departements="11|30", communes_consultation="Saint-Denis"),
        national(),
    )

    (message,) = messages_de(analyse, "communes_consultation")
    assert "Saint-Denis (11339)" in message and "Saint-Denis (30247)" in message
    assert "code INSEE" in message


def test_une_commune_hors_des_departements_du_guichet_est_refusee():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), communes_consultation="Paris"), gestionnaire("93")
    )

    assert "Paris (75056) est dans le département 75" in messages_de(analyse)[0]


def test_un_departement_que_l_importateur_ne_gere_pas_est_refuse():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), departements="93|94"), gestionnaire("93")
    )

    (probleme,) = analyse.problemes
    assert (probleme.ligne, probleme.champ) == (2, "departements")
    assert "Vous ne gérez pas le département 94" in probleme.message


def test_un_departement_inconnu_est_refuse():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), departements="93,94"), national()
    )

    assert "Séparez les codes par « | »" in messages_de(analyse, "departements")[0]


def test_un_code_de_guichet_deja_attribue_a_une_autre_organisation_est_refuse():
    GuichetFactory(code="93FD1", departements=["93"])

    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), gestionnaire("93"))

    assert "un code n'est attribué qu'une fois" in messages_de(analyse, "guichet_code")[0]


@pytest.mark.parametrize(
    ("champ", "valeur", "attendu"),
    [
        ("guichet_code", "93-FD", "5 caractères"),
        ("organisation_siren", "999990038", "clé de contrôle"),
        ("organisation_type", "HLM", "Type d'organisation « HLM » inconnu"),
    ],
)
def test_les_valeurs_du_guichet_et_de_l_organisation_sont_verifiees(champ, valeur, attendu):
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), **{champ: valeur}), gestionnaire("93")
    )

    assert attendu in messages_de(analyse, champ)[0]


def test_un_role_inconnu_et_un_nom_manquant_sont_signales():
    analyse = analyser_fiche_collecte(
        fiche_csv(personne("Camille", "", "camille@foyer.example.fr", "gestionnaire")),
        gestionnaire("93"),
    )

    assert [(p.ligne, p.champ) for p in analyse.problemes] == [
        (2, "utilisateur_nom"),
        (2, "role"),
    ]


def test_une_ligne_qui_contredit_la_premiere_sur_le_guichet_est_signalee():
    analyse = analyser_fiche_collecte(
        fiche_csv(
            personne("Camille", "Martin", "camille.martin@foyer.example.fr"),
            personne("Karim", "Benali", "karim@foyer.example.fr", guichet_code="93FD2"),
        ),
        gestionnaire("93"),
    )

    (probleme,) = analyse.problemes
    assert (probleme.ligne, probleme.champ) == (3, "guichet_code")
    assert "contredit la ligne 2" in probleme.message


def test_une_colonne_absente_est_signalee():
    contenu = "organisation_nom;utilisateur_email\nFoyer;camille@foyer.example.fr\n"

    analyse = analyser_fiche_collecte(
        SimpleUploadedFile("fiche.csv", contenu.encode()), gestionnaire("93")
    )

    assert "role" in {p.champ for p in analyse.problemes}


def test_la_fiche_ne_change_pas_les_departements_d_un_guichet_existant():
    GuichetFactory(
        code="93FD1", organisation=OrganisationFactory(siren="999990039"), departements=["93"]
    )

    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), departements="93|94"), national()
    )

    assert "l'import ne change pas les départements" in messages_de(analyse, "departements")[0]


def test_une_habilitation_retiree_n_est_pas_retablie_par_l_import():
    from datetime import date

    guichet = GuichetFactory(
        code="93FD1", organisation=OrganisationFactory(siren="999990039"), departements=["93"]
    )
    ancien = agent(guichet, prenom="Camille", nom="Martin", email="camille.martin@foyer.example.fr")
    ancien.habilitations.update(date_debut=date(2024, 1, 1), date_fin=date(2024, 6, 30))

    analyse = analyser_fiche_collecte(fiche_csv(*trois_personnes()), gestionnaire("93"))

    (probleme,) = analyse.problemes
    assert probleme.ligne == 2
    assert "terminée le 30/06/2024" in probleme.message


# --- Reading files -----------------------------------------------------------------------------


def test_un_csv_windows_1252_separe_par_des_virgules_est_lu():
    analyse = analyser_fiche_collecte(
        fiche_csv(*trois_personnes(), separateur=",", encodage="cp1252"), gestionnaire("93")
    )

    assert analyse.problemes == []
    assert analyse.utilisateurs[2].nom == "Lefèvre"


def test_un_xlsx_aux_codes_enregistres_comme_des_nombres_est_lu():
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(list(COLONNES))
    guichet = ["Foyer", "bailleur", 999990039, "93FD1", "Agence", "", 93, 93066]
    feuille.append([*guichet, "Camille", "Martin", "camille@foyer.example.fr", "Saisie"])
    tampon = io.BytesIO()
    classeur.save(tampon)

    analyse = analyser_fiche_collecte(
        SimpleUploadedFile("fiche.xlsx", tampon.getvalue()), gestionnaire("93")
    )

    assert analyse.problemes == []
    assert analyse.organisation.siren == "999990039"
    assert [c.code_insee for c in analyse.guichet.communes] == ["93066"]


@pytest.mark.parametrize(
    ("nom", "contenu", "attendu"),
    [
        ("fiche.pdf", b"%PDF-1.4", "CSV (.csv) ou Excel (.xlsx)"),
        ("fiche.xls", b"\xd0\xcf\x11\xe0", "Classeur Excel (.xlsx)"),
        ("fiche.xlsx", b"organisation_nom;role\n", "n'est pas un classeur Excel"),
        ("fiche.csv", b"x" * (2 * 1024 * 1024 + 1), "la limite est de 2 Mo"),
        ("fiche.csv", b"", "vide"),
    ],
)
def test_un_fichier_illisible_est_refuse_clairement(nom, contenu, attendu):
    with pytest.raises(ErreurMetier) as erreur:
        analyser_fiche_collecte(SimpleUploadedFile(nom, contenu), gestionnaire("93"))

    assert attendu in erreur.value.message


def test_seul_un_gestionnaire_analyse_une_fiche():
    with pytest.raises(NonAutorise):
        analyser_fiche_collecte(fiche_csv(*trois_personnes()), UtilisateurFactory())


# --- The pages ---------------------------------------------------------------------------------


def connecter(client, utilisateur):
    """Log in, with a verified second factor (required of gestionnaires)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(utilisateur)
    appareil = TOTPDevice.objects.create(user=utilisateur, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = appareil.persistent_id
    session.save()
    return utilisateur


def test_deposer_une_fiche_avec_problemes_montre_le_tableau_des_problemes_sans_appliquer(client):
    connecter(client, gestionnaire("93"))
    fichier = fiche_csv(
        personne("Camille", "Martin", "accueil@foyer.example.fr"),
        personne("Karim", "Benali", "accueil@foyer,fr"),
    )

    reponse = client.post("/gestion/fiche-collecte/", {"fichier": fichier}, follow=True)

    contenu = reponse.content.decode()
    assert reponse.redirect_chain == [("/gestion/fiche-collecte/apercu/", 302)]
    assert "Problèmes de la fiche collecte" in contenu
    assert "virgule" in contenu
    assert ">Appliquer</button>" not in contenu
    assert not Guichet.objects.filter(code="93FD1").exists()


def test_deposer_puis_appliquer_mene_au_resultat(client, django_capture_on_commit_callbacks):
    connecter(client, gestionnaire("93"))
    client.post("/gestion/fiche-collecte/", {"fichier": exemple("fiche-collecte-exemple.xlsx")})
    apercu = client.get("/gestion/fiche-collecte/apercu/")
    assert "Agence de Saint-Denis (exemple)" in apercu.content.decode()
    assert ">Appliquer</button>" in apercu.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            "/gestion/fiche-collecte/appliquer/", {"empreinte": apercu.context["empreinte"]}
        )

    assert reponse.status_code == 302
    assert reponse["Location"] == "/gestion/fiche-collecte/resultat/"
    contenu = client.get(reponse["Location"]).content.decode()
    assert "3 comptes créés" in contenu
    assert "les 3 invitations à activer son compte partiront avec l'e-mail de confirmation" in (
        contenu.replace("&#x27;", "'")
    )
    assert "à la finalisation du paramétrage</td>" in contenu
    assert Habilitation.objects.filter(guichet__code="93FD1").count() == 3


def test_appliquer_un_autre_fichier_que_celui_de_l_apercu_est_refuse(client):
    connecter(client, gestionnaire("93"))
    client.post("/gestion/fiche-collecte/", {"fichier": exemple("fiche-collecte-exemple.csv")})

    reponse = client.post("/gestion/fiche-collecte/appliquer/", {"empreinte": "autre"})

    assert reponse["Location"] == "/gestion/fiche-collecte/apercu/"
    assert not Guichet.objects.filter(code="93FD1").exists()


def test_un_fichier_d_un_autre_format_est_refuse_sur_la_page_de_depot(client):
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/fiche-collecte/", {"fichier": SimpleUploadedFile("fiche.pdf", b"%PDF-1.4")}
    )

    assert reponse.status_code == 200
    assert "fr-upload-group--error" in reponse.content.decode()
    assert "CSV (.csv) ou Excel (.xlsx)" in reponse.content.decode()


def test_les_modeles_se_telechargent(client):
    connecter(client, gestionnaire("93"))

    reponse = client.get("/gestion/fiche-collecte/modele.xlsx")

    assert reponse.status_code == 200
    assert (
        b"".join(reponse.streaming_content)
        == (EXEMPLES / "fiche-collecte-exemple.xlsx").read_bytes()
    )
    assert "fiche-collecte-exemple.xlsx" in reponse["Content-Disposition"]
    assert client.get("/gestion/fiche-collecte/modele.pdf").status_code == 404


def test_un_agent_de_guichet_n_accede_pas_a_l_import(client):
    client.force_login(agent(GuichetFactory()))

    assert client.get("/gestion/fiche-collecte/").status_code == 403
    assert client.get("/gestion/fiche-collecte/modele.csv").status_code == 403


def test_le_fichier_est_lu_une_fois_pour_les_apercus_et_l_application(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    lectures = []
    lire_xlsx = tableurs.lire_xlsx
    monkeypatch.setattr(
        tableurs, "lire_xlsx", lambda *args, **kw: lectures.append(1) or lire_xlsx(*args, **kw)
    )
    connecter(client, gestionnaire("93"))
    client.post("/gestion/fiche-collecte/", {"fichier": exemple("fiche-collecte-exemple.xlsx")})
    for _ in range(3):
        apercu = client.get("/gestion/fiche-collecte/apercu/")
        assert ">Appliquer</button>" in apercu.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/gestion/fiche-collecte/appliquer/", {"empreinte": apercu.context["empreinte"]}
        )

    assert len(lectures) == 1
    assert Habilitation.objects.filter(guichet__code="93FD1").count() == 3


def bombe_xlsx(taille_decompressee=51 * 1024 * 1024) -> bytes:
    """A real fiche (the sample's sheet) whose shared strings inflate to `taille_decompressee`
    bytes: the issue's 125 Ko file that took 24 s and 480 Mo to preview, every time."""
    modele = zipfile.ZipFile(EXEMPLES / "fiche-collecte-exemple.xlsx")
    chaine = b"<si><t>Agence de Saint-Denis (exemple)</t></si>"
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + chaine * (taille_decompressee // len(chaine))
        + b"</sst>"
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zip_:
        for membre in modele.infolist():
            if membre.filename != "xl/sharedStrings.xml":
                zip_.writestr(membre, modele.read(membre))
        zip_.writestr("xl/sharedStrings.xml", sst)
    return tampon.getvalue()


def test_une_fiche_de_125_ko_qui_gonfle_a_51_mo_est_refusee_au_depot_sans_etre_lue(client):
    bombe = bombe_xlsx()
    assert len(bombe) < 200 * 1024
    connecter(client, gestionnaire("93"))

    reponse = client.post(
        "/gestion/fiche-collecte/", {"fichier": SimpleUploadedFile("fiche.xlsx", bombe)}
    )

    assert reponse.status_code == 200
    assert "trop volumineux une fois décompressé" in reponse.content.decode()
    assert "fiche_collecte_fichier" not in client.session
    assert client.get("/gestion/fiche-collecte/apercu/").status_code == 302


def test_un_classeur_dont_le_texte_depasse_2_mo_est_refuse_au_depot(client):
    connecter(client, gestionnaire("93"))
    classeur = Workbook()
    classeur.active.append(COLONNES)
    for n in range(800):  # one shared string of 3,000 characters, 800 times: a small file
        classeur.active.append(["x" * 3000, "", "", "", "", "", "", "", "C", "M", f"c{n}@x.fr"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    assert len(tampon.getvalue()) < 100 * 1024

    reponse = client.post(
        "/gestion/fiche-collecte/",
        {"fichier": SimpleUploadedFile("fiche.xlsx", tampon.getvalue())},
    )

    assert "Le texte du fichier dépasse 2 Mo" in reponse.content.decode()
    assert "fiche_collecte_fichier" not in client.session
