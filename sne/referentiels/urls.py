from django.urls import path

from . import views

app_name = "referentiels"

urlpatterns = [
    path("communes/", views.communes, name="communes"),
    path("communes/suggestions/", views.autocompletion, name="autocompletion"),
]
