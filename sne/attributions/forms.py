"""The landlords' desks' forms of the attributions: a dwelling, a CAL session and its members,
a candidate presented, a decision, the condition lifted, the applicant's refusal, the lease.
They only parse what was sent; every rule is the services' (`services.py`), whose refusals
land on the field they name (`sne.formulaires.erreur_sur_formulaire`)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from sne.demandes.forms.champs import ChampCommune
from sne.demandes.nomenclatures import Typologie

from .nomenclatures import (
    DecisionCAL,
    MotifIrrecevabilite,
    MotifNonAttribution,
    MotifRefusDemandeur,
    QualiteMembre,
    Reservataire,
)
from .services import MEMBRES_MAX

MESSAGE_DATE = "Saisissez une date valide (jj/mm/aaaa)."


def _choix(libelle_vide: str, nomenclature) -> list:
    return [("", libelle_vide), *nomenclature.choices]


class ChampDate(forms.DateField):
    """A date typed in the browser's date picker (ISO) or by hand (jj/mm/aaaa)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args, requis: str = "", **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(*args, **kwargs)
        self.error_messages["invalid"] = MESSAGE_DATE
        if requis:
            self.error_messages["required"] = requis


class ChoixDuBailleur(DsfrBaseForm):
    """A creation form starts with the choice of the landlord when the agent records for
    several (`bailleurs`: only those); for one landlord, no such field. The view maps the
    choice back to that landlord's desk (`acces.bureaux_de_saisie`)."""

    def __init__(self, *args, bailleurs=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(bailleurs) > 1:
            self.fields["bailleur"] = forms.ChoiceField(
                label="Bailleur",
                choices=[("", "Choisissez le bailleur"), *((str(b.pk), b.nom) for b in bailleurs)],
                error_messages={
                    "required": "Choisissez le bailleur.",
                    "invalid_choice": "Vous n'avez pas la saisie sur ce bailleur : "
                    "choisissez-en un de la liste.",
                },
            )
            self.order_fields(["bailleur"])


class LogementForm(ChoixDuBailleur):
    reference = forms.CharField(
        label="Référence du logement chez le bailleur",
        max_length=50,
        error_messages={"required": "Indiquez la référence du logement chez le bailleur."},
    )
    identifiant_rpls = forms.CharField(
        label="Identifiant RPLS (facultatif)",
        max_length=30,
        required=False,
        help_text="Son numéro au répertoire des logements locatifs sociaux, s'il est connu.",
    )
    adresse = forms.CharField(
        label="Adresse",
        max_length=300,
        error_messages={"required": "Indiquez l'adresse du logement."},
    )
    commune = ChampCommune(
        label="Commune",
        error_messages={"required": "Indiquez la commune du logement."},
    )
    typologie = forms.ChoiceField(
        label="Typologie",
        choices=_choix("Choisissez la typologie", Typologie),
        error_messages={
            "required": "Choisissez la typologie du logement.",
            "invalid_choice": "Cette typologie n'existe pas : choisissez-en une de la liste.",
        },
    )
    surface = forms.CharField(
        label="Surface habitable en m² (facultatif)", max_length=12, required=False
    )
    loyer = forms.CharField(
        label="Loyer mensuel hors charges (€)",
        max_length=12,
        error_messages={"required": "Indiquez le loyer mensuel hors charges."},
    )
    charges = forms.CharField(
        label="Charges mensuelles en € (facultatif)", max_length=12, required=False
    )
    etage = forms.CharField(
        label="Étage (facultatif)",
        max_length=4,
        required=False,
        help_text="0 : rez-de-chaussée ; -1 : rez-de-jardin.",
    )
    ascenseur = forms.BooleanField(label="L'immeuble a un ascenseur", required=False)
    accessible = forms.BooleanField(
        label="Accessible à une personne en fauteuil roulant", required=False
    )
    reservataire = forms.ChoiceField(
        label="Contingent",
        choices=list(Reservataire.choices),
        initial=Reservataire.AUCUN,
        error_messages={
            "required": "Choisissez le contingent du logement.",
            "invalid_choice": "Ce contingent n'existe pas : choisissez-en un de la liste.",
        },
    )

    def donnees(self) -> dict:
        """What `services.enregistrer_logement` reads (the commune by its code INSEE)."""
        donnees = dict(self.cleaned_data)
        donnees.pop("bailleur", None)  # the landlord is the desk's (`ChoixDuBailleur`)
        donnees["commune"] = donnees["commune"]["code"]
        return donnees


class FiltreLogementsForm(forms.Form):
    commune = forms.CharField(label="Commune ou code INSEE", max_length=100, required=False)
    typologie = forms.ChoiceField(
        label="Typologie", choices=_choix("Toutes", Typologie), required=False
    )


class SeanceForm(ChoixDuBailleur):
    date = ChampDate(label="Date de la séance", requis="Indiquez la date de la séance.")
    lieu = forms.CharField(label="Lieu (facultatif)", max_length=200, required=False)


class MembreForm(DsfrBaseForm):
    qualite = forms.ChoiceField(
        label="Qualité",
        choices=_choix("Choisissez la qualité", QualiteMembre),
        required=False,
        error_messages={
            "invalid_choice": "Cette qualité n'existe pas : choisissez-en une de la liste."
        },
    )
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)

    def clean(self):
        donnees = super().clean()
        if bool(donnees.get("qualite")) != bool(donnees.get("organisation")):
            raise forms.ValidationError(
                "Indiquez la qualité et l'organisation du membre, ou laissez la ligne vide."
            )
        return donnees


