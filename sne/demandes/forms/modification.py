"""The modification of a demande by an agent: the same fields as the registration steps (the
demandeur's step with the association it may represent, the co-demandeur and personnes à charge
of the household step, resources, wishes), reused rather than copied, so that the rules are the
same; plus what a modification adds: what the wizard does not ask but the CERFA holds and the
service accepts (the co-demandeur's identity document, NIR, own address and employer, the
employer's address, the DALO status), removing a person, the version read, a justification
when the duplicate search finds something."""

import copy

from django import forms
from django.forms import formset_factory

from sne.referentiels.normalisation import plier

from .. import nomenclatures as n
from .. import regles
from .assistant import (
    MAX_PERSONNES_A_CHARGE,
    EtapeDemandeurForm,
    EtapeMenageForm,
    PersonneAChargeForm,
)
from .association import EtapeAssociationForm
from .champs import adresse_coherente, choix
from .sections import RessourcesEtLogement, Souhaits

# The wizard's fields that the modification page does not offer, and why. A test checks that
# every other field of the wizard is on the page: a field added to the wizard is not forgotten.
CHAMPS_DE_L_ASSISTANT_NON_MODIFIABLES = {
    "guichet": "le guichet enregistreur ne change pas : il a attribué le numéro unique",
    "departement": "le département fait partie du numéro unique : une demande dans un autre "
    "département est une autre demande",
    "date_depot": "la date de dépôt fait l'ancienneté du demandeur : elle ne se modifie jamais",
    "beneficiaire": "un ménage ou une association : changer le bénéficiaire change le titulaire "
    "de la demande, c'est une autre demande à enregistrer",
    "justification": "devient « justification_doublon », demandée seulement quand la recherche "
    "de doublons relancée trouve une demande",
}


def _champ_copie(formulaire, nom: str, **attributs) -> forms.Field:
    """A field of another form, with its label, widget, messages and checks; `attributs`
    change what differs here (`required`, `label`, `help_text`…)."""
    champ = copy.deepcopy(formulaire.base_fields[nom])
    for attribut, valeur in attributs.items():
        setattr(champ, attribut, valeur)
    champ.widget.is_required = champ.required
    return champ


def champ_de_l_assistant(nom: str, **attributs) -> forms.Field:
    """A field of the wizard's demandeur step (`EtapeDemandeurForm`), adjusted by `attributs`."""
    return _champ_copie(EtapeDemandeurForm, nom, **attributs)


class AdresseEmployeur(forms.Form):
    """The employer's address (CERFA 14069, « adresse de l'employeur »): the wizard does not ask
    it, the API and the modification do."""

    employeur_adresse = forms.CharField(
        label="Adresse de l'employeur (facultatif)", required=False, max_length=300
    )
    employeur_code_postal = champ_de_l_assistant(
        "code_postal", label="Code postal de l'employeur (facultatif)"
    )
    employeur_commune = champ_de_l_assistant(
        "commune",
        label="Commune de l'employeur (facultatif)",
        required=False,
        champ_code_postal="employeur_code_postal",
    )

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees, prefixe="employeur_")
        return donnees


class ModificationForm(EtapeDemandeurForm, AdresseEmployeur, Souhaits, RessourcesEtLogement):
    """The demandeur (identity, identity document, contact, address, situation, employer's
    address), resources, current housing, reasons, wishes and the DALO status. The household
    size is not here: it is derived from the people."""

    statut_dalo = forms.ChoiceField(
        label="Droit au logement opposable (DALO)",
        choices=n.StatutDalo.choices,
        initial=n.StatutDalo.NON,
        help_text="« Reconnu prioritaire DALO » après la décision favorable de la commission "
        "de médiation.",
        error_messages={"required": "Indiquez le statut DALO du demandeur (« Non » sinon)."},
    )

    courrier_postal_souhaite = forms.BooleanField(
        label="Le demandeur souhaite recevoir aussi ses courriers par la poste",
        required=False,
        help_text="Préavis de renouvellement et courriers : par la poste en plus de l'e-mail "
        "(CCH R441-2-7).",
    )
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
    """The co-demandeur, as in the household step (fields `co_…`), with what the CERFA asks of
    them too and the wizard leaves to later: birth name, identity document, NIR, own address
    (when it is not the demandeur's), employer. Fields of the demandeur's step, all optional
    here: the identity document is required of the demandeur only (CCH R441-2-3)."""

    co_nom_naissance = forms.CharField(label="Nom de naissance", required=False, max_length=100)
    co_piece_identite_type = forms.ChoiceField(
        label="Pièce d'identité présentée (facultatif)",
        required=False,
        choices=choix(n.PieceIdentite, vide="Non renseignée"),
        help_text="Elle sera obligatoire si le couple se sépare (sa propre demande).",
    )
    co_piece_identite_numero = champ_de_l_assistant("piece_identite_numero")
    co_piece_identite_expiration = champ_de_l_assistant("piece_identite_expiration")
    co_nir = champ_de_l_assistant("nir")
    co_adresse_ligne1 = champ_de_l_assistant(
        "adresse_ligne1",
        label="Adresse (numéro et voie) (facultatif)",
        required=False,
        help_text="Seulement si elle diffère de celle du demandeur.",
    )
    co_adresse_ligne2 = champ_de_l_assistant("adresse_ligne2")
    co_code_postal = champ_de_l_assistant("code_postal")
    co_commune = champ_de_l_assistant(
        "commune",
        label="Commune (facultatif)",
        required=False,
        champ_code_postal="co_code_postal",
    )
    co_employeur = champ_de_l_assistant("employeur")
    co_employeur_adresse = _champ_copie(AdresseEmployeur, "employeur_adresse")
    co_employeur_code_postal = _champ_copie(AdresseEmployeur, "employeur_code_postal")
    co_employeur_commune = _champ_copie(
        AdresseEmployeur, "employeur_commune", champ_code_postal="co_employeur_code_postal"
    )

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees, prefixe="co_")
        adresse_coherente(self, donnees, prefixe="co_employeur_")
        sans_commune = not donnees.get("co_commune") and "co_commune" not in self.errors
        if (donnees.get("co_adresse_ligne1") or "").strip() and sans_commune:
            self.add_error("co_commune", "Indiquez la commune de cette adresse.")
        return donnees


class AssociationModificationForm(EtapeAssociationForm):
    """The wizard's association step. The association the demande was registered for stays a
    valid choice even if the table has since deactivated it: the demande is still modifiable
    without changing its beneficiary."""

    def __init__(self, *args, actuelle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actuelle = actuelle
        if actuelle is not None and not self.table_renseignee:
            # No active association left in the table: the search keeps the current one.
            self.fields["association_recherche"] = copy.deepcopy(
                EtapeAssociationForm.base_fields["association_recherche"]
            )
            self.fields["association_recherche"].widget.departement = self.departement
            for nom in self.LIBRES:
                self.fields[nom].required = False
            self.table_renseignee = True

    def _depuis_la_table(self, identifiant: str, saisie: str):
        a = self.actuelle
        if a is not None and identifiant == str(a.pk) and plier(saisie or a.nom) == plier(a.nom):
            return a, None
        return super()._depuis_la_table(identifiant, saisie)


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
