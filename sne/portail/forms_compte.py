"""The forms of the applicant's account: login (the FAQ's four fields), asking for a code,
a new e-mail address, and the online modification, whose fields are the desks' own
(`sne.demandes.forms`: the same labels, checks and messages), in plain words for applicants."""

from django import forms
from dsfr.forms import DsfrBaseForm

from sne.demandes.forms.champs import ChampEmail, adresse_coherente, champ_date
from sne.demandes.forms.modification import champ_de_l_assistant
from sne.demandes.forms.sections import ContactEtSituation, RessourcesEtLogement, Souhaits

from .models import CodeTeledemandeur


def _numero():
    return forms.CharField(
        label="Numéro unique",
        max_length=40,
        help_text="18 caractères, par exemple 093112600001293BA1. Il figure sur votre "
        "attestation d'enregistrement.",
        error_messages={"required": "Indiquez votre numéro unique."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _date_naissance():
    return forms.DateField(
        label="Date de naissance",
        help_text="Celle du demandeur principal.",
        widget=champ_date(attrs={"autocomplete": "bday"}),
        error_messages={
            "required": "Indiquez votre date de naissance.",
            "invalid": "Indiquez une date valide, par exemple 15/06/1990.",
        },
    )


class ConnexionForm(DsfrBaseForm):
    """FAQ « Portail Grand Public »: numéro unique, date de naissance, the e-mail given at
    registration and the code télédemandeur, all four required."""

    numero = _numero()
    date_naissance = _date_naissance()
    email = forms.CharField(
        label="Adresse électronique",
        max_length=254,
        help_text="Celle que vous avez donnée en faisant votre demande.",
        error_messages={"required": "Indiquez votre adresse électronique."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Code télédemandeur",
        max_length=20,
        help_text="8 chiffres, reçus par courriel, SMS ou courrier.",
        error_messages={"required": "Indiquez votre code télédemandeur."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DemandeCodeForm(DsfrBaseForm):
    numero = _numero()
    date_naissance = _date_naissance()
    canal = forms.ChoiceField(
        label="Comment voulez-vous recevoir votre code ?",
        choices=[
            (CodeTeledemandeur.Canal.EMAIL, "Par courriel, à l'adresse connue pour ma demande"),
            (CodeTeledemandeur.Canal.SMS, "Par SMS, au numéro de mobile connu pour ma demande"),
            (CodeTeledemandeur.Canal.COURRIER, "Par courrier postal, à mon adresse"),
        ],
        initial=CodeTeledemandeur.Canal.EMAIL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez comment recevoir votre code."},
    )


class NouvelEmailForm(DsfrBaseForm):
    email = ChampEmail(
        label="Nouvelle adresse électronique",
        required=True,
        error_messages={"required": "Indiquez votre nouvelle adresse électronique."},
    )


class CoordonneesForm(DsfrBaseForm):
    """Phone and postal address (the e-mail changes with an activation link)."""

    telephone = ContactEtSituation.base_fields["telephone"]
    adresse_ligne1 = champ_de_l_assistant("adresse_ligne1", label="Adresse (numéro et rue)")
    adresse_ligne2 = champ_de_l_assistant("adresse_ligne2")
    code_postal = champ_de_l_assistant("code_postal")
    commune = champ_de_l_assistant("commune", label="Commune")

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees)
        return donnees


class SituationForm(DsfrBaseForm):
    situation_familiale = ContactEtSituation.base_fields["situation_familiale"]
    situation_professionnelle = ContactEtSituation.base_fields["situation_professionnelle"]
    employeur = ContactEtSituation.base_fields["employeur"]
    revenus_mensuels = champ_de_l_assistant("revenus_mensuels")


class RessourcesForm(RessourcesEtLogement):
    """The desks' resources and housing section, asked of the applicant."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deja_locataire_hlm"].label = "Êtes-vous déjà locataire d'un logement social ?"


class SouhaitsForm(Souhaits):
    """The desks' wishes section: communes (the first required), typologies, needs."""


class RenoncerForm(DsfrBaseForm):
    confirmation = forms.BooleanField(
        label="Je confirme que je renonce à ma demande de logement social.",
        error_messages={"required": "Cochez la case pour confirmer que vous renoncez."},
    )
