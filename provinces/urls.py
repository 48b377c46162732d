from django.urls import path

from . import views, views_deadlines, views_ledger, views_registration

app_name = "provinces"
urlpatterns = [
    path("", views.province_list, name="province_list"),
    path("todo/", views.todo, name="todo"),
    path("deadlines/", views_deadlines.my_deadlines, name="my_deadlines"),
    path("deadlines/<int:pk>/report/", views_deadlines.deadline_report, name="deadline_report"),
    path("board/", views_registration.board, name="board"),
    path("review/", views_registration.review_queue, name="review_queue"),
    path("assignments/<int:pk>/", views_registration.registration, name="registration"),
    path("assignments/<int:pk>/take-up/", views_registration.take_up, name="take_up"),
    path("milestones/<int:pk>/done/", views_registration.milestone_done, name="milestone_done"),
    path(
        "assignments/<int:pk>/<str:action>/",
        views_registration.registration_action,
        name="registration_action",
    ),
    path("ledger/", views_ledger.ledger_list, name="ledger_list"),
    path("ledger/new/", views_ledger.ledger_edit, name="ledger_new"),
    path("ledger/<int:pk>/edit/", views_ledger.ledger_edit, name="ledger_edit"),
    path("ledger/<int:pk>/delete/", views_ledger.ledger_delete, name="ledger_delete"),
    path("ledger/import/", views_ledger.ledger_import, name="ledger_import"),
    path("ledger/template.xlsx", views_ledger.ledger_template_download, name="ledger_template"),
    path("ledger/export.xlsx", views_ledger.ledger_export, name="ledger_export"),
    path("evidence/<int:pk>/", views_ledger.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views_ledger.evidence_delete, name="evidence_delete"),
    path("contacts/", views_ledger.contacts, name="contacts"),
    path(
        "contacts/import/",
        views_ledger.ledger_import,
        {"kind": "contacts"},
        name="contacts_import",
    ),
    path(
        "contacts/template.xlsx", views_ledger.contacts_template_download, name="contacts_template"
    ),
    path("<str:code>/", views.province_detail, name="province_detail"),
]
