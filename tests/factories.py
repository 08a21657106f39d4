"""Factories with realistic French data (factory-boy + Faker fr_FR)."""

from datetime import timedelta

import factory
from django.utils import timezone
from faker import Faker

from sne.comptes.models import Habilitation, Utilisateur
from sne.organisations.models import Guichet, Organisation, PointContact
from sne.referentiels.models import Departement

faker = Faker("fr_FR")


def siren_fictif(n: int) -> str:
    """A valid (Luhn) SIREN in the 9998xxxxx range, which INSEE does not attribute."""
    base = f"9998{n % 10000:04d}"
    for chiffre in "0123456789":
        candidat = base + chiffre
        total = 0
        for i, c in enumerate(reversed(candidat)):
            m = int(c) * (2 if i % 2 else 1)
            total += m - 9 if m > 9 else m
        if total % 10 == 0:
            return candidat
    raise AssertionError("unreachable")


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        django_get_or_create = ("email",)

    prenom = factory.Faker("first_name", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"agent{n}@bailleur-{n % 7}.fr")
    password = factory.django.Password("mot de passe de test")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    nom = factory.Faker("company", locale="fr_FR")
    type = Organisation.Type.BAILLEUR
    siren = factory.Sequence(siren_fictif)
    adresse = factory.LazyFunction(
        lambda: f"{faker.street_address()}\n{faker.postcode()} {faker.city()}"
    )


class GuichetFactory(factory.django.DjangoModelFactory):
    """`GuichetFactory(departements=["93"], communes=["93066"])`: habilitated on 93, consulting
    only Saint-Denis. Without `communes`, it consults its whole départements.

    Its set-up is finalised (convention, fiche collecte, address of its organisation, e-mail):
    it registers demandes. `GuichetFactory(a_parametrer=True)`: a desk just created, whose
    convention, fiche collecte and set-up are still to come (it registers nothing)."""

    class Meta:
        model = Guichet
        skip_postgeneration_save = True

    class Params:
        a_parametrer = factory.Trait(
            convention_signee_le=None, fiche_collecte_recue_le=None, parametrage_termine_le=None
        )

    code = factory.Sequence(lambda n: f"T{n:04d}"[-5:].upper())
    nom = factory.LazyAttribute(lambda o: f"Agence {faker.city()}")
    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"guichet{n}@bailleur.fr")
    convention_signee_le = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    fiche_collecte_recue_le = factory.LazyFunction(
        lambda: timezone.localdate() - timedelta(days=45)
    )
    parametrage_termine_le = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))

    @factory.post_generation
    def departements(self, create, valeurs, **kwargs):
        codes = valeurs or ["93"]
        deps = list(Departement.objects.filter(code__in=codes))
        self.departements.set(deps)
        if not kwargs.get("sans_consultation"):
            self.consultation_departements.set(deps)

    @factory.post_generation
    def communes(self, create, valeurs, **kwargs):
        if valeurs:
            self.consultation_departements.clear()
            self.consultation_communes.set(valeurs)


class PointContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PointContact

    guichet = factory.SubFactory(GuichetFactory)
    libelle = "Accueil du public"
    adresse = factory.Faker("street_address", locale="fr_FR")
    horaires = "Lundi au vendredi, 9 h – 17 h"
    telephone = "+33123456789"  # stored in E.164 (sne.referentiels.telephones)
    email = factory.Sequence(lambda n: f"accueil{n}@bailleur.fr")


def habiliter(utilisateur=None, role="saisie", guichet=None, departement=None) -> Utilisateur:
    """A user with one habilitation (created directly: tests of `habiliter()` use the service)."""
    utilisateur = utilisateur or UtilisateurFactory()
    Habilitation.objects.create(
        utilisateur=utilisateur,
        role=role,
        guichet=guichet,
        departement=Departement.objects.get(code=departement) if departement else None,
    )
    return utilisateur


def agent(guichet, role="saisie", **champs) -> Utilisateur:
    return habiliter(UtilisateurFactory(**champs), role, guichet=guichet)


def gestionnaire(departement="93", **champs) -> Utilisateur:
    return habiliter(UtilisateurFactory(**champs), "gestionnaire", departement=departement)


def national(**champs) -> Utilisateur:
    return habiliter(UtilisateurFactory(**champs), "national")
