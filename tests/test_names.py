"""Names as Chinese rankings spell them, through the real pipeline to the published marts.

A ranking export in the style of the Chinese sites (headers 月份/品牌/厂商/车型/动力类型/指导价/
销量, three months, prices in 万, a BOM) lands after the sample: brands in Chinese with and
without 汽车, sub-brands, joint ventures in the brand or 厂商 column, names in both scripts,
full-width letters, an aggregate `其他` row and one brand nobody knows. Each row says which
group a market reference puts it in; the marts must agree, unit for unit.
"""

import re

import duckdb
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from expectations import run_suite
from orchestration.checks import check_result
from orchestration.pipeline import summary
from tests.conftest import copy_of_sample_run, run_pipeline

DROP = "2025-07-10"
FILE = f"sales/{DROP}/排行榜_2025年4-6月.csv"
# Each model sells 6% more in May and 13% more in June than in April.
MONTHS = {"2025-04": 1.0, "2025-05": 1.06, "2025-06": 1.13}

# Spellings real exports put in a brand column -> the canonical brand (or maker, or group)
# the pipeline must give them; landed as one probe row each, in a month of their own.
SPELLINGS = [
    # brand columns of real exports that matched nothing before the reference data
    ("比亚迪", "BYD"),
    ("大众", "Volkswagen"),
    ("丰田", "Toyota"),
    ("零跑汽车", "Leapmotor"),
    ("小鹏汽车", "Xpeng"),
    ("ARCFOX极狐", "ARCFOX"),
    ("Polestar极星", "Polestar"),
    ("吉利银河", "Geely Galaxy"),
    ("长安启源", "Changan Qiyuan"),
    ("东风风神", "Dongfeng Aeolus"),
    ("捷途山海", "Jetour Shanhai"),
    ("奇瑞风云", "Chery Fengyun"),
    ("比亚迪王朝", "BYD"),
    ("极狐", "ARCFOX"),
    ("启辰", "Venucia"),
    ("北京", "Beijing"),
    ("Mercedes Benz", "Mercedes-Benz"),
    ("梅赛德斯－奔驰", "Mercedes-Benz"),
    ("VW", "Volkswagen"),
    ("Li Auto", "Li Auto"),
    # makers and joint ventures in a brand column
    ("上汽通用五菱", "SAIC-GM-Wuling"),
    ("上汽大众", "SAIC Volkswagen"),
    ("一汽-大众", "FAW-Volkswagen"),
    ("一汽大众", "FAW-Volkswagen"),
    ("华晨宝马", "BMW"),
    ("北京奔驰", "Mercedes-Benz"),
    ("广汽丰田", "Toyota"),
    ("特斯拉中国", "Tesla"),
    ("比亚迪汽车", "BYD"),
    # company forms and English series names (CnEVPost-style plug-in series)
    ("Li Auto Inc.", "Li Auto"),
    ("XPeng Inc.", "Xpeng"),
    ("NIO Inc.", "NIO"),
    ("Leapmotor International", "Leapmotor"),
    ("BYD Auto", "BYD"),
    ("Geely Auto", "Geely"),
    ("Tesla China", "Tesla"),
    ("GAC Aion", "Aion"),
    ("Great Wall Motor", "Great Wall"),
    ("Changan Automobile", "Changan"),
    ("Volvo Cars", "Volvo"),
    # a group in the brand column: the group's name, in that group
    ("上汽集团", "SAIC"),
]
# A year of its own, so that no label of the export's months holds a probe.
PROBE_MONTH = "2026-01"
UNKNOWN_BRAND = "云鲲汽车"
HAN = re.compile("[\u4e00-\u9fff]")  # CJK unified ideographs

