from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Call, Criterion


@pytest.fixture
def call(plan_2018):
    now = timezone.now()
    c = Call.objects.create(
        plan=plan_2018,
        task=plan_2018.tasks.get(number=4),
        project_type="enterprise_pilot",
        title="试点申报",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=10),
        reviews_required=0,  # decisions here are about states; the minimum has its own tests
    )
    Criterion.objects.create(call=c, name="需求明确", weight=50)
    Criterion.objects.create(call=c, name="方案可行", weight=50)
    return c
