from django import forms
from dsfr.forms import DsfrBaseForm

from sne.comptes.models import Habilitation
from sne.referentiels.forms import ChampTelephone
from sne.referentiels.models import Commune, Departement
from sne.referentiels.services import TROUVEE, resoudre_commune
from sne.referentiels.widgets import CommuneField

from .models import Organisation, valider_siren


class RechercheGuichetsForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=100,
        help_text="Code, nom du guichet ou de l'organisation",
    )
    departement = forms.ModelChoiceField(
        label="Département",
        required=False,
        queryset=Departement.objects.none(),
        empty_label="Tous mes départements",
    )

    def __init__(self, *args, departements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].queryset = departements


class NouveauGuichetForm(DsfrBaseForm):
    organisation = forms.ModelChoiceField(
        label="Organisation existante",
        required=False,
        queryset=Organisation.objects.all(),
        empty_label="— Nouvelle organisation —",
    )
    organisation_nom = forms.CharField(
        label="Nom de la nouvelle organisation", required=False, max_length=200
    )
    organisation_type = forms.ChoiceField(
        label="Type d'organisation", required=False, choices=[("", "—"), *Organisation.Type.choices]
    )
    organisation_siren = forms.CharField(
        label="SIREN (facultatif)",
        required=False,
        max_length=11,
        help_text="9 chiffres, espaces acceptés. Ex. : 775 672 272",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label="Code du guichet",
        max_length=5,
        min_length=5,
        help_text="5 caractères (chiffres, majuscules), ex. : 93CO1",
    )
    nom = forms.CharField(label="Nom du guichet", max_length=200)
    email = forms.EmailField(label="E-mail du guichet", required=False)
    departements = forms.ModelMultipleChoiceField(
        label="Départements d'enregistrement",
        queryset=Departement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Le guichet n'enregistrera de demandes que sur ces départements.",
    )

    def __init__(self, *args, departements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departements"].queryset = departements

    def clean_organisation_siren(self):
        """Checked as typed, on its field (the model's own rule, spaces aside)."""
        siren = self.cleaned_data["organisation_siren"].replace(" ", "")
        if siren:
            valider_siren(siren)
        return siren

    def clean(self):
        donnees = super().clean()
        if not donnees.get("organisation"):
            for champ in ("organisation_nom", "organisation_type"):
                if not donnees.get(champ):
                    self.add_error(champ, "Obligatoire pour une nouvelle organisation.")
        return donnees


class PerimetreForm(DsfrBaseForm):
    departements_entiers = forms.ModelMultipleChoiceField(
        label="Départements entiers",
        required=False,
        queryset=Departement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    communes = forms.CharField(
        label="Communes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Une commune par ligne : nom (« St-Denis »), code postal ou code INSEE.",
    )

    def __init__(self, *args, departements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departements_entiers"].queryset = departements
        self.departements_possibles = departements

    def clean_communes(self):
        lignes = [
            ligne.strip() for ligne in self.cleaned_data["communes"].splitlines() if ligne.strip()
        ]
        codes, erreurs = [], []
        deps = {d.code for d in self.departements_possibles}
        for ligne in lignes:
            resolution = resoudre_commune(ligne)
            candidates = [c for c in resolution.candidats if c.commune.departement in deps]
            certaine = resolution.statut == TROUVEE and candidates
            if not candidates:
                # Not named so in these départements: the beginning of the name of one of their
                # communes (« St-Ouen » in the 93 is Saint-Ouen-sur-Seine), found département
                # by département.
                trouvees = 0
                for dep in sorted(deps):
                    sur_place = resoudre_commune(ligne, dep, approchants=False)
                    candidates += sur_place.candidats
                    trouvees += sur_place.statut == TROUVEE
                certaine = trouvees == 1 and len(candidates) == 1
            if certaine or (len(candidates) == 1 and candidates[0].score >= 95):
                codes.append(candidates[0].commune.code_insee)
            else:
                propositions = ", ".join(
                    f"{c.commune.nom} ({c.commune.code_insee})" for c in candidates[:4]
                )
                erreurs.append(
                    f"« {ligne} » : "
                    + (
                        f"précisez — {propositions}"
                        if propositions
                        else "aucune commune de vos départements"
                    )
                )
        if erreurs:
            raise forms.ValidationError(erreurs)
        return list(Commune.objects.filter(pk__in=codes))


class PointContactForm(DsfrBaseForm):
    libelle = forms.CharField(label="Libellé", max_length=200, help_text="Ex. : Accueil du public")
    adresse = forms.CharField(label="Adresse", max_length=300, required=False)
    commune = CommuneField(
        label="Commune", required=False, max_length=200, champ_code_postal="code_postal"
    )
    code_postal = forms.CharField(label="Code postal", max_length=5, required=False)
    horaires = forms.CharField(
        label="Horaires d'ouverture", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    telephone = ChampTelephone()
    email = forms.EmailField(label="E-mail", required=False)


class AjoutAgentForm(DsfrBaseForm):
    email = forms.CharField(label="Adresse e-mail personnelle", max_length=254)
    prenom = forms.CharField(label="Prénom", max_length=150)
    nom = forms.CharField(label="Nom", max_length=150)
    role = forms.ChoiceField(
        label="Rôle",
        choices=[
            (Habilitation.Role.SAISIE, Habilitation.Role.SAISIE.label),
            (Habilitation.Role.CONSULTATION, Habilitation.Role.CONSULTATION.label),
        ],
        widget=forms.RadioSelect,
    )


class ConventionForm(DsfrBaseForm):
    convention_signee_le = forms.DateField(
        label="Convention signée par le préfet le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fiche_collecte = forms.FileField(
        label="Fiche collecte reçue (PDF, CSV ou XLSX)",
        required=False,
        help_text="Taille maximale : 5 Mo.",
    )

    def clean_fiche_collecte(self):
        fichier = self.cleaned_data.get("fiche_collecte")
        if fichier and fichier.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 5 Mo.")
        if fichier and not fichier.name.lower().endswith((".pdf", ".csv", ".xlsx")):
            raise forms.ValidationError("Formats acceptés : PDF, CSV, XLSX.")
        return fichier


class NouveauJetonForm(DsfrBaseForm):
    libelle = forms.CharField(
        label="Libellé",
        max_length=100,
        help_text="Le système qui se servira du jeton, par exemple « Logiciel de gestion "
        "locative X, production ».",
    )
