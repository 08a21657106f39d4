from hypothesis import given
from hypothesis import strategies as st

from sne.referentiels.normalisation import cle, cle_sans_article, mots


def test_les_abreviations_saint_et_sainte_sont_developpees():
    assert mots("St-Denis") == ["saint", "denis"]
    assert mots("Ste Geneviève") == ["sainte", "genevieve"]


def test_l_article_entre_parentheses_revient_devant():
    assert cle("Havre (Le)") == cle("Le Havre")
    assert cle("Sables-d'Olonne (Les)") == cle("Les Sables-d'Olonne")
    assert cle("Haÿ-les-Roses (L')") == cle("L'Haÿ-les-Roses")


def test_l_elision_collee_donne_la_meme_cle():
    assert cle("LHAY LES ROSES") == cle("L'Haÿ-les-Roses")


def test_les_ligatures_et_les_accents_sont_replies():
    assert cle("Œuilly") == "oeuilly"
    assert cle("Saint-Étienne") == cle("SAINT ETIENNE")


def test_l_article_de_tete_peut_etre_omis():
    assert cle_sans_article("Le Havre") == "havre"
    assert cle_sans_article("Les") == "les"


@given(st.text(max_size=60))
def test_la_cle_ne_contient_que_des_lettres_et_des_chiffres_ascii(texte):
    assert cle(texte).isascii()
    assert cle(texte) == "" or cle(texte).isalnum()


@given(st.text(max_size=60))
def test_la_cle_ignore_la_casse_et_les_espaces_autour(texte):
    assert cle(f"  {texte.upper()} ") == cle(texte.upper())
