"""The table of associations of a département (FAQ « bénéficiaire association »): the
gestionnaire keeps it; desks search it when a demande is made for an association; when it is
not yet filled in, the desk types the association's name freely."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sne.audit.models import EvenementAudit
from sne.organisations.associations import TABLE_VIDE, rechercher_associations
from sne.organisations.models import Association
from sne.referentiels.models import Departement
from tests.factories import GuichetFactory, agent, gestionnaire, siren_fictif
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

URL = "/gestion/departements/associations/"
URL_RECHERCHE = "/gestion/departements/associations/recherche/"


def url_ajout(code):
    return f"{URL}{code}/ajouter/"


def url_etat(association):
    return f"{URL}{association.pk}/etat/"


def association(nom, departement="93", **champs):
    return Association.objects.create(
        departement=Departement.objects.get(code=departement), nom=nom, **champs
    )


@pytest.fixture
def gestionnaire_93(client):
    utilisateur = gestionnaire("93")
    connecter(client, utilisateur)
    return utilisateur


def test_le_gestionnaire_ajoute_une_association_a_la_table_de_son_departement(
    client, gestionnaire_93
):
    reponse = client.post(
        url_ajout("93"),
        {"nom": "  Emmaüs   Solidarité ", "siren": siren_fictif(1), "adresse": "Montreuil"},
        follow=True,
    )

    assert "a été ajoutée à la table du 93" in reponse.content.decode()
    ajoutee = Association.objects.get(departement="93")
    assert ajoutee.nom == "Emmaüs Solidarité"
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CREATION, objet_id=str(ajoutee.pk), utilisateur=gestionnaire_93
    ).exists()


@pytest.mark.parametrize("nom", ["Emmaüs Solidarité", "EMMAÜS SOLIDARITÉ", "emmaus solidarite"])
def test_une_association_deja_dans_la_table_est_refusee_quelles_que_soient_casse_et_accents(
    client, gestionnaire_93, nom
):
    association("Emmaüs Solidarité")

    reponse = client.post(url_ajout("93"), {"nom": nom})

    assert reponse.status_code == 200
    assert "figure déjà dans la table du département 93" in reponse.content.decode()
    assert Association.objects.count() == 1


def test_un_siren_invalide_est_refuse_avec_un_message(client, gestionnaire_93):
    reponse = client.post(url_ajout("93"), {"nom": "Le Relais", "siren": "123456789"})

    assert reponse.status_code == 200
    assert "clé de contrôle" in reponse.content.decode()
    assert not Association.objects.exists()


def test_la_meme_association_peut_figurer_dans_deux_departements(client):
    association("Secours populaire", departement="75")
    connecter(client, gestionnaire("93"))

    client.post(url_ajout("93"), {"nom": "Secours populaire"})

    assert Association.objects.filter(nom="Secours populaire").count() == 2


def test_un_gestionnaire_du_75_ne_touche_pas_la_table_du_93(client):
    relais = association("Le Relais")
    connecter(client, gestionnaire("75"))

    assert client.post(url_ajout("93"), {"nom": "Autre"}).status_code == 403
    assert client.post(url_etat(relais), {"active": "0"}).status_code == 403
    assert client.get(URL, {"departement": "93"}).status_code == 403
    relais.refresh_from_db()
    assert relais.active
    assert Association.objects.count() == 1


def test_un_agent_de_guichet_n_administre_pas_la_table(client):
    connecter(client, agent(GuichetFactory(departements=["93"])))

    assert client.get(URL, {"departement": "93"}).status_code == 403


def test_la_recherche_ignore_casse_et_accents_et_accepte_le_siren():
    emmaus = association("Emmaüs Solidarité", siren=siren_fictif(2))
    association("Secours catholique")

    assert rechercher_associations("93", "emmaus") == [emmaus]
    assert rechercher_associations("93", "SOLIDARITE emm") == [emmaus]
    assert rechercher_associations("93", siren_fictif(2)) == [emmaus]
    assert rechercher_associations("93", "inconnue") == []


def test_la_page_recherche_par_nom(client, gestionnaire_93):
    association("Emmaüs Solidarité")
    association("Secours catholique")

    contenu = client.get(URL, {"departement": "93", "q": "secours"}).content.decode()

    assert "Secours catholique" in contenu
    assert "Emmaüs Solidarité" not in contenu


def test_la_liste_est_paginee(client, gestionnaire_93):
    for n in range(30):
        association(f"Association {n:02d}")

    page_1 = client.get(URL, {"departement": "93"}).content.decode()
    page_2 = client.get(URL, {"departement": "93", "page": 2}).content.decode()

    assert "Association 00" in page_1 and "Association 29" not in page_1
    assert "Association 29" in page_2
    assert 'class="fr-pagination"' in page_1


def test_une_table_vide_le_dit_et_laisse_la_saisie_libre(client, gestionnaire_93):
    contenu = client.get(URL, {"departement": "93"}).content.decode()

    assert TABLE_VIDE in contenu.replace("&#x27;", "'")


def test_une_association_desactivee_n_est_plus_proposee_puis_revient(client, gestionnaire_93):
    relais = association("Le Relais")

    client.post(url_etat(relais), {"active": "0"})
    relais.refresh_from_db()
    assert not relais.active
    assert rechercher_associations("93", "relais") == []

    client.post(url_etat(relais), {"active": "1"})
    relais.refresh_from_db()
    assert relais.active
    assert (
        EvenementAudit.objects.filter(
            action=EvenementAudit.Action.MODIFICATION, objet_id=str(relais.pk)
        ).count()
        == 2
    )


def test_l_import_csv_ajoute_les_lignes_valides_et_explique_les_autres(client, gestionnaire_93):
    association("Le Relais")
    contenu = (
        "nom;siren;adresse\n"
        f"Emmaüs Solidarité;{siren_fictif(3)};12 rue de Paris, Montreuil\n"
        "Le Relais;;\n"
        "Les Restos du Cœur;123456789;\n"
        ";;sans nom\n"
        "Secours populaire\n"
    ).encode("cp1252")
    fichier = SimpleUploadedFile("associations.csv", contenu, content_type="text/csv")

    reponse = client.post(f"{URL}93/importer/", {"fichier": fichier}, follow=True)

    page = reponse.content.decode()
    assert "2 associations ajoutées" in page
    assert "3 ligne(s) non importée(s)" in page
    assert "ligne 3" in page and "ligne 4" in page and "ligne 5" in page
    assert set(Association.objects.values_list("nom", flat=True)) == {
        "Le Relais",
        "Emmaüs Solidarité",
        "Secours populaire",
    }


def test_un_classeur_excel_depose_pour_l_import_est_refuse_sans_rien_ajouter(
    client, gestionnaire_93
):
    classeur = Workbook()
    classeur.active.append(["Emmaüs Solidarité"])
    tampon = io.BytesIO()
    classeur.save(tampon)
    fichier = SimpleUploadedFile("associations.csv", tampon.getvalue())

    reponse = client.post(f"{URL}93/importer/", {"fichier": fichier})

    assert "Ce fichier est un classeur Excel : enregistrez-le au format CSV." in texte(reponse)
    assert not Association.objects.exists()


def test_la_recherche_ignore_casse_accents_et_ponctuation():
    emmaus = association("Emmaüs-Solidarité")
    association("Le Relais")

    assert rechercher_associations("93", "EMMAUS solidarite") == [emmaus]
    assert rechercher_associations("93", "solidarité emmaüs") == [emmaus]
    assert rechercher_associations("93", "emmaus relais") == []


# --- The search endpoint of the demande form (beneficiary autocomplete) ---------------------


def test_la_recherche_json_rend_les_associations_actives_qui_correspondent(client):
    emmaus = association("Emmaüs Solidarité", siren=siren_fictif(4))
    association("Emmaüs Habitat", active=False)
    association("Emmaüs Paris", departement="75")
    connecter(client, agent(GuichetFactory(departements=["93"])))

    donnees = json.loads(client.get(URL_RECHERCHE, {"departement": "93", "q": "emmaus"}).content)

    assert donnees["table_renseignee"] is True
    assert donnees["message"] == ""
    assert donnees["resultats"] == [
        {"id": emmaus.pk, "nom": "Emmaüs Solidarité", "siren": siren_fictif(4), "adresse": ""}
    ]


def test_la_recherche_sur_une_table_vide_dit_de_saisir_le_nom_librement(client):
    association("Emmaüs Paris", departement="75")
    connecter(client, agent(GuichetFactory(departements=["93"])))

    donnees = json.loads(client.get(URL_RECHERCHE, {"departement": "93", "q": "emm"}).content)

    assert donnees == {
        "departement": "93",
        "table_renseignee": False,
        "message": TABLE_VIDE,
        "resultats": [],
    }


def test_la_recherche_htmx_rend_un_fragment(client):
    association("Emmaüs Solidarité")
    connecter(client, agent(GuichetFactory(departements=["93"])))

    reponse = client.get(
        URL_RECHERCHE, {"departement": "93", "q": "emm"}, headers={"HX-Request": "true"}
    )

    contenu = reponse.content.decode()
    assert "<html" not in contenu
    assert 'data-libelle="Emmaüs Solidarité"' in contenu


def test_la_recherche_d_un_departement_inconnu_est_une_erreur_claire(client):
    connecter(client, agent(GuichetFactory(departements=["93"])))

    reponse = client.get(URL_RECHERCHE, {"departement": "99", "q": "x"})

    assert reponse.status_code == 400
    assert json.loads(reponse.content) == {"erreur": "Département inconnu."}


def importer(client, contenu: bytes, departement="93", **options):
    fichier = SimpleUploadedFile("associations.csv", contenu, content_type="text/csv")
    return client.post(f"{URL}{departement}/importer/", {"fichier": fichier}, **options)


def test_l_import_est_journalise_une_fois_avec_le_nombre_d_associations_ajoutees(
    client, gestionnaire_93
):
    contenu = "".join(f"Association {n};;\n" for n in range(1, 31)).encode()

    importer(client, contenu)

    assert Association.objects.count() == 30
    (evenement,) = EvenementAudit.objects.filter(
        utilisateur=gestionnaire_93,
        action__in=[EvenementAudit.Action.CREATION, EvenementAudit.Action.IMPORT],
    )
    assert evenement.action == EvenementAudit.Action.IMPORT
    assert evenement.objet_id == "93"
    assert evenement.details["ajoutees"] == 30


def test_l_import_lit_la_table_une_fois_quel_que_soit_le_nombre_de_lignes(
    client, gestionnaire_93, django_assert_max_num_queries
):
    for n in range(20):
        association(f"Déjà là {n}")
    contenu = "".join(f"Association {n};;\n" for n in range(1, 1001)).encode()

    with django_assert_max_num_queries(25):
        importer(client, contenu)

    assert Association.objects.count() == 1020


def test_un_nom_present_deux_fois_dans_le_fichier_n_est_ajoute_qu_une_fois(client, gestionnaire_93):
    reponse = importer(client, "Le Relais;;\nLE RELAIS;;\nEmmaüs;;\n".encode(), follow=True)

    assert sorted(Association.objects.values_list("nom", flat=True)) == ["Emmaüs", "Le Relais"]
    assert "ligne 2 (« LE RELAIS ») : L'association « Le Relais » figure déjà" in texte(reponse)


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"Le Relais;" + b"x" * 200_000 + b";\n", "cellule"),
        (b"Le Relais;;\nEmma\x00s;;\n", "CSV UTF-8"),
        (b'Le Relais;"sans fin\n', ""),
        ("\U0001f3e0 Maison;;\n".encode() * 3, ""),
    ],
    ids=["cellule de 200 ko", "caractere nul", "guillemet non ferme", "emoji"],
)
def test_un_fichier_hostile_est_refuse_ou_importe_sans_erreur_serveur(
    client, gestionnaire_93, contenu, attendu
):
    reponse = importer(client, contenu, follow=True)

    assert reponse.status_code == 200
    assert attendu in texte(reponse)


def test_un_siren_invalide_s_affiche_sur_son_champ_et_le_resume_y_mene(client, gestionnaire_93):
    reponse = client.post(url_ajout("93"), {"nom": "Le Relais", "siren": "123 456 789"})

    message = "Le SIREN doit compter 9 chiffres et être valide (clé de contrôle)."
    assert reponse.context["form_ajout"].errors["siren"] == [message]
    assert reponse.context["form_ajout"].non_field_errors() == []
    contenu = reponse.content.decode()
    assert 'id="resume-erreurs"' in contenu
    assert '<a href="#id_siren">SIREN : Le SIREN doit compter' in contenu.replace("&#x27;", "'")
    assert not Association.objects.exists()


def test_le_rapport_d_import_ne_double_pas_le_point_d_un_message(client, gestionnaire_93):
    fichier = SimpleUploadedFile(
        "associations.csv", b"nom;siren;adresse\nLe Relais;123456789;Saint-Denis\n"
    )

    reponse = client.post(f"{URL}93/importer/", {"fichier": fichier}, follow=True)

    contenu = reponse.content.decode()
    assert "ligne 2 (« Le Relais ») : Le SIREN doit compter 9 chiffres et être valide (clé de " in (
        contenu
    )
    assert "(clé de contrôle)." in contenu
    assert ").." not in contenu
