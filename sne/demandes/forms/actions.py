"""The actions on a demande that need more than a confirmation: radiation, réactivation."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .. import nomenclatures as n
from .champs import champ_date, choix


class RadiationForm(DsfrBaseForm):
    motif = forms.ChoiceField(
        label="Motif de radiation", choices=choix(n.MotifRadiation, vide="Choisissez un motif")
    )
    sous_motif = forms.ChoiceField(
        label="Sous-motif d'irrecevabilité",
        required=False,
        choices=choix(n.SousMotifIrrecevabilite, vide="Choisissez un sous-motif"),
        help_text="Uniquement pour une irrecevabilité décidée par la CAL. Pour une pièce "
        "d'identité falsifiée, choisissez le sous-motif prévu à cet effet.",
    )
    date_avertissement = forms.DateField(
        label="Date du courrier recommandé d'avertissement",
        required=False,
        widget=champ_date(),
        help_text="Pour une irrecevabilité ou une impossibilité de contacter le demandeur : la "
        "radiation n'est possible qu'un mois après ce courrier.",
    )
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReactivationForm(DsfrBaseForm):
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : radiation par erreur, le demandeur a bien renouvelé.",
    )
