from django.urls import path

from . import views

app_name = "courriers"

urlpatterns = [
    path("", views.courriers, name="liste"),
    path("courriers.pdf", views.courriers_pdf, name="pdf"),
    path("imprimes/", views.marquer_imprimes, name="imprimes"),
]
