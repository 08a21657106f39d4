"""The modification of a demande by an agent: the same fields as the registration steps (the
demandeur's step, the co-demandeur and personnes à charge of the household step, resources,
wishes), reused rather than copied, so that the rules are the same; plus what a modification
adds: removing a person, the version read, a justification when the duplicate search finds
something."""

from django import forms
from django.forms import formset_factory

from .. import regles
from .assistant import (
    MAX_PERSONNES_A_CHARGE,
    EtapeDemandeurForm,
    EtapeMenageForm,
    PersonneAChargeForm,
)
from .sections import RessourcesEtLogement, Souhaits


class ModificationForm(EtapeDemandeurForm, Souhaits, RessourcesEtLogement):
    """The demandeur (identity, identity document, contact, address, situation), resources,
    current housing, reasons and wishes. The household size is not here: it is derived from
    the people."""

    retirer_co_demandeur = forms.BooleanField(
        label="Retirer le co-demandeur de la demande", required=False
    )
    justification_doublon = forms.CharField(
        label="Justification écrite pour enregistrer malgré la suspicion de doublon",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : « homonyme né le même jour, vérifié avec le gestionnaire ». "
        "Elle est conservée dans l'historique.",
    )
    # The version read: a change made meanwhile by someone else is shown, never reverted.
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=regles.IDENTIFIANT_MAX
    )

    def __init__(self, *args, association: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if association:
            # An association's representative may have been registered without a birth date.
            self.fields["date_naissance"].required = False
            self.fields["date_naissance"].label = "Date de naissance (facultatif)"


class CoDemandeurForm(EtapeMenageForm):
    """The co-demandeur, as in the household step (fields `co_…`), with the birth name."""

    co_nom_naissance = forms.CharField(label="Nom de naissance", required=False, max_length=100)


class PersonneAChargeModificationForm(PersonneAChargeForm):
    """A line of the personnes à charge: an existing person (`id`) or a new one (no `id`)."""

    id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=regles.IDENTIFIANT_MAX
    )
    retirer = forms.BooleanField(label="Retirer cette personne de la demande", required=False)

    def clean(self):
        if self.cleaned_data.get("retirer") and self.cleaned_data.get("id"):
            return self.cleaned_data  # leaving: what the line holds no longer matters
        return super().clean()


def formset_personnes_a_charge(data, initial: list[dict], lignes_en_plus: int = 0):
    """The personnes à charge already there, plus `lignes_en_plus` empty lines (« Ajouter une
    personne à charge », without JavaScript)."""
    classe = formset_factory(
        PersonneAChargeModificationForm,
        extra=lignes_en_plus,
        max_num=MAX_PERSONNES_A_CHARGE,
        absolute_max=MAX_PERSONNES_A_CHARGE,
        validate_max=True,
    )
    return classe(data, initial=initial, prefix="personnes")
