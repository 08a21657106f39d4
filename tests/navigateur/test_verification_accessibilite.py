"""The axe-core check that every browser test runs does refuse a serious violation: without
this, a walk that « passes » on every page could be checking nothing."""

import pytest

from tests.navigateur.accessibilite import ViolationsAccessibilite, verifier_accessibilite

pytestmark = pytest.mark.navigateur

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Essai</title></head>
<body><main><h1>Essai</h1>
<form><label for="nom">Nom</label><input id="nom" name="nom">{defaut}</form>
</main></body></html>"""


@pytest.fixture
def onglet(navigateur):
    contexte = navigateur.new_context(locale="fr-FR")
    try:
        yield contexte.new_page()
    finally:
        contexte.close()


def test_une_page_sans_defaut_passe(onglet):
    onglet.set_content(PAGE.format(defaut=""))

    verifier_accessibilite(onglet)


def test_un_champ_sans_etiquette_est_refuse_et_designe(onglet):
    onglet.set_content(PAGE.format(defaut='<input name="date_naissance">'))

    with pytest.raises(ViolationsAccessibilite) as erreur:
        verifier_accessibilite(onglet)

    assert "[critical] label" in str(erreur.value)
    assert 'name="date_naissance"' in str(erreur.value)
