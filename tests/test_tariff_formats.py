"""Tariff files in the formats the tariffs feed accepts, through the real ingest (``ingest_drop``)
and once through the real pipeline.

The USITC annual tariff database extract is built from the database's public field list
(``tests/usitc_extract.py``); the rates and codes are written as the database writes them:
``Free``, ``2.5%``, ``1.9¢/kg``, ``$1.50/doz. + 4%``, ``33 1/3%``, ``See 9903.88.03``,
``Free (A+,AU,...) 1.5% (JP)``, dates ``1/1/2017 0:00:00``, an end in 2050 for open.
"""

import gzip
import json
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster import DagsterInstance

from orchestration.ingest import store
from orchestration.ingest.feeds import SALES, TARIFFS
from orchestration.ingest.ingest import ingest_drop
from orchestration.ingest.usitc import programmes
from orchestration.seeds import read_seed
from tests.conftest import copy_of_sample_run, run_pipeline
from tests.usitc_extract import FTA, extract, line

DROP = date(2025, 3, 1)
CAFTA_DR = {"CR", "DO", "SV", "GT", "HN", "NI"}
# The partners of every code in FTA (B is Canada's auto pact; A+, D, E list no partners).
FTA_PARTNERS = {"AU", "BH", "CA", "CL", "CO", "IL", "JO", "KR", "MA", "MX", "OM", "PA", "PE", "SG"}
FTA_PARTNERS |= CAFTA_DR
JP_GROUPS = "Free (AU,BH,CA,CL,CO,IL,JO,KR,MA,MX,OM,P,PA,PE,S,SG) 1.5% (JP)"
LINES = [
    line("87038000", "2.5%", FTA, "10%", mfn_ad_val_rate="0.02"),  # rounded numeric column
    line("87032301", "2.5%", FTA, "10%", mfn_ad_val_rate="0.025"),
    line("22082020", "Free", "", "$2.64/pf. liter"),
    line("22082030", "1.9¢/kg", FTA, "$2.64/pf. liter"),
    line("61159900", "$1.50/doz. + 4%", JP_GROUPS, "$5/doz. + 50%"),
    line("99030000", "See 9903.88.03", FTA, "10%"),
    line("1012100", "Free", "Free (A*,CA,MX,S+)", "33 1/3%", end_effective_date="06/30/2021"),
    line("04061038", "$1.055/kg", "Free (BH,CL) 7 cents/kg (KR) See 9822.04.50 (AU)", "$1.241/kg"),
    line("04061044", "10%", "Free (BH,CL,ZZ)", "35%"),
    line("87042100", "25%", "", "25%", korea_indicator="KR", korea_ad_val_rate="0.02"),
    line("87033100", "2.5%", "Free (KR) 0.5% (JP)", "10%", begin_effect_date="2024-07-01"),
]
QUARANTINED = {  # line number -> (field, value, reason starts with)
    7: ("mfn_text_rate", "See 9903.88.03", "not a rate"),
    9: ("col1_special_text", "See 9822.04.50", "not a rate"),
    10: ("col1_special_text", "Free (BH,CL,ZZ)", "unknown programme code ZZ"),
}


def land(landing: Path, name: str, content: str | bytes, feed: str = "tariffs") -> str:
    folder = landing / feed / DROP.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return f"{feed}/{DROP.isoformat()}/{name}"


def table(raw: Path, name: str, source_file: str) -> pl.DataFrame:
    files = sorted(store.partition_dir(raw, name, DROP).glob("*.parquet"))
    if not files:
        return pl.DataFrame()
    frame = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
    return frame.filter(pl.col("source_file") == source_file)


def manifest(raw: Path, source_file: str, feed: str = "tariffs") -> dict:
    rows = store.read_manifest(raw, feed, DROP).filter(pl.col("source_file") == source_file)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


@pytest.fixture
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def raw(tmp_path) -> Path:
    return tmp_path / "raw"


