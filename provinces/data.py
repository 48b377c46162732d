"""The 32 executing units: GB/T 2260 codes, full and short names, region.

新疆生产建设兵团 has no GB/T 2260 code of its own; 660000 is the code national
statistical systems use for it.
"""

from __future__ import annotations

# (code, full name, short name, region, western)
UNITS: list[tuple[str, str, str, str, bool]] = [
    ("110000", "北京市", "北京", "north", False),
    ("120000", "天津市", "天津", "north", False),
    ("130000", "河北省", "河北", "north", False),
    ("140000", "山西省", "山西", "north", False),
    ("150000", "内蒙古自治区", "内蒙古", "north", True),
    ("210000", "辽宁省", "辽宁", "northeast", False),
    ("220000", "吉林省", "吉林", "northeast", False),
    ("230000", "黑龙江省", "黑龙江", "northeast", False),
    ("310000", "上海市", "上海", "east", False),
    ("320000", "江苏省", "江苏", "east", False),
    ("330000", "浙江省", "浙江", "east", False),
    ("340000", "安徽省", "安徽", "east", False),
    ("350000", "福建省", "福建", "east", False),
    ("360000", "江西省", "江西", "east", False),
    ("370000", "山东省", "山东", "east", False),
    ("410000", "河南省", "河南", "central", False),
    ("420000", "湖北省", "湖北", "central", False),
    ("430000", "湖南省", "湖南", "central", False),
    ("440000", "广东省", "广东", "south", False),
    ("450000", "广西壮族自治区", "广西", "south", True),
    ("460000", "海南省", "海南", "south", False),
    ("500000", "重庆市", "重庆", "southwest", True),
    ("510000", "四川省", "四川", "southwest", True),
    ("520000", "贵州省", "贵州", "southwest", True),
    ("530000", "云南省", "云南", "southwest", True),
    ("540000", "西藏自治区", "西藏", "southwest", True),
    ("610000", "陕西省", "陕西", "northwest", True),
    ("620000", "甘肃省", "甘肃", "northwest", True),
    ("630000", "青海省", "青海", "northwest", True),
    ("640000", "宁夏回族自治区", "宁夏", "northwest", True),
    ("650000", "新疆维吾尔自治区", "新疆", "northwest", True),
    ("660000", "新疆生产建设兵团", "新疆生产建设兵团", "northwest", True),
]


def ensure_units(Province) -> int:
    """Create or update the 32 units; returns how many exist. Idempotent."""
    for order, (code, name, short, region, western) in enumerate(UNITS, start=1):
        Province.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "region": region,
                "western": western,
                "sort_order": order,
            },
        )
    return Province.objects.count()
