"""A reusable form widget: type a commune, pick it from htmx suggestions.

The form field receives the INSEE code (hidden input); the visible text input queries
`referentiels:autocompletion` as the person types. Without JavaScript the text input still
submits, and `CommuneField` resolves the text with the same service as everything else.
"""

from django import forms
from django.urls import reverse

from .services import TROUVEE, resoudre_commune


class CommuneAutocompleteWidget(forms.TextInput):
    template_name = "referentiels/widgets/commune_autocomplete.html"

    def __init__(self, attrs=None, departement: str | None = None):
        super().__init__(attrs)
        self.departement = departement

    def value_from_datadict(self, data, files, name):
        # The INSEE code picked from the suggestions wins; otherwise the text as typed.
        return data.get(f"{name}_code") or data.get(name)

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        contexte["widget"].update(
            {
                "url": reverse("referentiels:autocompletion"),
                "departement": self.departement or "",
                "id_suggestions": f"{(attrs or {}).get('id', name)}-suggestions",
            }
        )
        return contexte


class CommuneField(forms.CharField):
    """A form field whose cleaned value is the commune's `FicheCommune`."""

    widget = CommuneAutocompleteWidget

    def __init__(self, *args, departement: str | None = None, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault(
            "help_text", "Nom de la commune, code postal ou code INSEE (ex. : St-Denis 93200)."
        )
        super().__init__(*args, **kwargs)
        self.departement = departement
        self.widget.departement = departement

    def clean(self, value):
        texte = super().clean(value)
        if not texte:
            return None
        resolution = resoudre_commune(texte, self.departement)
        if resolution.statut != TROUVEE:
            propositions = ", ".join(
                f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
            )
            message = resolution.message + (
                f" Propositions : {propositions}." if propositions else ""
            )
            raise forms.ValidationError(message, code=resolution.statut)
        return resolution.commune
