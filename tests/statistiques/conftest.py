"""A small register whose figures were counted by hand (tests/statistiques)."""

from datetime import date

import pytest
from django.utils import timezone

from sne.attestations.models import ParametresDepartement
from sne.demandes import services as demandes
from sne.demandes.models import Demande
from sne.doublons.models import PaireDoublon
from sne.notifications.models import EvenementMessage, Message
from tests.attributions.fixtures import nouvelle_demande
from tests.factories import GuichetFactory, agent
from tests.outils import a_midi

VEILLE = date(2027, 3, 14)  # the day counted
JOUR = date(2027, 3, 15)  # the night after, when the snapshot is taken
SAINT_DENIS = {"communes": ["93066"]}


@pytest.fixture
def registre(horloge):
    """Paris (délai anormalement long of 24 months by arrêté) and Seine-Saint-Denis (none:
    the national 36 months); dates as the desks keyed them."""
    horloge.move_to(a_midi(date(2027, 2, 1)))
    guichet_75 = GuichetFactory(code="75BA1", departements=["75"])
    guichet_93 = GuichetFactory(code="93CO1", departements=["93"])
    agent_75, agent_93 = agent(guichet_75), agent(guichet_93)
    ParametresDepartement.objects.create(
        departement_id="75", delai_anormalement_long_mois=24, commission_mediation_adresse=""
    )
    # Filed on paper long ago, keyed in on 1 February 2027 (within the year: renewed since).
    a = nouvelle_demande(guichet_75, agent_75, 0, date_depot="2026-02-10")
    b = nouvelle_demande(
        guichet_75, agent_75, 1, date_depot="2026-09-01", souhaits={"communes": ["75113", "75120"]}
    )
    c = nouvelle_demande(
        guichet_93, agent_93, 2, departement="93", date_depot="2027-01-20", souhaits=SAINT_DENIS
    )
    # Older demandes, as a migration from the former system would have brought them.
    Demande.objects.filter(pk=a.pk).update(
        date_depot=date(2024, 12, 1), nombre_personnes=4, typologies=["T3", "T4"]
    )
    Demande.objects.filter(pk=b.pk).update(nombre_personnes=7, typologies=["T5"])
    Demande.objects.filter(pk=c.pk).update(date_depot=date(2023, 1, 5))

    horloge.move_to(a_midi(VEILLE))
    d = nouvelle_demande(guichet_75, agent_75, 3, date_depot="2027-03-14")
    e = nouvelle_demande(
        guichet_93, agent_93, 4, departement="93", date_depot="2027-03-10", souhaits=SAINT_DENIS
    )
    demandes.radier(e, "renonciation", par=agent_93, guichet=guichet_93)
    demandes.radier(c, "renonciation", par=agent_93, guichet=guichet_93)
    demandes.reactiver(Demande.objects.get(pk=c.pk), agent_93, guichet_93)
    # A pair of Paris confirmed as duplicates; a renewal notice of Seine-Saint-Denis sent, and
    # bounced twice the same day (it counts once).
    PaireDoublon.objects.create(
        demande_a=a,
        demande_b=b,
        departement_id="75",
        score=92,
        statut=PaireDoublon.Statut.DOUBLON_CONFIRME,
        decidee_par=agent_75,
        decidee_le=timezone.now(),
    )
    preavis = Message.objects.create(
        demande=c,
        departement_id="93",
        type=Message.Type.PREAVIS_RENOUVELLEMENT,
        canal=Message.Canal.EMAIL,
        statut=Message.Statut.ECHEC,
        cle=f"preavis-{c.pk}",
        date_avis=VEILLE,
        destinataire="demandeur@example.org",
    )
    for _ in range(2):
        EvenementMessage.objects.create(
            message=preavis,
            type=EvenementMessage.Type.REBOND,
            survenu_le=timezone.now(),
            source="fournisseur",
        )
    horloge.move_to(a_midi(JOUR))
    return a, b, c, d, e
