"""The forms of applying online that the desk's wizard does not have: the e-mail address that
opens the draft, the département (the portal is the desk), the identity document's file.

The CERFA's own steps are the desk's forms (`sne.demandes.forms.assistant`), with the labels
and help below, written for the applicant (`LIBELLES`): the validation is theirs."""

from django import forms
from dsfr.forms import DsfrBaseForm

from sne.referentiels.models import Departement


class AdresseEmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Votre adresse e-mail",
        max_length=254,
        help_text="Format attendu : nom@exemple.fr. Nous vous envoyons un lien pour ouvrir "
        "votre demande.",
        error_messages={
            "required": "Indiquez votre adresse e-mail.",
            "invalid": "Cette adresse e-mail n'est pas valide. Format attendu : nom@exemple.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class DepartementForm(DsfrBaseForm):
    departement = forms.ChoiceField(
        label="Dans quel département cherchez-vous un logement ?",
        help_text="Une seule demande suffit pour tout le département. En Île-de-France, vous "
        "pourrez aussi choisir des communes des autres départements de la région.",
        error_messages={
            "required": "Choisissez le département où vous cherchez un logement.",
            "invalid_choice": "Choisissez un département dans la liste.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", "Choisissez un département")] + [
            (d.code, f"{d.code} — {d.nom}")
            for d in Departement.objects.filter(date_fermeture=None).order_by("code")
        ]


class PieceIdentiteForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Photo ou scan de votre pièce d'identité",
        help_text="Carte d'identité, passeport ou titre de séjour, même périmé. Format PDF, "
        "JPEG ou PNG, 10 Mo au plus.",
        error_messages={
            "required": "Choisissez le fichier de votre pièce d'identité.",
            "empty": "Le fichier est vide. Choisissez la photo ou le scan de votre pièce "
            "d'identité.",
            "invalid": "Aucun fichier n'a été reçu. Choisissez à nouveau votre fichier.",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        ),
    )

    def __init__(self, *args, deja_envoyee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A file already kept: continuing without a new one keeps it.
        self.fields["fichier"].required = not deja_envoyee
        # Its content is checked by the service (`sne.pieces.controles.examiner`).
