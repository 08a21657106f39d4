"""Forms of the départements' pages: associations, file of contacts, requests of desks."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .models import DemandeAuGestionnaire


def choix_departements(departements, vide: str | None = None) -> list[tuple[str, str]]:
    choix = [(d.code, f"{d.code} — {d.nom}") for d in departements]
    return [("", vide), *choix] if vide else choix


class ChoixDepartementForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département")

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = choix_departements(
            departements, "Choisissez un département"
        )


class RechercheAssociationForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher une association",
        help_text="Tout ou partie du nom, ou le SIREN.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class AssociationForm(DsfrBaseForm):
    nom = forms.CharField(label="Nom de l'association", max_length=200)
    siren = forms.CharField(
        label="SIREN (facultatif)",
        help_text="9 chiffres, espaces acceptés. Ex. : 775 672 272",
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    adresse = forms.CharField(label="Adresse (facultatif)", required=False, max_length=300)
    date_creation = forms.DateField(
        label="Date de création (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ImportAssociationsForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Fichier CSV",
        help_text=(
            "Une association par ligne : nom;siren;adresse (séparateur point-virgule, SIREN et "
            "adresse facultatifs, ligne d'en-tête facultative). Taille maximale : 2 Mo."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > 2 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 2 Mo : découpez-le.")
        return fichier


class FiltreDemandesForm(DsfrBaseForm):
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *DemandeAuGestionnaire.Statut.choices],
    )


class ReponseDemandeForm(DsfrBaseForm):
    reponse = forms.CharField(
        label="Votre réponse",
        help_text=(
            "Elle est envoyée par e-mail à l'auteur de la demande et visible par son guichet."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class NouvelleDemandeForm(DsfrBaseForm):
    guichet = forms.TypedChoiceField(label="Guichet", coerce=int)
    departement = forms.ChoiceField(
        label="Département concerné",
        required=False,
        help_text="Votre demande est adressée au gestionnaire territorial de ce département.",
    )
    objet = forms.ChoiceField(label="Objet", choices=DemandeAuGestionnaire.Objet.choices)
    message = forms.CharField(
        label="Votre demande",
        help_text=(
            "Ex. : « Une suspicion de doublon porte sur une demande que je ne vois pas : "
            "pouvez-vous élargir le périmètre de consultation de mon guichet à tout le "
            "département ? »"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )

    def __init__(self, *args, guichets=(), **kwargs):
        super().__init__(*args, **kwargs)
        guichets = list(guichets)
        self.fields["guichet"].choices = [(g.pk, f"{g.code} — {g.nom}") for g in guichets]
        departements = {d.code: d for g in guichets for d in g.departements.all()}
        self.fields["departement"].choices = choix_departements(
            [departements[c] for c in sorted(departements)],
            "Le premier département d'habilitation du guichet",
        )
        if len(guichets) == 1:
            self.fields["guichet"].initial = guichets[0].pk
            if len(departements) == 1:
                self.fields["departement"].widget = forms.HiddenInput()
