from django.urls import path

from config.routes import pages

from .views import (
    board,
    contacts,
    deadlines,
    ledger,
    network,
    notices,
    registrations,
    review,
    task_reports,
    todo,
    trainings,
    units,
)

app_name = "provinces"
SHEETS = ("import", "template", "export")  # a list kept in Excel: import, its template, export
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
    *pages("ledger/", ledger, "ledger", "list", "new", "edit", "delete", *SHEETS),
    path("evidence/<int:pk>/", ledger.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", ledger.evidence_delete, name="evidence_delete"),
    path("contacts/", contacts.contacts, name="contacts"),
    *pages("contacts/", contacts, "contacts", "import", "template"),
    # the service network
    *pages("network/", network, "network", "list", "new", "edit", "delete", *SHEETS),
    path("network/counts/", network.network_counts, name="network_counts"),
    # training classes
    *pages(
        "trainings/", trainings, "training", "list", "new", "detail", "edit", "delete", "export"
    ),
    *pages("trainings/roster/", trainings, "roster", "import", "template"),
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
    *pages("task-reports/", task_reports, "task_report", "list"),
    *pages("task-reports/", task_reports, "task_report_definition", "new", "edit"),
    path("task-reports/<int:pk>/", task_reports.task_report, name="task_report"),
    path(
        "task-reports/<int:pk>/export.xlsx",
        task_reports.task_report_export,
        name="task_report_export",
    ),
    path(
        "task-reports/submissions/<int:pk>/",
        task_reports.task_report_submission,
        name="task_report_submission",
    ),
    path(
        "task-reports/submissions/<int:pk>/<str:action>/",
        task_reports.task_report_action,
        name="task_report_action",
    ),
    *pages(
        "notices/",
        notices,
        "notice",
        "list",
        "new",
        "detail",
        "edit",
        "send",
        "chase",
        "reply",
        detail="notice",
    ),
    path(
        "notices/<int:pk>/receipts.xlsx",
        notices.notice_receipts_export,
        name="notice_receipts_export",
    ),
    path("notices/files/<int:pk>/", notices.notice_attachment, name="notice_attachment"),
    path("notices/reply-files/<int:pk>/", notices.notice_reply_file, name="notice_reply_file"),
    path("<str:code>/", units.province_detail, name="province_detail"),
]