MembresFormSet = forms.formset_factory(
    MembreForm,
    extra=6,
    max_num=MEMBRES_MAX,
    absolute_max=MEMBRES_MAX,
    validate_max=True,
)


def membres_saisis(formset) -> list[tuple[str, str]]:
    return [
        (f.cleaned_data["qualite"], f.cleaned_data["organisation"])
        for f in formset.forms
        if f.cleaned_data.get("qualite")
    ]


class PresentationForm(DsfrBaseForm):
    logement = forms.ModelChoiceField(
        label="Logement",
        queryset=None,
        empty_label="Choisissez le logement",
        error_messages={
            "required": "Choisissez le logement examiné.",
            "invalid_choice": "Ce logement n'est pas l'un de ceux de votre bailleur.",
        },
    )
    numero = forms.CharField(
        label="Numéro unique de la demande",
        max_length=40,
        error_messages={"required": "Indiquez le numéro unique de la demande."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    rang = forms.CharField(
        label="Rang (facultatif)",
        max_length=12,
        required=False,
        help_text="Laissé vide : après le dernier candidat de ce logement.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, logements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logement"].queryset = logements


MOTIFS = [
    ("", "Sans motif (attributions)"),
    ("Non-attribution", list(MotifNonAttribution.choices)),
    ("Irrecevabilité", list(MotifIrrecevabilite.choices)),
]


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(
        label="Décision de la commission",
        choices=_choix("Choisissez la décision", DecisionCAL),
        error_messages={
            "required": "Choisissez la décision de la commission.",
            "invalid_choice": "Cette décision n'existe pas : choisissez-en une de la liste.",
        },
    )
    motif = forms.ChoiceField(
        label="Motif (non-attribution ou irrecevabilité)",
        choices=MOTIFS,
        required=False,
        error_messages={"invalid_choice": "Ce motif n'existe pas : choisissez-en un de la liste."},
    )
    precision = forms.CharField(
        label="Précision (obligatoire pour « Autre motif »)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    condition = forms.CharField(
        label="Pièce attendue (condition suspensive)",
        max_length=300,
        required=False,
    )
    condition_avant = ChampDate(label="À fournir avant le (condition suspensive)", required=False)


class ConditionForm(DsfrBaseForm):
    le = ChampDate(label="Condition levée le", requis="Indiquez la date de réception de la pièce.")


class BailForm(DsfrBaseForm):
    le = ChampDate(label="Bail signé le", requis="Indiquez la date de signature du bail.")


class RefusForm(DsfrBaseForm):
    motif = forms.ChoiceField(
        label="Motif du refus du demandeur",
        choices=_choix("Choisissez le motif", MotifRefusDemandeur),
        error_messages={
            "required": "Choisissez le motif du refus.",
            "invalid_choice": "Ce motif n'existe pas : choisissez-en un de la liste.",
        },
    )
    precision = forms.CharField(
        label="Précision (obligatoire pour « Autre motif »)",
        max_length=500,
        required=False,
    )
    le = ChampDate(label="Refusé le", requis="Indiquez la date du refus.")
