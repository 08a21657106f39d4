"""A desk registers demandes only once its set-up is finalised (issue 9).

Desks that existed before this rule and may already register demandes:
- a desk not finalised yet that has a convention date and an address for its attestations
  (its main contact point's, else its organisation's) is considered finalised today: it
  had what the set-up is for, and stopping it would stop registrations at its counters;
  its agents were already invited by the import of the fiche collecte;
- any other desk not finalised stays « Paramétrage à terminer »: its gestionnaire finalises it
  (and its agents who never activated their account are then invited);
- a desk marked finalised without a convention date (never made by `finaliser_parametrage`,
  which required it) goes back to « à terminer »: the database now refuses that state.
"""

from django.db import migrations, models
from django.utils import timezone


def _a_une_adresse(guichet) -> bool:
    """`Guichet.adresse_postale` at the time of this migration (historical models have no
    methods)."""
    adresses = guichet.contacts.values_list("adresse", flat=True)
    return any(a.strip() for a in adresses) or bool(guichet.organisation.adresse.strip())


def finaliser_les_guichets_deja_en_service(apps, schema_editor):
    Guichet = apps.get_model("organisations", "Guichet")
    Guichet.objects.filter(
        parametrage_termine_le__isnull=False, convention_signee_le__isnull=True
    ).update(parametrage_termine_le=None)
    maintenant = timezone.now()
    a_terminer = Guichet.objects.filter(
        parametrage_termine_le__isnull=True, convention_signee_le__isnull=False
    ).select_related("organisation")
    for guichet in a_terminer:
        if _a_une_adresse(guichet):
            guichet.parametrage_termine_le = maintenant
            guichet.save(update_fields=["parametrage_termine_le"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("referentiels", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(finaliser_les_guichets_deja_en_service, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="guichet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("parametrage_termine_le__isnull", True),
                    ("convention_signee_le__isnull", False),
                    _connector="OR",
                ),
                name="guichet_parametre_a_une_convention",
                violation_error_message=(
                    "Un guichet ne peut être paramétré sans la date de signature de sa "
                    "convention."
                ),
            ),
        ),
    ]
