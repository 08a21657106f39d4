"""The modification of a demande by an agent."""

from django import forms

from .. import nomenclatures as n
from .champs import ChampCommune, ChampNir, adresse_coherente, champ_date
from .sections import ContactEtSituation, RessourcesEtLogement, Souhaits


class ModificationForm(ContactEtSituation, Souhaits, RessourcesEtLogement):
    """The main fields an agent updates: the demandeur's contact, address and situation, the
    household's size, resources, current housing, reasons and wishes."""

    adresse_ligne1 = forms.CharField(label="Adresse (numéro et voie)", max_length=200)
    adresse_ligne2 = forms.CharField(
        label="Complément d'adresse (facultatif)", required=False, max_length=200
    )
    code_postal = forms.CharField(
        label="Code postal (facultatif)",
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    commune = ChampCommune(label="Commune de résidence", champ_code_postal="code_postal")
    revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels du demandeur en euros (facultatif)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    piece_identite_type = forms.ChoiceField(
        label="Pièce d'identité", choices=n.PieceIdentite.choices, widget=forms.RadioSelect
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
    nir = ChampNir(help_text="Masqué ; laissez vide pour conserver le numéro enregistré.")
    nombre_personnes = forms.IntegerField(
        label="Nombre de personnes à loger", min_value=1, max_value=30
    )
    # The version read: a change made meanwhile by someone else is shown, never reverted.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees)
        return donnees
