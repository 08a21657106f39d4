"""The association a demande is made for (CERFA 14069; FAQ « bénéficiaire association »)."""

from datetime import date

from django import forms
from django.urls import reverse
from dsfr.forms import DsfrBaseForm

from sne.organisations.associations import TABLE_VIDE, rechercher_associations, table_renseignee
from sne.organisations.models import Association
from sne.referentiels.models import Departement
from sne.referentiels.normalisation import plier

from .champs import ChampCommune, champ_date


class AssociationWidget(forms.TextInput):
    """Type an association's name (or SIREN), pick it from the htmx suggestions of the
    département's table (`departement:recherche_associations`): the picked id goes in a hidden
    input `<name>_id`. Without JavaScript the text is submitted and resolved on the server."""

    template_name = "demandes/widgets/association.html"

    def __init__(self, attrs=None, departement: str = ""):
        super().__init__(attrs)
        self.departement = departement

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_id") or "", data.get(name) or ""]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return value[1] if len(value) > 1 else ""
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        identifiant = value[0] if isinstance(value, (list, tuple)) and value else ""
        contexte["widget"].update(
            {
                "url": reverse("departement:recherche_associations"),
                "departement": self.departement,
                "identifiant": identifiant if str(identifiant).isdigit() else "",
                "id_suggestions": f"{(attrs or {}).get('id', name)}-suggestions",
            }
        )
        return contexte


class ChampRechercheAssociation(forms.Field):
    """(id picked from the suggestions, text typed), both stripped; the form resolves them."""

    widget = AssociationWidget

    def to_python(self, value):
        if not isinstance(value, (list, tuple)):
            value = ["", value or ""]
        identifiant, saisie = [*value, "", ""][:2]
        identifiant = str(identifiant or "").strip()
        return [identifiant if identifiant.isdigit() else "", str(saisie or "").strip()[:200]]

    def validate(self, value):
        if self.required and not any(value):
            raise forms.ValidationError(self.error_messages["required"], code="required")


def date_creation_passee(valeur):
    if valeur and valeur > date.today():
        raise forms.ValidationError("La date de création ne peut pas être dans le futur.")
    return valeur


class EtapeAssociationForm(DsfrBaseForm):
    """The association a demande is made for (CERFA 14069), shown on the demandeur step when
    the beneficiary chosen at the first step is an association.

    FAQ « bénéficiaire association »: the desk searches the table of the département and picks
    the association; when that table is not yet filled in, or the association is not in it, the
    desk types its name — with its creation date and address, which the law requires for an
    association (the service checks them too). Field names are prefixed `association_`: the
    step's data is shared with `EtapeDemandeurForm`."""

    LIBRES = (
        "association_nom",
        "association_date_creation",
        "association_adresse_ligne1",
        "association_commune",
    )

    association_recherche = ChampRechercheAssociation(
        label="Association de la table du département",
        required=False,
        help_text="Nom ou SIREN : choisissez-la parmi les associations proposées.",
    )
    association_nom = forms.CharField(
        label="Nom de l'association",
        required=False,
        max_length=200,
        error_messages={"required": "Le nom de l'association est obligatoire."},
    )
    association_date_creation = forms.DateField(
        label="Date de création de l'association",
        required=False,
        widget=champ_date(),
        validators=[date_creation_passee],
        error_messages={"required": "La date de création de l'association est obligatoire."},
    )
    association_adresse_ligne1 = forms.CharField(
        label="Adresse de l'association (numéro et voie)",
        required=False,
        max_length=200,
        error_messages={"required": "L'adresse de l'association est obligatoire."},
    )
    association_commune = ChampCommune(
        label="Commune de l'association",
        required=False,
        error_messages={"required": "La commune de l'association est obligatoire."},
    )

    def __init__(self, *args, departement: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.departement = departement
        self.table = Departement.objects.filter(code=departement).first() if departement else None
        self.table_renseignee = bool(self.table and table_renseignee(self.table))
        self.message_table_vide = TABLE_VIDE
        if self.table_renseignee:
            self.fields["association_recherche"].widget.departement = departement
        else:
            # FAQ: no table yet in this département — the association is typed, all required.
            del self.fields["association_recherche"]
            for nom in self.LIBRES:
                self.fields[nom].required = True

    def _depuis_la_table(self, identifiant: str, saisie: str):
        """(association, None) or (None, the reason why the text designates none)."""
        actives = Association.objects.filter(departement=self.table, active=True)
        if identifiant:
            choisie = actives.filter(pk=identifiant).first()
            # A name edited after the pick (without JavaScript the hidden id stays): the text wins.
            if choisie and (not saisie or plier(saisie) == plier(choisie.nom)):
                return choisie, None
        if not saisie:
            return None, None
        trouvees = rechercher_associations(self.table, saisie, limite=0)
        exactes = [
            a
            for a in trouvees
            if plier(a.nom) == plier(saisie) or (a.siren and a.siren == saisie.replace(" ", ""))
        ]
        if len(exactes) == 1:
            return exactes[0], None
        if len(trouvees) == 1:
            return trouvees[0], None
        if not trouvees:
            return None, (
                f"Aucune association de la table du département {self.departement} ne "
                f"correspond à « {saisie} » : vérifiez l'orthographe ou cherchez par SIREN. Si "
                "elle n'est pas dans la table, saisissez-la ci-dessous."
            )
        noms = ", ".join(f"« {a.nom} »" for a in trouvees[:5])
        return None, (
            f"Plusieurs associations de la table correspondent à « {saisie} » ({noms}"
            f"{', …' if len(trouvees) > 5 else ''}) : précisez le nom ou choisissez-la dans la "
            "liste proposée."
        )

    def clean(self):
        donnees = super().clean()
        association, raison = None, None
        if self.table_renseignee:
            identifiant, saisie = donnees.get("association_recherche") or ["", ""]
            association, raison = self._depuis_la_table(identifiant, saisie)
        libre = any(
            donnees.get(nom) not in (None, "")
            or nom in self._errors
            or (self.data.get(nom) or "").strip()
            for nom in self.LIBRES
        )
        donnees["association"] = association
        donnees["association_libre"] = bool(libre and not association)
        if association:
            if libre:
                self.add_error(
                    "association_nom",
                    f"L'association « {association.nom} » de la table est déjà choisie : "
                    "laissez vides les champs de saisie libre, ou videz la recherche pour saisir "
                    "une autre association.",
                )
        elif libre:
            for nom in self.LIBRES:
                if nom not in self._errors and donnees.get(nom) in (None, ""):
                    self.add_error(nom, self.fields[nom].error_messages["required"])
        elif raison:
            self.add_error("association_recherche", raison)
        elif self.table_renseignee:
            self.add_error(
                "association_recherche",
                "Indiquez l'association bénéficiaire : cherchez-la dans la table du département "
                "ou, si elle n'y est pas, saisissez son nom, sa date de création et son adresse.",
            )
        return donnees