def ingest(landing: Path, raw: Path, feed=TARIFFS):
    return ingest_drop(feed, landing, raw, DROP)


def one(frame: pl.DataFrame, **where) -> dict:
    rows = frame.filter(**where)
    assert rows.height == 1, (where, rows)
    return rows.row(0, named=True)


@pytest.fixture
def usitc(landing, raw) -> tuple[str, pl.DataFrame]:
    """The extract as the database ships it in Windows-1252 (``¢`` is byte 0xA2), ingested."""
    source = land(landing, "tariff_database_2025.txt", extract(LINES).encode("cp1252"))
    ingest(landing, raw)
    return source, table(raw, "tariffs", source)


# --- the USITC tariff database ----------------------------------------------------------------


def test_usitc_every_line_is_loaded_or_quarantined_once(usitc, raw):
    source, rows = usitc
    row = manifest(raw, source)
    assert (row["status"], row["format"], row["encoding"]) == ("loaded", "txt", "cp1252")
    assert row["rows_in"] == len(LINES)
    assert row["rows_loaded"] == rows["line_number"].n_unique() == len(LINES) - len(QUARANTINED)
    assert row["rows_quarantined"] == len(QUARANTINED)
    assert row["raw_rows"] == rows.height > len(LINES)

    quarantined = table(raw, "tariffs_quarantine", source)
    found = {r["line_number"]: r for r in quarantined.to_dicts()}
    assert set(found) == set(QUARANTINED)
    for number, (field, value, reason) in QUARANTINED.items():
        assert (found[number]["field"], found[number]["value"]) == (field, value)
        assert found[number]["reason"].startswith(reason)
    # A quarantined line loads none of its rates.
    assert not set(rows["line_number"]) & set(QUARANTINED)


def test_usitc_mfn_reads_the_text_rate(usitc):
    _, rows = usitc
    mfn = rows.filter(measure="MFN")
    assert set(mfn["reporter"]) == {"US"} and set(mfn["partner"]) == {"*"}
    ev = one(mfn, hs_code="8703.80.00")
    # The text says 2.5%; the rounded numeric column (0.02) is not used.
    assert (ev["rate_pct"], ev["rate_text"], ev["specific_amount"]) == (2.5, "2.5%", None)
    assert (ev["valid_from"], ev["valid_to"]) == (date(2017, 1, 1), None)  # 2050 = open
    assert ev["legal_basis"] == "HTSUS column 1 general"
    assert ev["source"] == "USITC tariff database 2025"
    assert one(mfn, hs_code="8703.23.01")["rate_pct"] == 2.5
    assert one(mfn, hs_code="8703.31.00")["valid_from"] == date(2024, 7, 1)  # ISO date

    free = one(mfn, hs_code="2208.20.20")
    assert (free["rate_pct"], free["rate_text"], free["specific_amount"]) == (0.0, "Free", None)
    specific = one(mfn, hs_code="2208.20.30")
    assert (specific["rate_pct"], specific["specific_amount"]) == (0.0, 1.9)
    assert (specific["specific_currency"], specific["specific_unit"]) == ("USD cents", "kg")
    compound = one(mfn, hs_code="6115.99.00")
    assert (compound["rate_pct"], compound["rate_text"]) == (4.0, "$1.50/doz. + 4%")
    assert (compound["specific_amount"], compound["specific_currency"]) == (1.5, "USD")
    assert compound["specific_unit"] == "doz."
    # A chapter 01 line whose leading zero a spreadsheet dropped, with a US end date.
    horses = one(mfn, hs_code="0101.21.00")
    assert horses["valid_to"] == date(2021, 6, 30)


