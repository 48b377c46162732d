from django.urls import path

from .views import (
    board,
    contacts,
    deadlines,
    ledger,
    network,
    registrations,
    review,
    todo,
    trainings,
    units,
)

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
    # the service network
    path("network/", network.network_list, name="network_list"),
    path("network/new/", network.network_edit, name="network_new"),
    path("network/<int:pk>/edit/", network.network_edit, name="network_edit"),
    path("network/<int:pk>/delete/", network.network_delete, name="network_delete"),
    path("network/import/", network.network_import, name="network_import"),
    path("network/template.xlsx", network.network_template_download, name="network_template"),
    path("network/export.xlsx", network.network_export, name="network_export"),
    path("network/counts/", network.network_counts, name="network_counts"),
    # training classes
    path("trainings/", trainings.training_list, name="training_list"),
    path("trainings/new/", trainings.training_edit, name="training_new"),
    path("trainings/<int:pk>/", trainings.training_detail, name="training_detail"),
    path("trainings/<int:pk>/edit/", trainings.training_edit, name="training_edit"),
    path("trainings/<int:pk>/delete/", trainings.training_delete, name="training_delete"),
    path("trainings/export.xlsx", trainings.training_export, name="training_export"),
    path("trainings/roster/import/", trainings.roster_import, name="roster_import"),
    path(
        "trainings/roster/template.xlsx", trainings.roster_template_download, name="roster_template"
    ),
    path(
        "training-materials/<int:pk>/",
        trainings.material_download,
        name="training_material_download",
    ),
    path(
        "training-materials/<int:pk>/delete/",
        trainings.material_delete,
        name="training_material_delete",
    ),
    path("<str:code>/", units.province_detail, name="province_detail"),
]
