from django.urls import path

from . import views

app_name = "lots"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("<uuid:lot_id>/", views.lot, name="lot"),
    path("<uuid:lot_id>/attestations.pdf", views.attestations, name="attestations"),
]
