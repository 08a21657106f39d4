"""Parts of the demande shared by the registration steps and the modification form."""

from django import forms
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from sne.exceptions import ErreurMetier

from .. import nomenclatures as n
from .. import regles
from .champs import (
    BoutonsRadioEnLigne,
    CasesEnLigne,
    ChampCommune,
    ChampEmail,
    ChampTelephone,
    choix,
)

COMMUNES_AFFICHEES = 3  # wished communes shown at first; « Ajouter une commune » adds more
OUI_NON = [("oui", "Oui"), ("non", "Non")]


class ContactEtSituation(forms.Form):
    """The demandeur's contact and situation, the same in the registration step and in the
    modification form."""

    email = ChampEmail(label="Adresse e-mail (facultatif)")
    telephone = ChampTelephone(label="Téléphone (facultatif)")
    situation_familiale = forms.ChoiceField(
        label="Situation familiale (facultatif)",
        required=False,
        choices=choix(n.SituationFamiliale),
    )
    situation_professionnelle = forms.ChoiceField(
        label="Situation professionnelle (facultatif)",
        required=False,
        choices=choix(n.SituationProfessionnelle),
    )
    employeur = forms.CharField(label="Employeur (facultatif)", required=False, max_length=200)


class RessourcesEtLogement(DsfrBaseForm):
    deja_locataire_hlm = forms.ChoiceField(
        label="Le demandeur est-il déjà locataire d'un logement social (HLM) ?",
        choices=OUI_NON,
        widget=BoutonsRadioEnLigne,
        error_messages={
            "required": "Indiquez si le demandeur est déjà locataire d'un logement social."
        },
    )
    logement_actuel = forms.ChoiceField(
        label="Logement actuel (facultatif)", required=False, choices=choix(n.LogementActuel)
    )
    loyer_actuel = forms.DecimalField(
        label="Loyer actuel en euros par mois (facultatif)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    nombre_pieces_actuel = forms.IntegerField(
        label="Nombre de pièces du logement actuel (facultatif)",
        required=False,
        min_value=0,
        max_value=30,
    )
    bailleur_actuel = forms.CharField(
        label="Bailleur actuel (facultatif)", required=False, max_length=200
    )
    revenu_fiscal_reference = forms.IntegerField(
        label="Revenu fiscal de référence du ménage en euros (facultatif)",
        required=False,
        min_value=0,
        max_value=regles.REVENU_FISCAL_MAX,
    )
    annee_revenus = forms.IntegerField(
        label="Année de ces revenus (facultatif)",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="Celle de l'avis d'imposition, par exemple les revenus de l'avant-dernière "
        "année.",
    )
    motifs = forms.MultipleChoiceField(
        label="Motifs de la demande (facultatif)",
        required=False,
        choices=n.MotifDemande.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    motif_precision = forms.CharField(
        label="Précision du motif « autre » (facultatif)", required=False, max_length=300
    )


class Souhaits(DsfrBaseForm):
    """Wished communes `commune_1` … `commune_<n>` (8 at most, the first required),
    typologies and needs."""

    typologies = forms.MultipleChoiceField(
        label="Typologies souhaitées (facultatif)",
        required=False,
        choices=n.Typologie.choices,
        widget=CasesEnLigne,
    )
    categorie_logement = forms.ChoiceField(
        label="Type de logement (facultatif)",
        required=False,
        choices=choix(n.CategorieLogement, vide="Sans préférence"),
    )
    ascenseur_necessaire = forms.BooleanField(label="Ascenseur nécessaire", required=False)
    rez_de_chaussee = forms.BooleanField(label="Rez-de-chaussée souhaité", required=False)
    logement_adapte_handicap = forms.BooleanField(
        label="Logement adapté au handicap nécessaire", required=False
    )
    precisions_handicap = forms.CharField(
        label="Précisions sur le handicap (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, departement: str = "", nb_communes: int = COMMUNES_AFFICHEES, **kw):
        super().__init__(*args, **kw)
        self.departement = departement
        self.nb_communes = max(1, min(nb_communes, regles.LIMITE_COMMUNES_SOUHAITEES))
        # In Île-de-France a demande may wish communes of the whole region.
        restreint = departement if len(regles.departements_souhaitables(departement)) == 1 else None
        champs = {}
        for i in range(1, self.nb_communes + 1):
            champ = ChampCommune(
                label=f"Commune souhaitée n° {i}" + ("" if i == 1 else " (facultatif)"),
                required=i == 1,
                departement=restreint,
                help_text="Nom, code postal ou code INSEE."
                if i > 1
                else "Au moins une commune. Nom, code postal ou code INSEE.",
                error_messages={
                    "required": "Indiquez au moins une commune souhaitée dans le département."
                },
            )
            champs[f"commune_{i}"] = champ
        self.fields = {**champs, **self.fields}
        for nom in champs:
            dsfr_input_class_attr(self[nom])

    @property
    def noms_communes(self) -> list[str]:
        return [f"commune_{i}" for i in range(1, self.nb_communes + 1)]

    @property
    def champs_communes(self):
        return [self[nom] for nom in self.noms_communes]

    def clean(self):
        donnees = super().clean()
        vues, communes = set(), []
        for nom in self.noms_communes:
            commune = donnees.get(nom)
            if not commune:
                continue
            try:
                if self.departement:
                    regles.verifier_commune_souhaitee(
                        commune["nom"], commune["code"], commune["departement"], self.departement
                    )
            except ErreurMetier as e:
                self.add_error(nom, e.message)
                continue
            if commune["code"] in vues:
                self.add_error(nom, f"{commune['nom']} est déjà dans la liste.")
            else:
                vues.add(commune["code"])
                communes.append({**commune, "champ": nom})
        donnees["communes"] = communes
        return donnees
