"""Words people read: Chinese labels with full-width colons, numbers that say something."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_new_ledger_entry_page_speaks_chinese_with_the_upload_limit(
    as_user, plan_2018, jiangxi_staff, settings
):
    settings.MAX_UPLOAD_SIZE = 15 * 1024 * 1024
    page = as_user(jiangxi_staff).get("/provinces/ledger/new/").content.decode()
    assert "Assignment" not in page and ">承担的任务：</label>" in page
    assert ">日期：</label>" in page and ":</label>" not in page  # full-width colons
    assert "单个文件不超过 15 MB" in page


def test_admin_names_the_login_protection_in_chinese(as_user, administrator):
    page = as_user(administrator).get("/admin/").content.decode()
    assert "登录保护" in page and "登录失败记录" in page
    assert "Axes" not in page and "Access attempts" not in page
