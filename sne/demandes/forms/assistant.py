"""The steps of the registration wizard (CERFA 14069): only what the law requires to register
is marked required (CCH R441-2-1, R441-2-3); the service has the last word."""

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from sne.exceptions import ErreurMetier
from sne.formulaires import verifier

from .. import nomenclatures as n
from .. import regles
from ..models import Demande
from .champs import (
    CIVILITES,
    ChampCommune,
    ChampEmail,
    ChampNir,
    ChampTelephone,
    adresse_coherente,
    champ_date,
    choix,
    date_naissance_passee,
)
from .sections import ContactEtSituation, RessourcesEtLogement, Souhaits

MAX_PERSONNES_A_CHARGE = 10
LIMITE_JUSTIFICATION = 2000


class EtapeGuichetForm(DsfrBaseForm):
    guichet = forms.ChoiceField(label="Guichet enregistreur")
    departement = forms.ChoiceField(
        label="Département de la demande",
        help_text="Votre guichet n'enregistre de demandes que sur les départements où il est "
        "habilité.",
    )
    date_depot = forms.DateField(
        label="Date de dépôt (facultatif)",
        required=False,
        widget=champ_date(),
        help_text="Date de réception de la demande complète, avec la pièce d'identité. "
        "Aujourd'hui si vous la laissez vide.",
    )
    beneficiaire = forms.ChoiceField(
        label="Bénéficiaire de la demande",
        choices=Demande.Beneficiaire.choices,
        initial=Demande.Beneficiaire.MENAGE,
        widget=forms.RadioSelect,
        help_text="Une association (CERFA 14069) : vous l'indiquerez à l'étape suivante, avec "
        "la personne qui la représente.",
        error_messages={
            "required": "Indiquez si le bénéficiaire est un ménage ou une association."
        },
    )

    def __init__(self, *args, guichets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guichets = {str(g.pk): g for g in guichets}
        self.fields["guichet"].choices = [
            (str(g.pk), f"{g.code} — {g.nom}") for g in self.guichets.values()
        ]
        departements = {d.code: d for g in self.guichets.values() for d in g.departements.all()}
        self.fields["departement"].choices = [
            (code, f"{code} — {departements[code].nom}") for code in sorted(departements)
        ]
        if len(self.guichets) == 1:
            self.fields["guichet"].initial = next(iter(self.guichets))
        if len(departements) == 1:
            self.fields["departement"].initial = next(iter(departements))
        self.fields["date_depot"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date_depot(self):
        jour = self.cleaned_data.get("date_depot")
        verifier(regles.verifier_date_depot, jour)
        return jour

    def clean(self):
        donnees = super().clean()
        guichet = self.guichets.get(donnees.get("guichet") or "")
        code = donnees.get("departement")
        if guichet and code:
            try:
                regles.exiger_guichet_habilite(guichet, code)
            except ErreurMetier as e:
                self.add_error("departement", e.message)
        return donnees


class EtapeDemandeurForm(ContactEtSituation, DsfrBaseForm):
    # The CERFA's order, which the page follows: identity, identity document, address, contact,
    # situation. Without it the inherited contact fields would come first, in the summary of
    # the wizard and in the list of errors.
    field_order = [
        "civilite",
        "nom",
        "nom_naissance",
        "prenom",
        "date_naissance",
        "nationalite",
        "piece_identite_type",
        "piece_identite_numero",
        "piece_identite_expiration",
        "nir",
        "adresse_ligne1",
        "adresse_ligne2",
        "code_postal",
        "commune",
        "email",
        "telephone",
        "situation_familiale",
        "situation_professionnelle",
        "employeur",
        "revenus_mensuels",
    ]

    civilite = forms.ChoiceField(label="Civilité (facultatif)", required=False, choices=CIVILITES)
    nom = forms.CharField(label="Nom d'usage", max_length=100)
    nom_naissance = forms.CharField(
        label="Nom de naissance (facultatif)", required=False, max_length=100
    )
    prenom = forms.CharField(label="Prénom", max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance", widget=champ_date(), validators=[date_naissance_passee]
    )
    nationalite = forms.ChoiceField(
        label="Nationalité (facultatif)", required=False, choices=choix(n.Nationalite)
    )
    piece_identite_type = forms.ChoiceField(
        label="Pièce d'identité présentée",
        choices=n.PieceIdentite.choices,
        widget=forms.RadioSelect,
        help_text="Obligatoire pour enregistrer la demande. Une pièce périmée est acceptée dès "
        "lors que la photo est ressemblante.",
        error_messages={
            "required": "Une pièce d'identité est obligatoire : carte d'identité, passeport ou "
            "titre de séjour (une pièce périmée est acceptée)."
        },
    )
    piece_identite_numero = forms.CharField(
        label="Numéro de la pièce (facultatif)", required=False, max_length=50
    )
    piece_identite_expiration = forms.DateField(
        label="Date d'expiration de la pièce (facultatif)",
        required=False,
        widget=champ_date(),
        help_text="Une pièce périmée est acceptée.",
    )
    nir = ChampNir(
        help_text="15 caractères, clé comprise. Masqué à l'écran ; laissez vide pour conserver "
        "un numéro déjà saisi."
    )
    adresse_ligne1 = forms.CharField(
        label="Adresse (numéro et voie)",
        max_length=200,
        error_messages={"required": "L'adresse du demandeur (voie et commune) est obligatoire."},
    )
    adresse_ligne2 = forms.CharField(
        label="Complément d'adresse (facultatif)", required=False, max_length=200
    )
    code_postal = forms.CharField(
        label="Code postal (facultatif)",
        required=False,
        max_length=5,
        help_text="Déduit de la commune si vous le laissez vide.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    commune = ChampCommune(label="Commune de résidence", champ_code_postal="code_postal")
    revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels en euros (facultatif)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees)
        return donnees


class EtapeMenageForm(DsfrBaseForm):
    """The co-demandeur (optional): fields prefixed `co_`."""

    co_civilite = forms.ChoiceField(label="Civilité", required=False, choices=CIVILITES)
    co_nom = forms.CharField(label="Nom d'usage", required=False, max_length=100)
    co_prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    co_date_naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=champ_date(),
        validators=[date_naissance_passee],
        help_text="Permet de rechercher ses éventuelles autres demandes (doublons).",
    )
    co_lien = forms.ChoiceField(
        label="Lien avec le demandeur", required=False, choices=choix(n.LienCoDemandeur)
    )
    co_nationalite = forms.ChoiceField(
        label="Nationalité", required=False, choices=choix(n.Nationalite)
    )
    co_situation_professionnelle = forms.ChoiceField(
        label="Situation professionnelle",
        required=False,
        choices=choix(n.SituationProfessionnelle),
    )
    co_revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels en euros",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    co_email = ChampEmail(label="Adresse e-mail")
    co_telephone = ChampTelephone()

    def clean(self):
        donnees = super().clean()
        saisi = any(v not in (None, "") for v in donnees.values())
        if saisi:
            for champ, libelle in (("co_nom", "Le nom"), ("co_prenom", "Le prénom")):
                if not (donnees.get(champ) or "").strip():
                    self.add_error(
                        champ, f"{libelle} du co-demandeur est nécessaire si vous le déclarez."
                    )
        return donnees

    @property
    def a_co_demandeur(self) -> bool:
        return bool((self.cleaned_data.get("co_nom") or "").strip())


class PersonneAChargeForm(DsfrBaseForm):
    nom = forms.CharField(label="Nom", required=False, max_length=100)
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=champ_date(),
        validators=[date_naissance_passee],
    )
    lien = forms.ChoiceField(
        label="Lien avec le demandeur", required=False, choices=choix(n.LienParente)
    )

    def clean(self):
        donnees = super().clean()
        if any(v not in (None, "") for v in donnees.values()):
            for champ, libelle in (("nom", "Le nom"), ("prenom", "Le prénom")):
                if not (donnees.get(champ) or "").strip():
                    self.add_error(champ, f"{libelle} de la personne à charge est nécessaire.")
        return donnees


class EtapeRessourcesForm(RessourcesEtLogement):
    pass


class EtapeSouhaitsForm(Souhaits):
    pass


class EtapeDoublonsForm(DsfrBaseForm):
    justification = forms.CharField(
        label="Justification écrite pour forcer la création",
        required=False,
        max_length=LIMITE_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple : « la demande suspectée est celle d'un homonyme né le même "
        "jour, vérifié avec le gestionnaire ». Elle est conservée dans l'historique.",
    )

    MESSAGE = regles.MESSAGE_SUSPICION_DOUBLON

    def __init__(self, *args, exige: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exige = exige
        self.fields["justification"].required = exige
        self.fields["justification"].error_messages["required"] = self.MESSAGE

    def clean_justification(self):
        texte = (self.cleaned_data.get("justification") or "").strip()
        if self.exige and not texte:
            raise forms.ValidationError(self.MESSAGE)
        return texte