def test_usitc_preferential_rows_cover_the_fta_partners_once_each(usitc):
    _, rows = usitc
    preferential = rows.filter(measure="preferential")
    ev = preferential.filter(hs_code="8703.80.00")
    assert ev["partner"].is_unique().all()
    assert set(ev["partner"]) == FTA_PARTNERS
    assert set(ev["rate_pct"]) == {0.0} and set(ev["rate_text"]) == {"Free"}
    assert set(ev["valid_from"]) == {date(2017, 1, 1)}
    assert one(ev, partner="KR")["legal_basis"] == "HTSUS column 1 special (KR)"
    assert set(ev.filter(pl.col("partner").is_in(CAFTA_DR))["legal_basis"]) == {
        "HTSUS column 1 special (P)"
    }

    socks = preferential.filter(hs_code="6115.99.00")
    assert one(socks, partner="JP")["rate_pct"] == 1.5
    assert one(socks, partner="KR")["rate_pct"] == 0.0
    assert set(socks["partner"]) == (FTA_PARTNERS | {"JP"})
    # Suffixed codes keep their partners: S+ is USMCA (CA, MX), A* lists none.
    assert set(preferential.filter(hs_code="0101.21.00")["partner"]) == {"CA", "MX"}
    # Several groups on one line, one of them a specific rate.
    cars = preferential.filter(hs_code="8703.31.00")
    assert {r["partner"]: r["rate_pct"] for r in cars.to_dicts()} == {"KR": 0.0, "JP": 0.5}
    # Without col1_special_text, the per-agreement columns: korea_ad_val_rate 0.02 is 2%.
    trucks = one(preferential, hs_code="8704.21.00")
    assert (trucks["partner"], trucks["rate_pct"], trucks["rate_text"]) == ("KR", 2.0, None)


# The programme codes of col1_special_text as the 2025 database writes them, suffixed
# variants (A*, A+, E*) and programmes without partners of their own (A, D, E, R) included.
PUBLISHED_CODES = "A,A*,A+,AU,BH,CA,CL,CO,D,E,E*,IL,JO,KR,MA,MX,OM,P,PA,PE,R,S,SG"


def test_usitc_every_published_programme_code_is_read(landing, raw):
    source = land(
        landing,
        "tariff_database_2025.txt",
        extract([line("85076000", "3.4%", f"Free ({PUBLISHED_CODES})", "40%")]),
    )
    ingest(landing, raw)
    assert manifest(raw, source)["rows_quarantined"] == 0
    preferential = table(raw, "tariffs", source).filter(measure="preferential")
    assert preferential["partner"].is_unique().all()
    assert set(preferential["partner"]) == FTA_PARTNERS
    assert set(preferential["rate_pct"]) == {0.0}


def test_usitc_column_2_rows_for_its_countries_from_the_day_each_entered(usitc):
    _, rows = usitc
    column_2 = rows.filter(measure="column_2")
    # Russia and Belarus are in column 2 from 2022-04-09: not on the line that ended in 2021.
    for hs_code in column_2["hs_code"].unique():
        partners = sorted(column_2.filter(hs_code=hs_code)["partner"])
        ended = hs_code == "0101.21.00"
        assert partners == (["CU", "KP"] if ended else ["BY", "CU", "KP", "RU"]), hs_code
    cars = column_2.filter(hs_code="8703.80.00")
    assert dict(zip(cars["partner"], cars["valid_from"], strict=True)) == {
        "CU": date(2017, 1, 1),
        "KP": date(2017, 1, 1),
        "RU": date(2022, 4, 9),
        "BY": date(2022, 4, 9),
    }
    assert set(cars["rate_pct"]) == {10.0}
    # A line that began after that day gives them its own begin date.
    assert set(column_2.filter(hs_code="8703.31.00")["valid_from"]) == {date(2024, 7, 1)}
    assert one(column_2, hs_code="0101.21.00", partner="CU")["rate_pct"] == pytest.approx(100 / 3)
    brandy = one(column_2, hs_code="2208.20.20", partner="KP")
    assert (brandy["rate_pct"], brandy["specific_amount"]) == (0.0, 2.64)
    assert (brandy["specific_currency"], brandy["specific_unit"]) == ("USD", "pf. liter")
    assert column_2.filter(hs_code="6115.99.00")["rate_pct"].to_list() == [50.0] * 4


