"""The search of a demande: by its numéro unique, or by the demandeur's name and birth date."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .champs import champ_date


class RechercheNumeroForm(DsfrBaseForm):
    numero = forms.CharField(
        label="Numéro unique",
        max_length=40,
        help_text="18 caractères, par exemple 075 01 26 000123 75BA1 : espaces et minuscules "
        "sont acceptés.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RecherchePersonneForm(DsfrBaseForm):
    nom = forms.CharField(
        label="Nom",
        required=False,
        max_length=100,
        help_text="Nom d'usage ou de naissance, ou son début ; accents et majuscules indifférents.",
    )
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    date_naissance = forms.DateField(label="Date de naissance", required=False, widget=champ_date())

    def clean(self):
        donnees = super().clean()
        if not (donnees.get("nom") or "").strip() and not donnees.get("date_naissance"):
            raise forms.ValidationError(
                "Indiquez au moins le nom ou la date de naissance du demandeur."
            )
        return donnees
