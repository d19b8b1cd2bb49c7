"""The source systems' Chinese column names, accepted beside the exchange format's own: an
export from the marketing archive or the equipment system loads without renaming its
columns. Per file (the same Chinese name may stand for different columns in different files);
the table is documented in the README ("Exchange format v1", Chinese column names)."""

from __future__ import annotations

from collections.abc import Mapping

ALIASES: Mapping[str, Mapping[str, str]] = {
    "orgs.csv": {
        "单位编码": "org_code",
        "单位编号": "org_code",
        "单位名称": "name",
        "上级单位编码": "parent_code",
        "上级单位编号": "parent_code",
        "层级": "level",
        "单位层级": "level",
    },
    "substations.csv": {
        "变电站编号": "substation_code",
        "变电站编码": "substation_code",
        "变电站名称": "name",
        "电压等级": "voltage_kv",
        "所属单位": "org_code",
    },
    "feeders.csv": {
        "线路编号": "feeder_code",
        "线路编码": "feeder_code",
        "线路名称": "name",
        "变电站编号": "substation_code",
        "所属变电站": "substation_code",
        "电压等级": "voltage_kv",
        "所属单位": "org_code",
    },
    "transformers.csv": {
        "台区编号": "transformer_code",
        "台区编码": "transformer_code",
        "台区名称": "name",
        "线路编号": "feeder_code",
        "所属线路": "feeder_code",
        "容量": "capacity_kva",
        "额定容量": "capacity_kva",
        "产权": "ownership",
        "产权性质": "ownership",
        "所属单位": "org_code",
        "供电半径": "supply_radius_km",
    },
    "customers.csv": {
        "用户编号": "customer_code",
        "户号": "customer_code",
        "用户名称": "name",
        "户名": "name",
        "用电类别": "category",
    },
    "meters.csv": {
        "电能表编号": "meter_code",
        "表号": "meter_code",
        "台区编号": "transformer_code",
        "所属台区": "transformer_code",
        "表计类型": "role",
        "用户编号": "customer_code",
        "户号": "customer_code",
        "倍率": "multiplier",
        "综合倍率": "multiplier",
        "相别": "phase",
        "接入点": "node",
    },
    "readings.csv": {
        "电能表编号": "meter_code",
        "表号": "meter_code",
        "数据日期": "date",
        "日期": "date",
        "正向有功电量": "import_kwh",
        "正向有功总": "import_kwh",
        "反向有功电量": "export_kwh",
        "反向有功总": "export_kwh",
    },
}


def canonical(file: str, header: list[str]) -> list[str]:
    """`header` with each Chinese alias of `file` replaced by the column it stands for."""
    names = ALIASES.get(file)
    return header if not names else [names.get(h, h) for h in header]


#: The source systems' Chinese values of the columns with a fixed set of values.
VALUE_ALIASES: Mapping[str, Mapping[str, str]] = {
    "role": {
        "总表": "gate",
        "台区总表": "gate",
        "考核表": "gate",
        "关口表": "gate",
        "用户表": "customer",
        "用户": "customer",
        "光伏": "pv",
        "光伏表": "pv",
        "发电表": "pv",
    },
    "ownership": {"公变": "public", "公用": "public", "专变": "private", "专用": "private"},
}


def canonical_value(column: str, raw: str) -> str:
    """`raw` as the exchange format spells it (a Chinese value of `column` translated),
    lower-cased as the choices are compared."""
    names = VALUE_ALIASES.get(column)
    return (names.get(raw.strip(), raw) if names else raw).lower()
