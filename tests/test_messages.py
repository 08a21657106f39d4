"""Messages read by a person end with one full stop, never two (« … (clé de contrôle).. »).

The cause was a whole message, with its stop, put inside a longer one that adds its own
(`sne.formulaires.sans_point_final`). This test reads every string of the source, and the
messages of the rules that such a report embeds."""

import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from sne.formulaires import sans_point_final
from sne.organisations.models import valider_siren

SNE = Path(__file__).resolve().parents[1] / "sne"
# Two stops ending a sentence (not an ellipsis « ... », not a path « ../ »).
DOUBLE_POINT = re.compile(r"(?<!\.)\.\s?\.(?=\s|$)")


def textes_du_code():
    for fichier in sorted(SNE.rglob("*.py")):
        if "migrations" in fichier.parts:
            continue
        arbre = ast.parse(fichier.read_text(encoding="utf-8"))
        for noeud in ast.walk(arbre):
            if isinstance(noeud, ast.JoinedStr):
                morceaux = [v.value if isinstance(v, ast.Constant) else "{}" for v in noeud.values]
                yield fichier, noeud.lineno, "".join(morceaux)
            elif isinstance(noeud, ast.Constant) and isinstance(noeud.value, str):
                yield fichier, noeud.lineno, noeud.value


def test_aucun_texte_du_code_ne_double_son_point_final():
    doubles = [
        f"{fichier.relative_to(SNE.parent)}:{ligne}: {texte[-60:]!r}"
        for fichier, ligne, texte in textes_du_code()
        if DOUBLE_POINT.search(texte)
    ]
    assert doubles == []


def test_aucun_gabarit_ne_double_son_point_final():
    doubles = [
        str(fichier.relative_to(SNE.parent))
        for fichier in SNE.rglob("templates/**/*")
        if fichier.is_file()
        and fichier.suffix in (".html", ".txt")
        and DOUBLE_POINT.search(re.sub(r"\{[{%].*?[%}]\}", "", fichier.read_text("utf-8")))
    ]
    assert doubles == []


@pytest.mark.parametrize(
    ("message", "partie"),
    [
        ("Le SIREN est invalide (clé de contrôle).", "Le SIREN est invalide (clé de contrôle)"),
        ("Nom manquant", "Nom manquant"),
        ("Voir la suite...", "Voir la suite..."),
    ],
)
def test_un_message_insere_dans_un_autre_perd_son_point_final(message, partie):
    assert sans_point_final(message) == partie


def test_le_message_du_siren_se_termine_par_un_seul_point():
    with pytest.raises(ValidationError) as erreur:
        valider_siren("123456789")
    (message,) = erreur.value.messages
    assert message.endswith(").") and not message.endswith("..")
