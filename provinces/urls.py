from django.urls import path

from . import views

app_name = "provinces"
urlpatterns = [
    path("", views.province_list, name="province_list"),
    path("todo/", views.todo, name="todo"),
    path("<str:code>/", views.province_detail, name="province_detail"),
]