# 品牌 | 厂商 as sent | the group a market reference gives | 车型 | 动力类型 | 指导价 in 万 |
# April's units. Each brand's model appears once per powertrain, as rankings list them.
EXPORT = """
比亚迪|比亚迪汽车|BYD|秦PLUS|插混|7.98|46210
比亚迪|比亚迪汽车|BYD|秦PLUS|纯电|10.98|12040
比亚迪|比亚迪汽车|BYD|宋PLUS|插混|15.58|38410
比亚迪|比亚迪汽车|BYD|汉|插混|16.98|12360
比亚迪|比亚迪汽车|BYD|汉|纯电|20.98|6230
比亚迪|比亚迪汽车|BYD|比亚迪唐|插混|21.98|8140
比亚迪|比亚迪汽车|BYD|元PLUS|纯电|11.98|15230
比亚迪|比亚迪汽车|BYD|海豚|纯电|9.98|22410
比亚迪|比亚迪汽车|BYD|海鸥|纯电|6.98|39120
比亚迪|比亚迪汽车|BYD|海豹|纯电|17.98|7230
比亚迪|比亚迪汽车|BYD|海豹|插混|16.98|5120
比亚迪汽车|比亚迪汽车|BYD|宋Pro|插混|11.98|24310
比亚迪汽车|比亚迪汽车|BYD|秦L|插混|9.98|31240
比亚迪汽车|比亚迪汽车|BYD|海狮07|纯电|18.98|5120
ＢＹＤ|比亚迪|BYD|宋ＰＬＵＳ|纯电|16.98|6120
ＢＹＤ|比亚迪|BYD|元UP|纯电|9.68|15420
ＢＹＤ|比亚迪|BYD|驱逐舰05|插混|7.98|18230
BYD|比亚迪汽车|BYD|宋L|插混|13.58|11240
BYD|比亚迪汽车|BYD|护卫舰07|插混|17.98|9410
腾势|比亚迪汽车|BYD|D9|插混|33.98|9120
腾势|比亚迪汽车|BYD|N7|纯电|23.98|2140
吉利汽车|吉利汽车|Geely|星越L|燃油|13.72|18420
吉利汽车|吉利汽车|Geely|星瑞|燃油|11.37|9120
吉利汽车|吉利汽车|Geely|缤越|燃油|7.98|8410
吉利汽车|吉利汽车|Geely|帝豪|燃油|6.99|22140
吉利汽车|吉利汽车|Geely|博越L|燃油|11.57|14230
吉利银河|吉利汽车|Geely|银河E5|纯电|10.98|14210
吉利银河|吉利汽车|Geely|银河L6|插混|8.98|9120
吉利银河|吉利汽车|Geely|星舰7|插混|9.78|12410
吉利银河|吉利汽车|Geely|星愿|纯电|6.88|38410
极氪|浙江吉利控股|Geely|001|纯电|26.90|8120
极氪|浙江吉利控股|Geely|007|纯电|20.99|6120
极氪|浙江吉利控股|Geely|7X|纯电|22.99|5410
Polestar极星|极星汽车|Geely|Polestar 4|纯电|29.99|410
长安汽车|长安汽车|Changan|CS75PLUS|燃油|10.99|21340
长安汽车|长安汽车|Changan|逸动|燃油|7.49|15230
长安汽车|长安汽车|Changan|CS55PLUS|燃油|8.99|12140
长安汽车|长安汽车|Changan|UNI-V|燃油|10.69|8120
长安汽车|长安汽车|Changan|长安X5 PLUS|燃油|7.59|6410
长安启源|长安汽车|Changan|A07|纯电|15.99|6120
长安启源|长安汽车|Changan|Q05|纯电|10.99|5120
长安启源|长安汽车|Changan|E07|纯电|19.99|2410
阿维塔|长安汽车|Changan|07|增程|21.99|4120
阿维塔|长安汽车|Changan|12|纯电|26.99|2410
奇瑞|奇瑞汽车|Chery|瑞虎8|燃油|9.99|14210
奇瑞|奇瑞汽车|Chery|瑞虎7|燃油|7.99|12140
奇瑞|奇瑞汽车|Chery|艾瑞泽8|燃油|9.99|11230
奇瑞|奇瑞汽车|Chery|瑞虎5x|燃油|5.99|8120
捷途|奇瑞汽车|Chery|旅行者|燃油|13.99|9120
捷途|奇瑞汽车|Chery|X70|燃油|7.99|8410
捷途|奇瑞汽车|Chery|X90|燃油|9.99|4120
捷途山海|奇瑞汽车|Chery|L7|插混|12.99|5120
捷途山海|奇瑞汽车|Chery|L9|插混|15.49|3120
捷途山海|奇瑞汽车|Chery|T2|插混|18.99|2140
东风风神|东风汽车|Dongfeng|奕炫|燃油|7.99|5120
东风风神|东风汽车|Dongfeng|皓瀚|纯电|12.99|2410
东风风神|东风汽车|Dongfeng|L7|插混|12.99|3120
岚图|东风汽车|Dongfeng|梦想家|插混|36.99|4120
岚图|东风汽车|Dongfeng|FREE|增程|22.99|2410
上汽大众|上汽大众|Volkswagen Group|朗逸|燃油|11.99|28140
上汽大众|上汽大众|Volkswagen Group|帕萨特|燃油|18.59|15230
上汽大众|上汽大众|Volkswagen Group|途观L|燃油|21.58|10120
上汽大众|上汽大众|Volkswagen Group|途岳|燃油|16.98|6120
上汽大众|上汽大众|Volkswagen Group|ID.3|纯电|12.59|5120
大众|一汽-大众|Volkswagen Group|速腾|燃油|13.59|22140
大众|一汽-大众|Volkswagen Group|宝来|燃油|9.98|21230
大众|一汽-大众|Volkswagen Group|迈腾|燃油|18.69|12140
大众|一汽-大众|Volkswagen Group|探岳|燃油|17.39|8120
大众|一汽-大众|Volkswagen Group|ID.4 CROZZ|纯电|14.99|4120
一汽-大众|一汽-大众|Volkswagen Group|高尔夫|燃油|12.98|4120
奥迪|一汽-大众|Volkswagen Group|A6L|燃油|42.79|13120
奥迪|一汽-大众|Volkswagen Group|Q5L|燃油|39.68|11230
奥迪|一汽-大众|Volkswagen Group|A4L|燃油|32.18|12140
华晨宝马|华晨宝马|BMW Group|5系|燃油|43.99|13120
华晨宝马|华晨宝马|BMW Group|3系|燃油|29.99|12140
华晨宝马|华晨宝马|BMW Group|X3|燃油|39.99|11230
华晨宝马|华晨宝马|BMW Group|X1|燃油|28.98|7120
北京奔驰|北京奔驰|Mercedes-Benz Group|C级|燃油|33.28|12140
北京奔驰|北京奔驰|Mercedes-Benz Group|E级|燃油|44.98|11230
北京奔驰|北京奔驰|Mercedes-Benz Group|GLC|燃油|42.78|10120
梅赛德斯-奔驰|梅赛德斯-奔驰(进口)|Mercedes-Benz Group|S级|燃油|97.88|2120
梅赛德斯-奔驰|梅赛德斯-奔驰(进口)|Mercedes-Benz Group|GLS|燃油|112.80|820
丰田|广汽丰田|Toyota|凯美瑞|混动|17.18|14120
丰田|广汽丰田|Toyota|汉兰达|燃油|26.88|5120
丰田|广汽丰田|Toyota|锋兰达|燃油|11.58|8120
丰田|一汽丰田|Toyota|卡罗拉|燃油|11.38|10120
丰田|一汽丰田|Toyota|RAV4荣放|燃油|17.58|9120
丰田|一汽丰田|Toyota|亚洲龙|混动|17.98|4120
广汽丰田|广汽丰田|Toyota|bZ3X|纯电|10.98|5120
特斯拉|特斯拉中国|Tesla|Model Y|纯电|26.39|41230
特斯拉|特斯拉中国|Tesla|Model 3|纯电|23.55|18120
上汽通用五菱|上汽通用五菱|SAIC|宏光MINIEV|纯电|3.28|26140
上汽通用五菱|上汽通用五菱|SAIC|缤果|纯电|5.98|14120
上汽通用五菱|上汽通用五菱|SAIC|星光|插混|8.88|9120
五菱汽车|上汽通用五菱|SAIC|五菱之光|燃油|3.58|6120
智己|上汽集团|SAIC|LS6|纯电|21.49|3120
别克|上汽通用|General Motors|GL8|燃油|23.29|8120
别克|上汽通用|General Motors|英朗|燃油|7.99|9120
理想汽车|理想汽车|Li Auto|理想L6|增程|24.98|15120
理想汽车|理想汽车|Li Auto|理想L7|增程|30.18|6120
理想汽车|理想汽车|Li Auto|理想L9|增程|40.98|5120
问界|赛力斯|Seres|问界M9|增程|46.98|15120
问界|赛力斯|Seres|问界M7|增程|24.98|12140
问界|赛力斯|Seres|问界M8|增程|35.98|9120
小米汽车|小米汽车|Xiaomi|SU7|纯电|21.59|28140
蔚来|蔚来|NIO|ES6|纯电|33.80|4120
蔚来|蔚来|NIO|ET5T|纯电|29.80|3410
ARCFOX极狐|北汽蓝谷|BAIC|阿尔法T5|纯电|13.98|3120
ARCFOX极狐|北汽蓝谷|BAIC|考拉|纯电|11.98|1120
红旗|一汽红旗|FAW|H5|燃油|15.98|6120
红旗|一汽红旗|FAW|H9|燃油|30.98|2120
其他||Others|其他|||25410
云鲲汽车|云鲲新能源|Unassigned|云鲲S1|纯电|12.98|420
"""


