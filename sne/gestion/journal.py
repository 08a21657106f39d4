"""The audit log as a gestionnaire reads it: who consulted or changed what, for which desk."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from sne.audit.models import EvenementAudit
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import journal_visible_par
from sne.demandes.models import Demande
from sne.demandes.numero import normaliser


class FormulaireJournal(forms.Form):
    """Values are cut to what the columns hold rather than refused: a filter never errs."""

    def clean_utilisateur(self):
        return self.cleaned_data["utilisateur"][:254]

    def clean_guichet(self):
        return self.cleaned_data["guichet"].upper()[:5]

    def clean_demande(self):
        return self.cleaned_data["demande"][:30]


class FiltresJournal(django_filters.FilterSet):
    """`?utilisateur=` (part of the e-mail), `?guichet=` (code), `?action=`, `?demande=`
    (numéro unique as typed). An unknown action is ignored."""

    utilisateur = django_filters.CharFilter(
        field_name="utilisateur__email", lookup_expr="icontains"
    )
    guichet = django_filters.CharFilter(field_name="guichet__code")
    action = django_filters.ChoiceFilter(choices=EvenementAudit.Action.choices)
    demande = django_filters.CharFilter(method="filtrer_demande")

    class Meta:
        model = EvenementAudit
        fields = ["utilisateur", "guichet", "action", "demande"]
        form = FormulaireJournal

    def filtrer_demande(self, evenements, nom, numero):
        """The log of a demande: who consulted or changed it, for which desk, when."""
        pk = (
            Demande.objects.filter(numero_unique=normaliser(numero))
            .values_list("pk", flat=True)
            .first()
        )
        return evenements.filter(objet_type="demandes.demande", objet_id=str(pk))


@gestionnaire_requis
def journal(request):
    """The audit log a gestionnaire may read, filtered by person, desk, action and demande."""
    filtres = FiltresJournal(
        request.GET,
        queryset=journal_visible_par(request.user).select_related("utilisateur", "guichet"),
    )
    page = Paginator(filtres.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/journal.html",
        {
            "title": "Journal d'audit",
            "rubrique": "journal",
            "page": page,
            "evenements": page.object_list,
            "filtres": {nom: filtres.form.cleaned_data.get(nom, "") for nom in filtres.filters},
            "actions": EvenementAudit.Action.choices,
        },
    )
