"""The import preview: every sentence that matters, those not understood in red, mapped by hand."""

from __future__ import annotations

import pytest

from planning.models import Plan, Target

pytestmark = pytest.mark.django_db

URL = "/plans/import/"
UNCLEAR = ("举办至少2期专利信息利用培训班", "举办2期专利信息利用培训班")
SENTENCE = "围绕专利质量提升工程，举办2期专利信息利用培训班。"


@pytest.fixture
def admin_client(administrator, as_user):
    return as_user(administrator)


def preview(client, text: str):
    response = client.post(URL, {"text": text})
    assert response.status_code == 200
    return response.content.decode()


def test_preview_lists_each_sentence_and_what_it_became(admin_client, notice_text):
    page = preview(admin_client, notice_text)
    assert 'id="sentences"' in page
    assert "我局将于年底组织开展项目验收。" in page
    assert "时间节点：2018-06-20" in page
    assert "量化指标：每年不少于 2 期" in page
    assert "任务承担：承担重点项目的基地" in page
    assert "工作支持：我局的安排" in page  # task 8's "举办2期" is HQ's own, and says so
    assert 'class="error unclear"' not in page
    assert Plan.objects.count() == 0


def test_a_sentence_not_understood_is_red_with_a_form_to_map_it(admin_client, notice_text):
    page = preview(admin_client, notice_text.replace(*UNCLEAR))
    assert 'class="error unclear"' in page
    assert SENTENCE in page
    assert "未能理解" in page
    assert 'name="s0-as_"' in page and 'name="s0-due_date"' in page


def test_confirm_without_a_decision_saves_nothing(admin_client, notice_text):
    preview(admin_client, notice_text.replace(*UNCLEAR))
    response = admin_client.post(URL, {"confirm": "1"})
    assert response.status_code == 200
    assert "请为这一句作出选择" in response.content.decode()
    assert Plan.objects.count() == 0


def test_a_bad_mapping_is_refused_and_saves_nothing(admin_client, notice_text):
    preview(admin_client, notice_text.replace(*UNCLEAR))
    response = admin_client.post(
        URL,
        {
            "confirm": "1",
            "s0-as_": "target",
            "s0-task": "1",
            "s0-item": "9",
            "s0-minimum": "2",
            "s0-unit": "期",
            "s0-period": "year",
        },
    )
    assert "任务（一）没有工作内容（9）" in response.content.decode()
    assert Plan.objects.count() == 0


def test_mapped_by_hand_the_plan_is_saved_and_records_the_mapping(admin_client, notice_text):
    preview(admin_client, notice_text.replace(*UNCLEAR))
    response = admin_client.post(
        URL,
        {
            "confirm": "1",
            "s0-as_": "target",
            "s0-task": "1",
            "s0-item": "2",
            "s0-minimum": "2",
            "s0-unit": "期",
            "s0-period": "quarter",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get(year=2018)
    target = Target.objects.get(task__plan=plan)
    assert (target.item.number, target.minimum, target.period) == (2, 2, "quarter")
    assert plan.hand_mappings[0]["sentence"] == SENTENCE
    assert plan.hand_mappings[0]["as"] == "target"
    # Previewed again, the recorded decision is shown, not asked for again.
    page = preview(admin_client, notice_text.replace(*UNCLEAR))
    assert "手工指定" in page and 'class="error unclear"' not in page


def test_set_aside_is_a_decision_too(admin_client, notice_text):
    preview(admin_client, notice_text.replace(*UNCLEAR))
    response = admin_client.post(URL, {"confirm": "1", "s0-as_": "none", "s0-period": "year"})
    assert response.status_code == 302
    plan = Plan.objects.get(year=2018)
    assert not Target.objects.filter(task__plan=plan).exists()
    assert plan.hand_mappings == [
        {
            "sentence": SENTENCE,
            "as": "none",
            "task": None,
            "item": None,
            "due_date": None,
            "minimum": None,
            "unit": "",
            "period": "year",
            "provinces": [],
        }
    ]


def test_a_refusal_quotes_the_sentence_and_names_the_task(admin_client, notice_text):
    page = preview(admin_client, notice_text.replace("由贵州、甘肃", "由贵州、火星、甘肃"))
    assert "任务（五）" in page and "火星" in page
    assert "由贵州、火星、甘肃、青海" in page
    assert 'id="preview"' not in page
    assert Plan.objects.count() == 0
