from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("provinces", api.ProvinceViewSet, basename="province")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("registrations", api.RegistrationViewSet, basename="registration")
router.register("ledger-entries", api.LedgerEntryViewSet, basename="ledger-entry")
router.register("contacts", api.ContactViewSet, basename="contact")
router.register("board", api.BoardViewSet, basename="board")
router.register("cases", api.CaseViewSet, basename="case")
router.register("service-network", api.NetworkEntityViewSet, basename="service-network")
router.register("trainings", api.TrainingClassViewSet, basename="training")
router.register("task-reports", api.TaskReportDefinitionViewSet, basename="task-report")
router.register("task-report-submissions", api.TaskReportViewSet, basename="task-report-submission")
router.register("notices", api.NoticeViewSet, basename="notice")
urlpatterns = router.urls