def export_rows() -> list[tuple[str, str, str, str, str, str, int, str]]:
    """(月份, 品牌, 厂商, 车型, 动力类型, 指导价, 销量, expected group) for every month."""
    rows = []
    for month, factor in MONTHS.items():
        year, number = month.split("-")
        for line in EXPORT.strip().splitlines():
            brand, maker, group, model, powertrain, price, units = line.split("|")
            period = f"{year}年{int(number)}月"
            price = f"{price}万" if price else ""
            rows.append(
                (period, brand, maker, model, powertrain, price, round(int(units) * factor), group)
            )
    return rows


def expected_groups(month: str) -> dict[str, int]:
    year, number = month.split("-")
    totals: dict[str, int] = {}
    for period, *_, units, group in export_rows():
        if period == f"{year}年{int(number)}月":
            totals[group] = totals.get(group, 0) + units
    return totals


@pytest.fixture(scope="module")
def names_run(sample_run, tmp_path_factory):
    """The sample's run, then the ranking export as a new drop, through the whole pipeline."""
    settings = copy_of_sample_run(sample_run, tmp_path_factory.mktemp("names"))
    path = settings.landing / FILE
    path.parent.mkdir(parents=True)
    lines = ["月份,品牌,厂商,车型,动力类型,指导价,销量"]
    lines += [",".join(map(str, row[:-1])) for row in export_rows()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    probes = ["month,brand,model,units"]
    probes += [f"{PROBE_MONTH},{sent},probe-{i},1" for i, (sent, _) in enumerate(SPELLINGS)]
    (path.parent / "spellings.csv").write_text("\n".join(probes) + "\n", encoding="utf-8")
    pipeline = run_pipeline(settings, DagsterInstance.ephemeral(), keys=[DROP])
    assert pipeline.result.success, "the run over the ranking export failed"
    return pipeline


@pytest.fixture(scope="module")
def published(names_run):
    with names_run.published() as connection:
        yield connection


def test_the_export_is_realistic_and_loads_whole(published):
    rows = export_rows()
    april = expected_groups("2025-04")
    assert len(rows) >= 300
    assert max(april, key=april.get) == "BYD"
    loaded, quarantined = published.execute(
        "select rows_loaded, rows_quarantined from audit.ingested_files where source_file = ?",
        [FILE],
    ).fetchone()
    assert (loaded, quarantined) == (len(rows), 0)


@pytest.mark.parametrize("month", MONTHS)
def test_at_most_one_percent_of_units_on_a_brand_in_chinese_script(published, month):
    brands = published.execute(
        "select brand, sum(units) from marts.mart_brand_band_period "
        "where period_type = 'month' and period_label = ? group by brand",
        [month],
    ).fetchall()
    chinese = {brand: units for brand, units in brands if HAN.search(brand)}
    assert sum(chinese.values()) <= 0.01 * sum(units for _, units in brands), chinese
    assert set(chinese) == {UNKNOWN_BRAND}


def test_every_unit_has_a_group_in_every_label(published):
    """Groups add up to the market (the brand mart) for every label, sample months too."""
    differences = published.execute(
        "with groups as (select period_type, period_label, sum(units) as units "
        "                from marts.mart_group_sales group by all), "
        "     market as (select period_type, period_label, sum(units) as units "
        "                from marts.mart_brand_band_period group by all) "
        "select * from groups full join market using (period_type, period_label) "
        "where groups.units is distinct from market.units"
    ).fetchall()
    labels = published.execute("select count(distinct period_label) from marts.mart_group_sales")
    assert differences == []
    assert labels.fetchone()[0] > 20


@pytest.mark.parametrize("month", MONTHS)
def test_each_group_gets_the_units_a_market_reference_gives_it(published, month):
    groups = dict(
        published.execute(
            "select group_name, units from marts.mart_group_sales "
            "where period_type = 'month' and period_label = ?",
            [month],
        ).fetchall()
    )
    assert groups == expected_groups(month)
    assert max(groups, key=groups.get) == "BYD"


def test_the_unknown_brand_is_kept_as_sent_in_group_unassigned_and_listed(published):
    april_units = next(units for *_, units, group in export_rows() if group == "Unassigned")
    (brand_units,) = published.execute(
        "select sum(units) from marts.mart_brand_band_period "
        "where period_type = 'month' and period_label = '2025-04' and brand = ?",
        [UNKNOWN_BRAND],
    ).fetchone()
    assert brand_units == april_units
    listed = published.execute(
        "select field, units, rows, first_drop, last_drop, files from audit.unmapped_names "
        "where feed = 'sales' and value = ? order by field",
        [UNKNOWN_BRAND],
    ).fetchall()
    every_month = sum(units for _, brand, *_, units, _ in export_rows() if brand == UNKNOWN_BRAND)
    assert [(*row[:3], str(row[3]), str(row[4]), row[5]) for row in listed] == [
        ("brand", every_month, len(MONTHS), DROP, DROP, [FILE])
    ]
    (maker,) = published.execute(
        "select units from audit.unmapped_names where field = 'group' and value = '云鲲新能源'"
    ).fetchone()
    assert maker == every_month


def test_known_names_are_not_listed_as_unmapped(published):
    listed = published.execute("select field, value from audit.unmapped_names").fetchall()
    assert sorted(listed) == [("brand", UNKNOWN_BRAND), ("group", "云鲲新能源")]


@pytest.mark.parametrize(
    ("sent", "model"),
    [
        ("汉", "Han"),
        ("比亚迪唐", "Tang"),
        ("宋PLUS and 宋ＰＬＵＳ", "Song PLUS"),
        ("海鸥", "Seagull"),
    ],
)
def test_chinese_model_names_become_their_latin_names(published, sent, model):
    sent_units = sum(
        units
        for period, brand, _, name, *_, units, _ in export_rows()
        if period == "2025年4月" and brand in ("比亚迪", "ＢＹＤ") and name in sent.split(" and ")
    )
    models = dict(
        published.execute(
            "select model, units from marts.mart_model_period "
            "where brand = 'BYD' and period_type = 'month' and period_label = '2025-04'"
        ).fetchall()
    )
    assert models[model] == sent_units
    assert not set(sent.split(" and ")) & set(models)


def test_the_summary_counts_the_unmapped_names(names_run):
    text = summary(names_run.result, names_run.settings)
    line = next(line for line in text.splitlines() if line.startswith("unmapped names:"))
    assert line.startswith("unmapped names: 2 (1 brand, 1 group); 0.0")
    assert "audit.unmapped_names" in line


def test_the_group_sum_check_blocks_a_mart_that_leaves_units_out(names_run, tmp_path):
    """Leave out the Unassigned group, as the mart once did: the suite fails at error
    severity, i.e. the Dagster check blocks publishing, and names each label short."""
    warehouse = tmp_path / "autotrade.duckdb"
    warehouse.write_bytes(names_run.settings.warehouse.read_bytes())
    with duckdb.connect(warehouse) as connection:
        connection.execute("delete from marts.mart_group_sales where group_name = 'Unassigned'")

    result = run_suite(warehouse, "mart_group_sales")
    check = check_result(result)

    assert not check.passed and check.severity == AssetCheckSeverity.ERROR
    (failure,) = result.failures
    assert failure.description.startswith("the groups of every period label add up to the market")
    short = {(e["period_type"], e["period_label"]): e for e in failure.examples}
    april = short[("month", "2025-04")]
    assert april["market_units"] - april["group_units"] == 420
    # The three months, 2025-Q2, 2025-YTD-04 to 2025-YTD-06 and 2025.
    assert failure.unexpected_count == 8
    assert run_suite(names_run.settings.warehouse, "mart_group_sales").passed


@pytest.mark.parametrize(
    ("index", "sent", "brand"), [(i, *pair) for i, pair in enumerate(SPELLINGS)]
)
def test_export_spellings_resolve_to_the_brand_they_mean(published, index, sent, brand):
    (found,) = published.execute(
        "select brand from marts.mart_model_period"
        " where period_type = 'month' and period_label = ? and model = ?",
        [PROBE_MONTH, f"probe-{index}"],
    ).fetchone()
    assert found == brand, f"{sent!r} became {found!r}"
