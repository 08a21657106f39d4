"""The fields and widgets shared by the demande's forms: communes, e-mail, telephone (the
referentials' `ChampTelephone`, also used by the desks' contact points), NIR, dates, choices."""

import re

from django import forms
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from sne.formulaires import verifier
from sne.referentiels.forms import ChampTelephone as ChampTelephone  # one field for all forms
from sne.referentiels.index import index_communes
from sne.referentiels.services import TROUVEE
from sne.referentiels.widgets import CommuneAutocompleteWidget, CommuneField

from .. import nomenclatures as n
from .. import regles
from ..schemas import valider_email, valider_nir

CODE_INSEE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")


def choix(enumeration, vide: str = "—", exclure=()) -> list[tuple[str, str]]:
    return [("", vide), *((v, lib) for v, lib in enumeration.choices if v not in exclure)]


def champ_date(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


CIVILITES = choix(n.Civilite, exclure=(n.Civilite.MADEMOISELLE,))


# The DSFR widgets (not homemade subclasses): their class name is what makes django-dsfr render
# a group with its fieldset and legend, as screen readers need (RGAA).
CasesEnLigne = InlineCheckboxSelectMultiple
BoutonsRadioEnLigne = InlineRadioSelect


# --- Commune fields --------------------------------------------------------------------------


def libelle_commune(code_insee: str) -> str:
    """« Saint-Denis (93200) »: what the autocomplete puts in the text input."""
    fiche = index_communes().fiches.get(code_insee)
    if fiche is None:
        return code_insee
    cp = fiche.code_postal_principal
    return f"{fiche.nom} ({cp})" if cp else fiche.nom


class CommuneWidget(CommuneAutocompleteWidget):
    """The referentials' autocomplete, which also shows a commune already chosen (a form
    displayed again keeps the INSEE code in the hidden input and the name in the text one)."""

    template_name = "demandes/widgets/commune.html"

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        valeur = contexte["widget"]["value"] or ""
        code, libelle = "", valeur
        if CODE_INSEE.match(valeur) and valeur in index_communes().fiches:
            code, libelle = valeur, libelle_commune(valeur)
        contexte["widget"].update({"code": code, "libelle": libelle})
        return contexte


class ChampCommune(CommuneField):
    """A commune, cleaned into a small dict {code, nom, departement, code_postal}: JSON-ready
    for the wizard's draft, and keeping the postal code the resolution chose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommuneWidget)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        texte = forms.CharField.clean(self, value)
        if not texte:
            return None
        resolution = self.resoudre(texte)
        if resolution.statut != TROUVEE:
            propositions = ", ".join(
                f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
            )
            raise forms.ValidationError(
                resolution.message + (f" Propositions : {propositions}." if propositions else ""),
                code=resolution.statut,
            )
        fiche = resolution.commune
        return {
            "code": fiche.code_insee,
            "nom": fiche.nom,
            "departement": fiche.departement,
            "code_postal": resolution.code_postal or fiche.code_postal_principal or "",
            "codes_postaux": list(fiche.codes_postaux),
        }


def adresse_coherente(form, cleaned, prefixe: str = "") -> None:
    """The postal code, when typed, must be one of the commune's; else it is taken from it.
    `prefixe` names another address of the form (`co_commune`, `employeur_commune`)."""
    commune = cleaned.get(f"{prefixe}commune")
    if not commune:
        return
    code_postal = (cleaned.get(f"{prefixe}code_postal") or "").strip()
    if code_postal and code_postal not in commune["codes_postaux"]:
        form.add_error(
            f"{prefixe}code_postal",
            f"Le code postal {code_postal} n'est pas celui de {commune['nom']} "
            f"({', '.join(commune['codes_postaux'])}).",
        )
    elif not code_postal:
        cleaned[f"{prefixe}code_postal"] = commune["code_postal"]


class ChampEmail(forms.CharField):
    """Any valid address (the legacy « 19@17.3 » format of the FAQ is not a limit here)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Adresse e-mail")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        valeur = super().clean(value)
        try:
            return valider_email(valeur)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


class ChampNir(forms.CharField):
    """The NIR is typed in a masked input and never displayed in clear afterwards."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Numéro de sécurité sociale (facultatif)")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 21)
        kwargs.setdefault(
            "widget",
            forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "off", "inputmode": "numeric"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        valeur = super().clean(value)
        try:
            return valider_nir(valeur)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


def date_naissance_passee(valeur):
    verifier(regles.verifier_date_naissance, valeur)
    return valeur
