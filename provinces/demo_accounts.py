"""Demo accounts: one of each role, and staff of 江西, 河南 and 贵州 (so beside the units)."""

from __future__ import annotations

from accounts.models import Role, User

from .models import Province

DEMO_PASSWORD = "workplan-demo"

# username, display name (last, first), role, province short name or None
DEMO_USERS = [
    ("admin", ("系统", "管理员"), Role.ADMINISTRATOR, None),
    ("hq", ("张", "晓东"), Role.HQ_REVIEWER, None),
    ("hq2", ("余", "文婷"), Role.HQ_REVIEWER, None),
    ("jiangxi", ("李", "江"), Role.PROVINCE_STAFF, "江西"),
    ("henan", ("王", "豫"), Role.PROVINCE_STAFF, "河南"),
    ("guizhou", ("陈", "黔"), Role.PROVINCE_STAFF, "贵州"),
    ("shaanxi", ("赵", "秦"), Role.PROVINCE_STAFF, "陕西"),
    ("expert", ("刘", "专家"), Role.EXPERT, "北京"),
    ("expert2", ("孙", "评审"), Role.EXPERT, "江西"),
]


def seed(log) -> list[tuple[str, str]]:
    """Create or refresh the demo users; returns (username, role label) pairs."""
    provinces = {p.short_name: p for p in Province.objects.all()}
    created = []
    for username, (last, first), role, province in DEMO_USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "province": provinces.get(province) if province else None},
        )
        user.last_name, user.first_name = last, first
        user.role = role
        user.province = provinces.get(province) if province else None
        user.email = f"{username}@example.cn"
        user.is_staff = role == Role.ADMINISTRATOR
        user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        created.append((username, user.get_role_display()))
    log(f"演示账户 {len(created)} 个，密码均为 {DEMO_PASSWORD}")
    return created