@pytest.mark.parametrize(
    ("name", "delimiter", "pack"),
    [
        ("tariff_database_2025.txt", "|", lambda text: text.encode("utf-8")),
        ("tariff_database_2025.csv.gz", "\t", lambda text: gzip.compress(text.encode("utf-8-sig"))),
    ],
    ids=["pipe-txt-utf8", "tab-csv.gz-bom"],
)
def test_usitc_other_delimiters_and_packings_load_the_same_rows(
    tmp_path, landing, raw, name, delimiter, pack
):
    reference = land(landing, "reference.txt", extract(LINES).encode("cp1252"))
    other = tmp_path / "other"
    source = land(other / "landing", name, pack(extract(LINES, delimiter=delimiter)))
    ingest(landing, raw)
    ingest(other / "landing", other / "raw")

    def rows_of(raw_dir: Path, source_file: str) -> pl.DataFrame:
        frame = table(raw_dir, "tariffs", source_file).drop("source_file", "source")
        return frame.sort("line_number", "measure", "partner")

    assert rows_of(other / "raw", source).equals(rows_of(raw, reference))
    assert manifest(other / "raw", source)["rows_in"] == len(LINES)


# --- sidecars ---------------------------------------------------------------------------------

TRACKER = (
    "time_of_tariff,hs6,tariff\n2018-07-06,870380,40\n2019-01-01,870380,15\n2018-07-06,220820,15\n"
)
TRACKER_SIDECAR = {
    "constants": {"reporter": "CN", "partner": "US", "measure": "applied"},
    "columns": {"time_of_tariff": "valid_from", "hs6": "hs_code", "tariff": "rate_pct"},
    "valid_until_next": True,
}


def test_tracker_series_with_a_sidecar(landing, raw):
    source = land(landing, "cn_tariffs_on_us.csv", TRACKER)
    land(landing, "cn_tariffs_on_us.csv.meta.json", json.dumps(TRACKER_SIDECAR))
    report = ingest(landing, raw)

    assert [r["source_file"] for r in report.files] == [source]  # the sidecar is no data file
    rows = table(raw, "tariffs", source).sort("line_number")
    assert rows.select("reporter", "partner", "hs_code", "measure", "rate_pct").rows() == [
        ("CN", "US", "8703.80", "applied", 40.0),
        ("CN", "US", "8703.80", "applied", 15.0),
        ("CN", "US", "2208.20", "applied", 15.0),
    ]
    assert rows["valid_from"].to_list() == [date(2018, 7, 6), date(2019, 1, 1), date(2018, 7, 6)]
    assert rows["valid_to"].to_list() == [None, None, None]  # derived in dbt from the next row
    assert rows["valid_until_next"].to_list() == [True, True, True]
    assert manifest(raw, source)["rows_in"] == 3


def test_a_changed_sidecar_loads_its_file_again(landing, raw):
    source = land(landing, "tracker.csv", TRACKER)
    land(landing, "tracker.csv.meta.json", json.dumps(TRACKER_SIDECAR))
    ingest(landing, raw)
    land(
        landing,
        "tracker.csv.meta.json",
        json.dumps(
            TRACKER_SIDECAR | {"constants": {**TRACKER_SIDECAR["constants"], "partner": "EU"}}
        ),
    )
    report = ingest(landing, raw)
    assert report.unchanged == []
    assert set(table(raw, "tariffs", source)["partner"]) == {"EU"}


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        (json.dumps(TRACKER_SIDECAR | {"columns": {"tariff": "duty_rate"}}), "duty_rate"),
        (json.dumps(TRACKER_SIDECAR | {"constants": {"importer_name": "CN"}}), "importer_name"),
        (json.dumps(TRACKER_SIDECAR | {"valid_until": True}), "valid_until"),
        ('{"constants": {"reporter": "CN",}', "not JSON"),
        (json.dumps(TRACKER_SIDECAR | {"valid_until_next": "yes"}), "valid_until_next"),
    ],
    ids=["unknown-field", "unknown-constant", "unknown-key", "not-json", "not-a-bool"],
)
def test_a_bad_sidecar_rejects_its_file_with_the_reason(landing, raw, sidecar, reason):
    source = land(landing, "tracker.csv", TRACKER)
    land(landing, "tracker.csv.meta.json", sidecar)
    ingest(landing, raw)

    row = manifest(raw, source)
    assert row["status"] == "rejected"
    assert "tracker.csv.meta.json" in row["message"] and reason in row["message"]
    assert table(raw, "tariffs", source).is_empty()
    [quarantined] = table(raw, "tariffs_quarantine", source).to_dicts()
    assert quarantined["reason"] == row["message"]


