from django import forms
from dsfr.forms import DsfrBaseForm

from .widgets import CommuneField


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
