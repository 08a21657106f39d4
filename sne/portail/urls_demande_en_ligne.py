from django.urls import path

from . import vues_demande_en_ligne as v

urlpatterns = [
    path("", v.commencer, name="demande_en_ligne"),
]