@pytest.mark.parametrize("feed", [TARIFFS, SALES], ids=["tariffs", "sales"])
def test_a_sidecar_without_its_data_file_is_reported_never_read_as_data(landing, raw, feed):
    orphan = land(landing, "gone.csv.meta.json", json.dumps(TRACKER_SIDECAR), feed=feed.name)
    report = ingest(landing, raw, feed)
    row = manifest(raw, orphan, feed.name)
    assert row["status"] == "rejected" and "gone.csv" in row["message"]
    assert table(raw, feed.name, orphan).is_empty()
    assert [r["source_file"] for r in report.files] == [orphan]


# --- encodings and packings of plain tariff files ---------------------------------------------

PLAIN = (
    "reporter,partner,hs_code,measure,rate_pct,valid_from,legal_basis\n"
    "US,*,2208.20,MFN,1.9¢/kg,2017-01-01,Décision HTSUS général\n"
    "EU,CN,8703.80,CVD,17.0,2024-10-30,Règlement d'exécution (UE) 2024/2754\n"
)


def test_windows_1252_file_is_read_as_windows_1252(landing, raw):
    source = land(landing, "latin.csv", PLAIN.encode("cp1252"))
    ingest(landing, raw)
    assert manifest(raw, source)["encoding"] == "cp1252"
    rows = table(raw, "tariffs", source).sort("line_number")
    assert rows["legal_basis"].to_list() == [
        "Décision HTSUS général",
        "Règlement d'exécution (UE) 2024/2754",
    ]
    assert rows.select("rate_pct", "specific_amount", "specific_currency").rows() == [
        (0.0, 1.9, "USD cents"),
        (17.0, None, None),
    ]


def test_gb18030_is_still_gb18030(landing, raw):
    text = PLAIN.replace("Décision HTSUS général", "中华人民共和国海关进出口税则")
    source = land(landing, "chinese.csv", text.replace("1.9¢/kg", "1.9%").encode("gb18030"))
    ingest(landing, raw)
    assert manifest(raw, source)["encoding"] == "gb18030"
    assert "中华人民共和国海关进出口税则" in table(raw, "tariffs", source)["legal_basis"].to_list()


def test_gzip_and_txt_tariff_files_load(landing, raw):
    packed = land(landing, "measures.csv.gz", gzip.compress(PLAIN.encode("utf-8")))
    text = land(landing, "measures.txt", PLAIN.replace("2208.20", "2208.30").encode("utf-8"))
    ingest(landing, raw)
    for source in (packed, text):
        row = manifest(raw, source)
        assert (row["status"], row["rows_in"], row["rows_loaded"]) == ("loaded", 2, 2)
        assert row["raw_rows"] == 2


# --- one list of measures, one list of programmes ---------------------------------------------


def test_the_ingest_accepts_the_measure_kinds_of_the_seed_and_no_other(landing, raw):
    kinds = read_seed("tariff_measure_kinds")["measure"].to_list()
    header = "reporter,partner,hs_code,measure,rate_pct,valid_from,legal_basis\n"
    lines = [f"EU,CN,8703.80,{kind},10,2024-01-01,regulation\n" for kind in [*kinds, "quota"]]
    source = land(landing, "kinds.csv", header + "".join(lines))
    ingest(landing, raw)
    assert sorted(table(raw, "tariffs", source)["measure"]) == sorted(kinds)
    [quarantined] = table(raw, "tariffs_quarantine", source).to_dicts()
    assert (quarantined["line_number"], quarantined["field"]) == (len(kinds) + 2, "measure")


