from django.urls import path

from .views import board, contacts, deadlines, ledger, registrations, review, todo, units

app_name = "provinces"
urlpatterns = [
    path("", units.province_list, name="province_list"),
    path("todo/", todo.todo, name="todo"),
    path("deadlines/", deadlines.my_deadlines, name="my_deadlines"),
    path("deadlines/<int:pk>/report/", deadlines.deadline_report, name="deadline_report"),
    path("board/", board.board, name="board"),
    path("review/", review.review_queue, name="review_queue"),
    path("assignments/<int:pk>/", registrations.registration, name="registration"),
    path("assignments/<int:pk>/take-up/", registrations.take_up, name="take_up"),
    path("milestones/<int:pk>/done/", registrations.milestone_done, name="milestone_done"),
    path(
        "assignments/<int:pk>/<str:action>/",
        registrations.registration_action,
        name="registration_action",
    ),
    path("ledger/", ledger.ledger_list, name="ledger_list"),
    path("ledger/new/", ledger.ledger_edit, name="ledger_new"),
    path("ledger/<int:pk>/edit/", ledger.ledger_edit, name="ledger_edit"),
    path("ledger/<int:pk>/delete/", ledger.ledger_delete, name="ledger_delete"),
    path("ledger/import/", ledger.ledger_import, name="ledger_import"),
    path("ledger/template.xlsx", ledger.ledger_template_download, name="ledger_template"),
    path("ledger/export.xlsx", ledger.ledger_export, name="ledger_export"),
    path("evidence/<int:pk>/", ledger.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", ledger.evidence_delete, name="evidence_delete"),
    path("contacts/", contacts.contacts, name="contacts"),
    path("contacts/import/", contacts.contacts_import, name="contacts_import"),
    path("contacts/template.xlsx", contacts.contacts_template_download, name="contacts_template"),
    path("<str:code>/", units.province_detail, name="province_detail"),
]
