from django import forms
from dsfr.forms import DsfrBaseForm

from .telephones import TelephoneInvalide, normaliser_telephone, telephone_lisible
from .widgets import CommuneField


class ChampTelephone(forms.CharField):
    """A telephone number, cleaned into E.164 (`telephones.normaliser_telephone`) and shown
    back as one reads it (« 06 12 34 56 78 »): the one phone field of every form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Téléphone")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "help_text", "Exemples : 06 12 34 56 78, 0262 12 34 56, +44 20 7946 0958."
        )
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return telephone_lisible(value) if isinstance(value, str) else value

    def clean(self, value):
        valeur = super().clean(value)
        try:
            return normaliser_telephone(valeur)
        except TelephoneInvalide as e:
            raise forms.ValidationError(e.message, code=e.code) from e


class RechercheCommuneForm(DsfrBaseForm):
    commune = CommuneField(
        label="Commune",
        max_length=200,
        help_text="Nom (même abrégé : « St-Denis », « Havre (Le) »), arrondissement "
        "(« Paris 20e »), code postal, code INSEE ou adresse CEDEX (« 75913 Paris CEDEX 13 »).",
    )
    departement = forms.ChoiceField(label="Département (facultatif)", required=False)

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Tous les départements")] + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]