def test_the_programme_seed_covers_every_fta_partner():
    partners = {
        partner
        for row in programmes().filter(pl.col("measure") == "preferential").to_dicts()
        for partner in row["partners"]
    }
    fta = {"KR", "AU", "CA", "MX", "CL", "SG", "IL", "JO", "MA", "BH", "OM", "PE", "PA", "CO"}
    assert fta | CAFTA_DR <= partners
    column_2 = programmes().filter(pl.col("measure") == "column_2")
    assert dict(column_2.select("valid_from", "partners").iter_rows()) == {
        None: ["CU", "KP"],
        "2022-04-09": ["RU", "BY"],
    }


# --- the real pipeline ------------------------------------------------------------------------

PIPELINE_DROP = "2025-05-01"


def test_usitc_and_tracker_through_the_pipeline(sample_run, tmp_path):
    settings = copy_of_sample_run(sample_run, tmp_path)
    folder = settings.landing / "tariffs" / PIPELINE_DROP
    folder.mkdir(parents=True)
    (folder / "tariff_database_2025.txt").write_bytes(extract(LINES).encode("cp1252"))
    # One dated row per lane: until dbt derives valid_to, open rows of one lane would overlap.
    (folder / "tracker.csv").write_text("time_of_tariff,hs6,tariff\n2018-07-06,870380,40\n")
    (folder / "tracker.csv.meta.json").write_text(json.dumps(TRACKER_SIDECAR))

    pipeline = run_pipeline(settings, DagsterInstance.ephemeral(), keys=[PIPELINE_DROP])
    assert pipeline.result.success

    usitc = f"tariffs/{PIPELINE_DROP}/tariff_database_2025.txt"
    with pipeline.published() as published:
        files = published.execute(
            "select source_file, status, encoding, rows_in, rows_loaded, rows_quarantined, "
            "raw_rows from audit.ingested_files where drop_date = ?",
            [PIPELINE_DROP],
        ).fetchall()
        quarantined = published.execute(
            "select line_number, field from audit.quarantined_rows where source_file = ? "
            "order by line_number",
            [usitc],
        ).fetchall()
    by_file = {row[0]: row[1:] for row in files}
    assert set(by_file) == {usitc, f"tariffs/{PIPELINE_DROP}/tracker.csv"}
    status, encoding, rows_in, loaded, lines_quarantined, raw_rows = by_file[usitc]
    assert (status, encoding, rows_in) == ("loaded", "cp1252", len(LINES))
    assert (loaded, lines_quarantined) == (len(LINES) - len(QUARANTINED), len(QUARANTINED))
    assert quarantined == [(n, field) for n, (field, _, _) in QUARANTINED.items()]

    with duckdb.connect(str(settings.warehouse), read_only=True) as warehouse:
        staged = warehouse.execute(
            "select count(*), count(distinct line_number), "
            "count(*) filter (where measure = 'preferential' and partner = 'KR'), "
            "bool_and(not valid_until_next) "
            "from staging.stg_landing__tariff_measures where source_file = ?",
            [usitc],
        ).fetchone()
        tracker = warehouse.execute(
            "select reporter, partner, hs_digits, measure, rate_pct, valid_until_next "
            "from staging.stg_landing__tariff_measures where source_file = ?",
            [f"tariffs/{PIPELINE_DROP}/tracker.csv"],
        ).fetchall()
    assert staged[0] == raw_rows and staged[1] == loaded
    # 8703.80.00, 8703.23.01, 2208.20.30, 6115.99.00, 8704.21.00 (numeric columns), 8703.31.00
    assert staged[2] == 6
    assert staged[3] is True
    assert tracker == [("CN", "US", "870380", "applied", 40.0, True)]
