import pytest
from django import forms

from sne.referentiels.widgets import CommuneField

pytestmark = pytest.mark.django_db


def test_la_page_des_communes_montre_la_commune_trouvee(client):
    reponse = client.get("/referentiels/communes/", {"commune": "Havre (Le)"})

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Le Havre (76351)" in contenu
    assert "76600" in contenu


def test_la_page_des_communes_liste_les_homonymes(client):
    contenu = client.get("/referentiels/communes/", {"commune": "Saint-Denis"}).content.decode()

    assert "Plusieurs communes possibles" in contenu
    assert "93066" in contenu and "97411" in contenu


def test_la_page_des_communes_trouve_st_ouen_dans_le_93(client):
    """Issue 9: « introuvable » although Saint-Ouen-sur-Seine is the only commune of the 93
    whose name begins so."""
    contenu = client.get(
        "/referentiels/communes/", {"commune": "St-Ouen", "departement": "93"}
    ).content.decode()

    assert "Saint-Ouen-sur-Seine (93070)" in contenu
    assert "Commune introuvable" not in contenu


def test_la_page_des_communes_explique_une_saisie_introuvable(client):
    contenu = client.get("/referentiels/communes/", {"commune": "xyzzy"}).content.decode()

    assert "Commune introuvable" in contenu


def test_les_suggestions_htmx_sont_un_fragment_de_boutons(client):
    reponse = client.get("/referentiels/communes/suggestions/", {"commune": "bord"})

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "<html" not in contenu
    assert 'data-code="33063"' in contenu


class FormulaireAdresse(forms.Form):
    commune = CommuneField()


def test_le_champ_commune_accepte_le_code_choisi_dans_les_suggestions():
    formulaire = FormulaireAdresse({"commune": "Saint-Denis (93200)", "commune_code": "93066"})

    assert formulaire.is_valid()
    assert formulaire.cleaned_data["commune"].code_insee == "93066"


def test_le_champ_commune_resout_le_texte_saisi_sans_javascript():
    formulaire = FormulaireAdresse({"commune": "LHAY LES ROSES"})

    assert formulaire.is_valid()
    assert formulaire.cleaned_data["commune"].code_insee == "94038"


def test_le_champ_commune_refuse_un_homonyme_en_proposant_les_candidates():
    formulaire = FormulaireAdresse({"commune": "Saint-Denis"})

    assert not formulaire.is_valid()
    assert "Saint-Denis (93066)" in formulaire.errors["commune"][0]


def test_le_champ_commune_peut_etre_limite_a_un_departement():
    class FormulaireDepartement(forms.Form):
        commune = CommuneField(departement="93")

    formulaire = FormulaireDepartement({"commune": "Saint-Denis"})

    assert formulaire.is_valid()
    assert formulaire.cleaned_data["commune"].code_insee == "93066"


class FormulaireAvecCodePostal(forms.Form):
    code_postal = forms.CharField(required=False)
    commune = CommuneField(champ_code_postal="code_postal")


@pytest.mark.parametrize(
    ("commune", "code_postal", "code_insee"),
    [
        ("St-Ouen", "93400", "93070"),  # the namesakes of 41 and 80 alone, Saint-Ouen-sur-Seine
        ("Saint-Denis", "97400", "97411"),
        ("Saint-Denis", "93200", "93066"),
        ("Bordeaux", "", "33063"),
        ("Bordeaux", "93200", "33063"),  # a name that settles alone keeps its commune
    ],
)
def test_le_champ_commune_se_lit_avec_le_code_postal_tape_a_cote(commune, code_postal, code_insee):
    formulaire = FormulaireAvecCodePostal({"commune": commune, "code_postal": code_postal})

    assert formulaire.is_valid(), formulaire.errors
    assert formulaire.cleaned_data["commune"].code_insee == code_insee


def test_un_code_postal_qui_contredit_le_nom_ne_tranche_pas_un_homonyme():
    formulaire = FormulaireAvecCodePostal({"commune": "Saint-Denis", "code_postal": "75002"})

    assert not formulaire.is_valid()
    assert "Saint-Denis (93066)" in formulaire.errors["commune"][0]
