"""The desks' forms of the dossier unique: add pièces, refuse one, replace one. They only parse
what was sent; the rules (type, person of the household, content of the file, motif) are the
services' (`services.py`), whose refusals land on the field they name
(`sne.formulaires.erreur_sur_formulaire`)."""

from django import forms
from dsfr.forms import DsfrBaseForm

from .nomenclatures import CATEGORIES, MOTIFS_DU_GUICHET

TOUT_LE_MENAGE = "menage"
FICHIERS_MAX = 20


class FichiersMultiples(forms.ClearableFileInput):
    allow_multiple_selected = True


class ChampFichiers(forms.FileField):
    """One or several files (`<input type="file" multiple>`), each an `UploadedFile`."""

    widget = FichiersMultiples

    def clean(self, data, initial=None):
        fichiers = data if isinstance(data, list | tuple) else [data] if data else []
        fichiers = [f for f in fichiers if f]
        if not fichiers:
            raise forms.ValidationError(
                "Choisissez au moins un fichier (PDF, JPEG ou PNG).", code="required"
            )
        if len(fichiers) > FICHIERS_MAX:
            raise forms.ValidationError(
                f"Envoyez au plus {FICHIERS_MAX} fichiers à la fois.", code="trop_de_fichiers"
            )
        return fichiers


def choix_des_types():
    """The types of the national list, grouped by the arrêté's headings."""
    return [("", "Choisissez le type de pièce")] + [
        (categorie, [(t.value, t.label) for t in types]) for categorie, types in CATEGORIES.items()
    ]


def choix_des_personnes(demande):
    return [(TOUT_LE_MENAGE, "Tout le ménage")] + [
        (str(p.pk), f"{p.prenom} {p.nom.upper()} ({p.get_role_display().lower()})")
        for p in demande.personnes.all()
    ]


class AjoutPieceForm(DsfrBaseForm):
    type = forms.ChoiceField(label="Type de pièce", choices=())
    personne = forms.ChoiceField(
        label="Personne concernée",
        choices=(),
        help_text="La personne du ménage que la pièce concerne, ou tout le ménage.",
    )
    fichiers = ChampFichiers(
        label="Fichiers",
        help_text="Un ou plusieurs fichiers PDF, JPEG ou PNG, chacun devient une pièce.",
    )

    def __init__(self, *args, demande, taille_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.demande = demande
        self.fields["type"].choices = choix_des_types()
        self.fields["personne"].choices = choix_des_personnes(demande)
        # Most pièces are the demandeur's (identity, tax notice): chosen unless changed.
        if demande.demandeur is not None:
            self.fields["personne"].initial = str(demande.demandeur.pk)
        self.fields["fichiers"].help_text = (
            f"Un ou plusieurs fichiers PDF, JPEG ou PNG de {taille_max // 1_048_576} Mo au plus "
            "chacun : chaque fichier devient une pièce."
        )
        self.fields["fichiers"].widget.attrs.update(
            {"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        )

    def personne_choisie(self):
        """The `Personne` chosen, or None for the whole household."""
        valeur = self.cleaned_data["personne"]
        if valeur == TOUT_LE_MENAGE:
            return None
        return next(p for p in self.demande.personnes.all() if str(p.pk) == valeur)


class RefusPieceForm(DsfrBaseForm):
    motif = forms.ChoiceField(
        label="Motif du refus",
        choices=[("", "Choisissez un motif")] + [(m.value, m.label) for m in MOTIFS_DU_GUICHET],
        error_messages={
            "required": "Choisissez le motif du refus.",
            "invalid_choice": "Ce motif n'existe pas : choisissez un motif de la liste.",
        },
    )
    precision = forms.CharField(
        label="Précision (obligatoire pour « Autre motif »)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RemplacementPieceForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Nouveau fichier",
        error_messages={"required": "Choisissez le nouveau fichier (PDF, JPEG ou PNG)."},
    )

    def __init__(self, *args, taille_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = (
            f"PDF, JPEG ou PNG, {taille_max // 1_048_576} Mo au plus. L'ancienne pièce reste "
            "dans l'historique, marquée « remplacée »."
        )
        self.fields["fichier"].widget.attrs.update(
            {"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        )
