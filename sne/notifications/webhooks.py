"""The e-mail provider's delivery events (django-anymail's `tracking` signal), recorded on the
message they concern: delivered, bounced, refused, opened.

Anymail receives them at /anymail/<fournisseur>/tracking/ and checks the shared secret
(`ANYMAIL["WEBHOOK_SECRET"]`, HTTP basic auth, and the provider's signature where it signs)
before sending the signal: a request without it is refused, and nothing is recorded.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from . import services
from .models import EvenementMessage

# Anymail's normalised event types → ours (the others are ignored: queued, deferred…).
EVENEMENTS = {
    "delivered": EvenementMessage.Type.REMIS,
    "bounced": EvenementMessage.Type.REBOND,
    "rejected": EvenementMessage.Type.REBOND,
    "failed": EvenementMessage.Type.REBOND,
    "complained": EvenementMessage.Type.REBOND,
    "opened": EvenementMessage.Type.OUVERT,
}
RAISONS = {
    "invalid": "Adresse e-mail inexistante",
    "bounced": "Adresse e-mail refusée par la messagerie du destinataire",
    "blocked": "Message bloqué par la messagerie du destinataire",
    "spam": "Message classé comme indésirable",
    "timed_out": "Messagerie du destinataire injoignable",
}


@receiver(tracking, dispatch_uid="evenement_de_distribution")
def evenement_de_distribution(sender, event, esp_name, **kwargs) -> None:
    type_ = EVENEMENTS.get(event.event_type)
    if type_ is None:
        return
    details = {"evenement": event.event_type}
    if event.reject_reason:
        details["raison"] = RAISONS.get(event.reject_reason, event.reject_reason)
    if event.description:
        details["description"] = str(event.description)[:200]
    services.enregistrer_evenement_fournisseur(
        event.message_id or "",
        type_,
        le=event.timestamp,
        fournisseur=esp_name,
        details=details,
    )
