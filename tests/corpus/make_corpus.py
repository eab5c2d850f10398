"""Regenerate the bad-input corpus: ``tests/corpus/landing/`` and ``tests/corpus/README.md``.

    uv run python tests/corpus/make_corpus.py

Every file of the corpus is written by this script, byte for byte the same on every run
(gzip without a timestamp, Parquet through Polars, a zip with a fixed date), so the corpus in
the repository is exactly what this script makes: edit the corpus here, run the script, and
commit both. ``tests/test_corpus.py`` runs the real pipeline over the corpus and keeps its own
table of what each file must do; the README's table says the same thing in words.

Each file is named for what is wrong with it (or what is unusual about it but must load). Every
good row in it is realistic and within the contract (``/work/shared/design.md``): MSRP within
10,000-50,000,000 yuan when present, small non-negative unit counts, HS codes of the HS 2022
nomenclature. The run's blocking checks must pass on whatever loads: the corpus tests the
ingest's quarantine, not the Great Expectations suites.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

CORPUS = Path(__file__).resolve().parent
LANDING = CORPUS / "landing"
OUTSIDE = CORPUS / "outside_landing.csv"  # the target of the symlink that leaves the landing

DROP = "2025-03-10"
LATER_DROP = "2025-04-09"
S = f"sales/{DROP}/"
S2 = f"sales/{LATER_DROP}/"
T = f"tariffs/{DROP}/"

HEADER = "period,brand,group,model,trim,powertrain,msrp_cny,units,origin,source"
HEADER_ZH = "月份,品牌,厂商,车型,版本,动力类型,厂商指导价,销量,产地,来源"
TARIFF_HEADER = (
    "reporter,partner,hs_code,measure,company,rate_pct,valid_from,valid_to,legal_basis,source"
)

EU_MFN = (
    "Council Regulation (EEC) No 2658/87 Annex I,https://eur-lex.europa.eu/eli/reg/1987/2658/oj"
)
EU_CVD = (
    "Commission Implementing Regulation (EU) 2024/2754,"
    "https://eur-lex.europa.eu/eli/reg_impl/2024/2754/oj"
)
CN_TARIFF = "Customs Import and Export Tariff of the PRC,http://www.customs.gov.cn/"
CN_COMMISSION = "https://gss.mof.gov.cn/"
US_HTS = "https://hts.usitc.gov/"


@dataclass(frozen=True)
class Entry:
    """One corpus file: its path under the landing root, its bytes (or a symlink target), what
    is wrong with it and what the pipeline must do with it (for the README)."""

    path: str
    data: bytes | None
    about: str
    outcome: str
    link: str | None = None


def lines(*rows: str, newline: str = "\n", final: bool = True) -> str:
    return newline.join(rows) + (newline if final else "")


def utf8(*rows: str) -> bytes:
    return lines(*rows).encode("utf-8")


def gzipped(data: bytes) -> bytes:
    """gzip with no file name and a zero timestamp, so the bytes never change."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as handle:
        handle.write(data)
    return buffer.getvalue()


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def xlsx_like() -> bytes:
    """A small zip shaped like an Excel workbook (what an analyst saves by mistake)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            (
                "[Content_Types].xml",
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns='
                '"http://schemas.openxmlformats.org/package/2006/content-types"/>',
            ),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>"),
        ):
            info = zipfile.ZipInfo(name, date_time=(2025, 3, 10, 9, 0, 0))
            archive.writestr(info, text)
    return buffer.getvalue()


CLEAN_SALES = utf8(
    HEADER,
    "2025-02,AITO,Seres,M9,Max BEV 6-seat,BEV,469800,1520,CN,ThinkerCar",
    "2025-02,BMW,BMW Group,X5,xDrive40Li M Sport,ICE,688900,2310,CN,ThinkerCar",
    "2025-02,Mercedes-Benz,Mercedes-Benz Group,S-Class,S 450L 4MATIC,ICE,1188000,870,DE,ThinkerCar",
)

TRUNCATED_GZIP = gzipped(
    utf8(
        HEADER,
        "2025-01,Porsche,Volkswagen Group,Cayenne,Coupe,ICE,1008000,310,DE,ThinkerCar",
        "2025-01,Porsche,Volkswagen Group,Macan,4,ICE,578000,920,DE,ThinkerCar",
        "2025-01,Porsche,Volkswagen Group,Taycan,4S,BEV,1078000,140,DE,ThinkerCar",
    )
)

TRUNCATED_PARQUET = parquet(
    pl.DataFrame(
        {
            "period": ["2025-01", "2025-01", "2025-01"],
            "brand": ["Lexus", "Lexus", "Lexus"],
            "model": ["LM", "RX", "ES"],
            "units": [380, 1460, 3010],
        }
    )
)


SALES_ENTRIES = [
    Entry(
        S + "sales_clean_reference.csv",
        CLEAN_SALES,
        "nothing: a well-formed UTF-8 file with every column (the control)",
        "loaded: 3 rows",
    ),
    Entry(
        S + "sales_utf8_bom.csv",
        b"\xef\xbb\xbf"
        + utf8(
            HEADER,
            "2025-02,Li Auto,Li Auto,L9,Ultra,EREV,409800,3120,CN,ThinkerCar",
            "2025-02,Porsche,Volkswagen Group,Cayenne,E-Hybrid,PHEV,1058000,240,DE,ThinkerCar",
        ),
        "UTF-8 with a byte-order mark before the header",
        "loaded: 2 rows; encoding utf-8-sig",
    ),
    Entry(
        S + "sales_gb18030_chinese_headers.csv",
        lines(
            HEADER_ZH,
            "2025年2月,问界,赛力斯,问界M9,Ultra 增程 六座,增程,51.98万,980,CN,ThinkerCar",
            "2025年2月,宝马,宝马集团,7系,740Li 尊享型,燃油,100.8万,310,DE,ThinkerCar",
            "2025年2月,奔驰,奔驰集团,GLE,GLE 450 4MATIC,燃油,76.8万,1340,US,ThinkerCar",
        ).encode("gb18030"),
        "GB18030 bytes, Chinese headers, Chinese months and 万 prices",
        "loaded: 3 rows; encoding gb18030; 51.98万 -> 519800",
    ),
    Entry(
        S + "sales_gzip.csv.gz",
        gzipped(
            utf8(
                HEADER,
                "2025-01,AITO,Seres,M7,Max EREV,EREV,299800,4100,CN,ThinkerCar",
                "2025-01,Zeekr,Geely,009,Ultra,BEV,589000,860,CN,ThinkerCar",
            )
        ),
        "gzip-compressed UTF-8 CSV",
        "loaded: 2 rows",
    ),
    Entry(
        S + "sales_gzip_gb18030_chinese_headers.csv.gz",
        gzipped(
            lines(
                HEADER_ZH,
                "2025年1月,理想,理想汽车,L9,Pro,增程,429800,2950,CN,ThinkerCar",
                "2025年1月,蔚来,蔚来,ET9,行政签名版,纯电,788000,120,CN,ThinkerCar",
            ).encode("gb18030")
        ),
        "gzip around a GB18030 file with Chinese headers",
        "loaded: 2 rows; encoding gb18030",
    ),
    Entry(
        S + "sales_parquet_typed_ints.parquet",
        parquet(
            pl.DataFrame(
                {
                    "period": ["2025-02", "2025-02", "2025-02"],
                    "brand": ["AITO", "Audi", "Lexus"],
                    "group": ["Seres", "Volkswagen Group", "Toyota"],
                    "model": ["M7", "A8L", "LM"],
                    "trim": ["Ultra EREV", "60 TFSI quattro", "350h"],
                    "powertrain": ["EREV", "ICE", "HEV"],
                    "msrp_cny": [329800, 1028000, 1168000],
                    "units": [2870, 95, 410],
                    "origin": ["CN", "DE", "JP"],
                    "source": ["ThinkerCar"] * 3,
                },
                schema_overrides={"msrp_cny": pl.Int64, "units": pl.Int32},
            )
        ),
        "Parquet with integer-typed msrp_cny (Int64) and units (Int32)",
        "loaded: 3 rows (line_number = record number)",
    ),
    Entry(
        S + "sales_parquet_date_period_chinese_headers.parquet",
        parquet(
            pl.DataFrame(
                {
                    "月份": [date(2025, 1, 1), date(2025, 1, 1)],
                    "品牌": ["问界", "保时捷"],
                    "车型": ["问界M9", "Taycan"],
                    "版本": ["Max 纯电 六座", "Turbo S"],
                    "厂商指导价": [489800.0, 1793000.0],
                    "销量": [2210, 35],
                }
            )
        ),
        "Parquet with Chinese column names, a Date-typed month and a float price",
        "loaded: 2 rows; period 2025-01-01, 489800.0 -> 489800",
    ),
    Entry(
        S + "sales_parquet_null_units.parquet",
        parquet(
            pl.DataFrame(
                {
                    "period": ["2025-01", "2025-01", "2025-01"],
                    "brand": ["BMW", "BMW", "BMW"],
                    "model": ["X7", "i7", "XM"],
                    "trim": ["xDrive40i", "xDrive60L", "Label"],
                    "units": [640, None, 12],
                },
                schema_overrides={"units": pl.Int64},
            )
        ),
        "Parquet whose second record has a null (required) units",
        "loaded: 2; quarantined record 2 (units: required value is missing)",
    ),
    Entry(
        S + "sales_wan_prices.csv",
        utf8(
            HEADER,
            "2025-02,AITO,Seres,M9,Max EREV 5-seat,EREV,46.98万,2640,CN,ThinkerCar",
            "2025-02,AITO,Seres,M9,Ultra BEV 6-seat,BEV,54.98 万,730,CN,ThinkerCar",
            "2025-02,Mercedes-Benz,Mercedes-Benz Group,G-Class,G 500,ICE,185.8万元,60,AT,"
            "ThinkerCar",
        ),
        "prices in 万 (10,000 yuan), with a space and with 元",
        "loaded: 3 rows; msrp 469800, 549800, 1858000",
    ),
    Entry(
        S + "sales_thousands_separators.csv",
        utf8(
            HEADER,
            '2025-01,AITO,Seres,M9,Max EREV 6-seat,EREV,"499,800","3,120",CN,ThinkerCar',
            '2025-01,BMW,BMW Group,X5,xDrive30Li,ICE,"588,900","2,045",CN,ThinkerCar',
        ),
        "quoted prices and units with thousands separators",
        "loaded: 2 rows; units 3120, 2045",
    ),
    Entry(
        S + "sales_fullwidth_digits.csv",
        utf8(
            HEADER,
            "２０２５－０２,AITO,Seres,M9,Max BEV 5-seat,BEV,４６．９８万,１５２０,CN,ThinkerCar",
            "２０２５年１月,BMW,BMW Group,iX,xDrive50,BEV,７５８０００,１，２３０,DE,ThinkerCar",
        ),
        "full-width digits, dash, point and comma (Chinese input methods)",
        "loaded: 2 rows; folded to ASCII (2025-02, 469800, 1520; 2025-01, 758000, 1230)",
    ),
    Entry(
        S + "sales_chinese_period_format.csv",
        utf8(
            HEADER,
            "2025年2月,AITO,Seres,M5,Max BEV,BEV,279800,427,CN,ThinkerCar",
            "2025年02月,AITO,Seres,M5,Pro EREV,EREV,249800,743,CN,ThinkerCar",
            "2025年2月15日,AITO,Seres,M8,Max EREV,EREV,378000,1890,CN,ThinkerCar",
        ),
        "months written 2025年2月, 2025年02月 and 2025年2月15日",
        "loaded: 3 rows, all period 2025-02-01",
    ),
    Entry(
        S + "sales_period_variants.csv",
        utf8(
            HEADER,
            "2025/2,BMW,BMW Group,5 Series,530Li,ICE,498900,2980,CN,ThinkerCar",
            "202502,BMW,BMW Group,i5,eDrive35L,BEV,439900,1150,CN,ThinkerCar",
            "2025.02,BMW,BMW Group,X3,xDrive30L,ICE,397900,3560,CN,ThinkerCar",
            "2025-02-28,Mercedes-Benz,Mercedes-Benz Group,E-Class,E 300 L,ICE,518900,4020,CN,"
            "ThinkerCar",
        ),
        "months written 2025/2, 202502, 2025.02 and as a date 2025-02-28",
        "loaded: 4 rows, all period 2025-02-01",
    ),
    Entry(
        S + "sales_chinese_powertrain_words.csv",
        utf8(
            HEADER,
            "2025-02,AITO,Seres,M9,Max 6-seat,纯电,469800,1210,CN,ThinkerCar",
            "2025-02,Li Auto,Li Auto,L9,Max,增程,439800,2780,CN,ThinkerCar",
            "2025-02,Denza,BYD,Z9 GT,DM Ultra,插混,334800,1210,CN,ThinkerCar",
            "2025-02,Porsche,Volkswagen Group,Panamera,4 Executive,燃油,1088000,180,DE,ThinkerCar",
        ),
        "powertrain in Chinese: 纯电, 增程, 插混, 燃油",
        "loaded: 4 rows as sent; canonical BEV, EREV, PHEV, ICE downstream",
    ),
    Entry(
        S + "sales_brand_aliases_three_spellings.csv",
        utf8(
            HEADER,
            "2025-01,AITO,Seres,M9,Ultra BEV 6-seat,BEV,549800,610,CN,ThinkerCar",
            "2025-01,Aito,Seres,M9,Max EREV 5-seat,EREV,469800,2870,CN,ThinkerCar",
            "2025-01,问界,赛力斯,问界M9,Ultra EREV 6-seat,增程,519800,1450,CN,ThinkerCar",
        ),
        "one brand spelt AITO, Aito and 问界 (model 问界M9)",
        "loaded: 3 rows; canonical brand AITO, model M9, group Seres downstream",
    ),
    Entry(
        S + "sales_unknown_brand.csv",
        utf8(
            HEADER,
            "2025-02,Novaris,Novaris Holdings,Z,Flagship,BEV,510000,14,CN,ThinkerCar",
            "2025-02,Lotus,Geely,Eletre,R+,BEV,1028000,35,CN,ThinkerCar",
        ),
        "a brand (Novaris, made up) that is in no brand seed",
        "loaded: 2 rows; Novaris kept as sent and flagged is_known_brand = false (a warning)",
    ),
    Entry(
        S + "sales_unknown_powertrain_word.csv",
        utf8(
            HEADER,
            "2025-02,Mercedes-Benz,Mercedes-Benz Group,E-Class,E 300 L 4MATIC,MHEV,528900,2600,CN,"
            "ThinkerCar",
            "2025-02,Volvo,Geely,XC90,B6,ICE,658900,930,SE,ThinkerCar",
        ),
        "a powertrain word (MHEV) that is in no powertrain seed",
        "loaded: 2 rows; MHEV kept and flagged is_known_powertrain = false (a warning)",
    ),
    Entry(
        S + "sales_missing_optional_columns.csv",
        utf8(
            "period,brand,model,units",
            "2025-02,Volvo,XC90,430",
            "2025-02,Cadillac,Escalade,55",
        ),
        "only the required columns (no group, trim, powertrain, price, origin, source)",
        "loaded: 2 rows; msrp null, price_band unknown",
    ),
    Entry(
        S + "sales_extra_columns.csv",
        utf8(
            HEADER + ",region,dealer_count",
            "2025-02,Genesis,Hyundai Motor Group,G90,3.5T AWD,ICE,888000,12,KR,ThinkerCar,华东,9",
            "2025-02,Lincoln,Ford,Navigator,3.5T,ICE,1038000,28,US,ThinkerCar,华南,14",
        ),
        "two columns the contract does not know (region, dealer_count)",
        "loaded: 2 rows; the columns kept as JSON in extra, listed in the manifest's extra_columns",
    ),
    Entry(
        S + "sales_missing_required_units_column.csv",
        utf8(
            "period,brand,group,model,trim,powertrain,msrp_cny,origin,source",
            "2025-02,AITO,Seres,M9,Max BEV 6-seat,BEV,469800,CN,ThinkerCar",
        ),
        "no units column (required)",
        "rejected: the message names the file and the column units",
    ),
    Entry(
        S + "sales_negative_units.csv",
        utf8(
            HEADER,
            "2025-01,Land Rover,JLR (Tata),Range Rover,P400 LWB,ICE,1988000,120,GB,ThinkerCar",
            "2025-01,Land Rover,JLR (Tata),Defender,110 P400,ICE,788000,-12,GB,ThinkerCar",
        ),
        "units -12",
        "loaded: 1; quarantined line 3 (units: negative units)",
    ),
    Entry(
        S + "sales_fractional_units.csv",
        utf8(
            HEADER,
            "2025-01,Maserati,Stellantis,Grecale,Trofeo,ICE,1038800,12.0,IT,ThinkerCar",
            "2025-01,Maserati,Stellantis,MC20,Coupe,ICE,2598000,12.5,IT,ThinkerCar",
        ),
        "units 12.0 (a whole number written as a float) and 12.5",
        "loaded: 1 (12.0 -> 12); quarantined line 3 (units: fractional units)",
    ),
    Entry(
        S + "sales_unparseable_period.csv",
        utf8(
            HEADER,
            "2025-02,Tesla,Tesla,Model S,Plaid,BEV,814900,30,US,ThinkerCar",
            "2025-13,Tesla,Tesla,Model X,Plaid,BEV,894900,22,US,ThinkerCar",
            "Feb 2025,Tesla,Tesla,Model Y,Long Range AWD,BEV,293900,5210,CN,ThinkerCar",
        ),
        "months 2025-13 and Feb 2025",
        "loaded: 1; quarantined lines 3 and 4 (period: not a month)",
    ),
    Entry(
        S + "sales_unparseable_price.csv",
        utf8(
            HEADER,
            "2025-02,Xiaomi,Xiaomi,SU7 Ultra,Ultra,BEV,529900,1230,CN,ThinkerCar",
            "2025-02,Xiaomi,Xiaomi,SU7,Max,BEV,#VALUE!,4020,CN,ThinkerCar",
        ),
        "a price cell holding an Excel error (#VALUE!)",
        "loaded: 1; quarantined line 3 (msrp_cny: not a price)",
    ),
    Entry(
        S + "sales_negative_price.csv",
        utf8(
            HEADER,
            "2025-02,Stelato,BAIC,S9,Ultra,BEV,449800,1020,CN,ThinkerCar",
            "2025-02,Luxeed,Chery,S7,Max+,BEV,-299800,860,CN,ThinkerCar",
        ),
        "a negative price",
        "loaded: 1; quarantined line 3 (msrp_cny: negative price)",
    ),
    Entry(
        S + "sales_zero_msrp_means_unknown.csv",
        utf8(
            HEADER,
            "2025-01,Rolls-Royce,BMW Group,Cullinan,Series II,ICE,0,9,GB,ThinkerCar",
            "2025-01,Bentley,Volkswagen Group,Bentayga,EWB Azure,ICE,,11,GB,ThinkerCar",
            "2025-01,Ferrari,Ferrari,Purosangue,V12,ICE,6580000,4,IT,ThinkerCar",
        ),
        "price 0 (how some exports write a missing price) and an empty price",
        "loaded: 3 rows; the first two keep their units with msrp null, price_band unknown",
    ),
    Entry(
        S + "sales_one_line_too_many_fields.csv",
        utf8(
            HEADER,
            "2025-02,Avatr,Changan,12,Ultra EREV,EREV,309900,1760,CN,ThinkerCar",
            "2025-02,Avatr,Changan,07,Max,BEV,249900,2410,CN,ThinkerCar,surplus note",
            "2025-02,Voyah,Dongfeng,Dreamer,Ultra,PHEV,369900,980,CN,ThinkerCar",
        ),
        "line 3 has 11 fields under a 10-column header",
        "loaded: 2; quarantined line 3 whole (field null: more fields than the header)",
    ),
    Entry(
        S + "sales_unclosed_quote_line.csv",
        utf8(
            HEADER,
            "2025-02,Denza,BYD,N9,Ultra,PHEV,389800,1320,CN,ThinkerCar",
            '2025-02,Yangwang,BYD,U8,"Luxury Edition,EREV,1098000,210,CN,ThinkerCar',
            '2025-02,Yangwang,BYD,U9,"Track Edition, carbon",BEV,1680000,12,CN,ThinkerCar',
            "2025-02,Denza,BYD,D9,DM-i Ultra,PHEV,459800,8700,CN,ThinkerCar",
        ),
        "line 3 opens a quote it never closes; line 4 has a correctly quoted comma",
        "loaded: 3 (lines 2, 4, 5); quarantined line 3 whole (field null: not valid CSV)",
    ),
    Entry(
        S + "sales_blank_lines.csv",
        utf8(
            HEADER,
            "2025-01,IM Motors,SAIC,L7,Max,BEV,259800,410,CN,ThinkerCar",
            "",
            "2025-01,IM Motors,SAIC,LS7,Max,BEV,289900,380,CN,ThinkerCar",
            "",
            "2025-01,IM Motors,SAIC,L6,Max,BEV,239900,n/a,CN,ThinkerCar",
            "2025-01,Hongqi,FAW,H9,2.0T Flagship,ICE,309800,850,CN,ThinkerCar",
            "",
        ),
        "empty lines between records and at the end",
        "loaded: 3 (lines 2, 4, 7); quarantined line 6 (units: not a number); "
        "blank lines are not records: neither loaded nor quarantined",
    ),
    Entry(
        S + "sales_empty_file.csv",
        b"",
        "zero bytes",
        "rejected (no header): the message names the file",
    ),
    Entry(
        S + "sales_header_only.csv",
        utf8(HEADER),
        "a header and no records",
        "loaded: 0 rows, 0 quarantined",
    ),
    Entry(
        S + "sales_sql_injection_text.csv",
        utf8(
            HEADER,
            "2025-02,BMW,BMW Group,i7,'); drop table x; --,BEV,1458000,44,DE,ThinkerCar",
            "2025-02,Audi,Volkswagen Group,Q7,55 TFSI quattro,ICE,798800,310,SK,"
            "Robert'); DROP TABLE raw.sales;--",
        ),
        "SQL in a trim and in a source",
        "loaded: 2 rows; the text lands verbatim and nothing is dropped",
    ),
    Entry(
        S + "sales_wrong_extension.xlsx",
        xlsx_like(),
        "an Excel workbook (.xlsx) in the sales drop",
        "rejected: the message names the file and the formats the feed accepts",
    ),
    Entry(
        S + "sales_duplicate_header_aliases.csv",
        utf8(
            "period,brand,model,units,销量",
            "2025-02,AITO,M9,1520,1520",
        ),
        "two headers (units and 销量) that both mean units",
        "rejected: the message names the file and both columns",
    ),
    Entry(
        S + "sales_same_header_twice.csv",
        utf8(
            "period,brand,model,trim,units,units",
            "2025-02,BMW,X5,xDrive40Li,2310,2301",
        ),
        "the header units written twice, with different figures below",
        "rejected: the message names the file and the column units (no silent pick of one)",
    ),
    Entry(
        S + "sales_title_row_above_header.csv",
        utf8(
            "2025年2月高端车型销量（来源：ThinkerCar）",
            HEADER,
            "2025-02,AITO,Seres,M9,Max BEV 6-seat,BEV,469800,1520,CN,ThinkerCar",
        ),
        "a report title on line 1, the header on line 2",
        "rejected: required columns missing (the title is read as the header)",
    ),
    Entry(
        S + "sales_total_row_at_end.csv",
        utf8(
            HEADER,
            "2025-02,NIO,NIO,ET9,Executive,BEV,788000,150,CN,ThinkerCar",
            "2025-02,NIO,NIO,ES8,Signature,BEV,548000,640,CN,ThinkerCar",
            "合计,,,,,,,790,,",
        ),
        "a 合计 (total) row at the bottom",
        "loaded: 2; quarantined line 4 (period: not a month), so the total is never counted",
    ),
    Entry(
        S + "sales_semicolon_delimited.csv",
        utf8(
            "period;brand;model;units",
            "2025-02;AITO;M9;1520",
        ),
        "semicolons as delimiters (a European Excel export)",
        "rejected: required columns missing (the whole header is one column)",
    ),
    Entry(
        S + "sales_crlf_line_endings.csv",
        lines(
            HEADER,
            "2025-01,Genesis,Hyundai Motor Group,GV80,3.5T AWD,ICE,588000,26,KR,ThinkerCar",
            "2025-01,Cadillac,General Motors,Lyriq,Luxury,BEV,439700,510,CN,ThinkerCar",
            newline="\r\n",
        ).encode("utf-8"),
        "Windows line endings (CRLF)",
        "loaded: 2 rows; no carriage return left in the last column",
    ),
    Entry(
        S + "sales_no_final_newline.csv",
        lines(
            HEADER,
            "2025-01,Volvo,Geely,EX90,Twin Motor Ultra,BEV,808000,120,CN,ThinkerCar",
            "2025-01,Volvo,Geely,XC90,B5 Plus,ICE,608900,930,SE,ThinkerCar",
            final=False,
        ).encode("utf-8"),
        "the last record has no line ending",
        "loaded: 2 rows",
    ),
    Entry(
        S + "sales_quoted_newline_in_trim.csv",
        utf8(
            HEADER,
            '2025-01,Mercedes-Benz,Mercedes-Benz Group,Maybach S-Class,"S 480 4MATIC\nMaybach",'
            "ICE,1498000,160,DE,ThinkerCar",
            "2025-01,Mercedes-Benz,Mercedes-Benz Group,EQS,450+,BEV,918000,95,DE,ThinkerCar",
        ),
        "a quoted trim spanning two lines (valid CSV)",
        "loaded: 2 rows; the trim keeps its line break",
    ),
    Entry(
        S + "sales_header_case_and_spaces.csv",
        utf8(
            " Period , BRAND ,Model,MSRP (CNY), Units ",
            "2025-02,Lexus,LX,1158000,85",
            "2025-02,Lexus,ES,299900,3180",
        ),
        "headers in odd case, padded with spaces, MSRP (CNY)",
        "loaded: 2 rows; MSRP (CNY) -> msrp_cny",
    ),
    Entry(
        S + "sales_header_aliases_english.csv",
        utf8(
            "month,make,manufacturer,model_name,variant,fuel_type,guide_price,deliveries,"
            "country_of_origin,data_source",
            "2025-02,Porsche,Volkswagen Group,Macan,Electric 4,BEV,588000,430,DE,ThinkerCar",
            "2025-02,Porsche,Volkswagen Group,911,Carrera T,ICE,1398000,55,DE,ThinkerCar",
        ),
        "every field under an English alias (month, make, deliveries, guide_price, ...)",
        "loaded: 2 rows",
    ),
    Entry(
        S + "sales_required_value_empty.csv",
        utf8(
            HEADER,
            "2025-01,,Seres,M9,Max BEV 6-seat,BEV,489800,77,CN,ThinkerCar",
            "2025-01,BMW,BMW Group,  ,xDrive40Li,ICE,688900,99,CN,ThinkerCar",
            "2025-01,Audi,Volkswagen Group,A8L,55 TFSI quattro,ICE,878000,,DE,ThinkerCar",
            "2025-01,Audi,Volkswagen Group,Q8,55 TFSI quattro,ICE,938000,160,SK,ThinkerCar",
        ),
        "an empty brand, a blank (spaces) model, an empty units",
        "loaded: 1; quarantined lines 2 (brand), 3 (model), 4 (units): required value is missing",
    ),
    Entry(
        S + "sales_two_bad_fields_first_reported.csv",
        utf8(
            HEADER,
            "2025-13,Rolls-Royce,BMW Group,Spectre,Black Badge,BEV,7600000,-1,GB,ThinkerCar",
            "2025-02,Rolls-Royce,BMW Group,Ghost,Series II,ICE,3680000,7,GB,ThinkerCar",
        ),
        "line 2 breaks two fields (period 2025-13 and units -1)",
        "loaded: 1; line 2 quarantined once, on the first failing field (period: not a month)",
    ),
    Entry(
        S + "sales_price_currency_marks.csv",
        utf8(
            HEADER,
            "2025-02,BMW,BMW Group,X7,xDrive40i,ICE,¥958900,640,US,ThinkerCar",
            "2025-02,BMW,BMW Group,i7,eDrive50L,BEV,1048000元,70,DE,ThinkerCar",
            '2025-02,BMW,BMW Group,XM,Label,PHEV,"RMB 2,398,000",6,US,ThinkerCar',
            "2025-02,BMW,BMW Group,M5,Touring,PHEV,￥145.9万,9,DE,ThinkerCar",
        ),
        "prices with ¥, 元, RMB and ￥...万",
        "loaded: 4 rows; msrp 958900, 1048000, 2398000, 1459000",
    ),
    Entry(
        S + "sales_whitespace_and_case.csv",
        utf8(
            HEADER,
            "2025-01, aito ,seres, M9 , Max BEV 6-seat , bev ,489800,1310, cn ,ThinkerCar",
            "2025-01,MERCEDES-BENZ,Mercedes-Benz Group,GLS,GLS 450 4MATIC,ICE,1068000,480,US,"
            "ThinkerCar",
        ),
        "values padded with spaces, brands and powertrain in the wrong case",
        "loaded: 2 rows; trimmed; origin CN; canonical AITO / Mercedes-Benz and BEV downstream",
    ),
    Entry(
        S + "sales_unicode_whitespace.csv",
        utf8(
            HEADER,
            "2025-01,\u3000BYD\u3000,BYD,\u00a0Han\u00a0,\tEV Champion\t,BEV,209800,2100,CN,"
            "\u2003ThinkerCar",
            "2025-01,\u3000\u00a0,BYD,Seal,EV,BEV,179800,900,CN,ThinkerCar",
            "2025-01,BYD,BYD,\t\u2028,EV,BEV,179800,900,CN,ThinkerCar",
            "2025-01,BYD,BYD,Song PLUS,\u3000,PHEV,159800,1800,CN,ThinkerCar",
        ),
        "text padded with Unicode whitespace (ideographic and no-break spaces, a tab, an em "
        "space); a brand and a model of whitespace alone; a trim of one ideographic space",
        "loaded: 2 rows, trimmed downstream (the trim of line 5 null); quarantined lines 3 "
        "(brand), 4 (model): required value is missing",
    ),
    Entry(
        S + "sales_uppercase_extension.CSV",
        utf8(HEADER, "2025-01,Zeekr,Geely,001,YOU,BEV,329000,3900,CN,ThinkerCar"),
        "the extension in capitals (.CSV)",
        "loaded: 1 row",
    ),
    Entry(
        S + "sales_plain_text_named_gz.csv.gz",
        utf8(HEADER, "2025-01,Xiaomi,Xiaomi,SU7,Max,BEV,299900,8120,CN,ThinkerCar"),
        "plain text named .csv.gz (not gzip)",
        "rejected: cannot be read; the message names the file",
    ),
    Entry(
        S + "sales_truncated_gzip.csv.gz",
        TRUNCATED_GZIP[: len(TRUNCATED_GZIP) // 2],
        "the first half of a gzip stream (an interrupted upload)",
        "rejected: cannot be read; the message names the file; the run goes on",
    ),
    Entry(
        S + "sales_truncated_parquet.parquet",
        TRUNCATED_PARQUET[: len(TRUNCATED_PARQUET) // 2],
        "the first half of a Parquet file (no footer)",
        "rejected: cannot be read; the message names the file",
    ),
    Entry(
        S + "sales_short_line_missing_trailing_fields.csv",
        utf8(
            HEADER,
            "2025-01,Lamborghini,Volkswagen Group,Urus,SE,PHEV,3150000,40",
            "2025-01,Lamborghini,Volkswagen Group,Revuelto",
        ),
        "lines that stop early: line 2 after units, line 3 after model",
        "loaded: 1 (origin, source null); quarantined line 3 (units: required value is missing)",
    ),
    Entry(
        S + "sales_trailing_comma_every_line.csv",
        utf8(
            HEADER + ",",
            "2025-02,Li Auto,Li Auto,MEGA,Ultra,BEV,529800,1030,CN,ThinkerCar,",
            "2025-02,Li Auto,Li Auto,L8,Max,EREV,359800,1750,CN,ThinkerCar,",
        ),
        "a trailing comma on every line (an empty unnamed last column)",
        "loaded: 2 rows",
    ),
    Entry(
        S + "sales_quote_inside_unquoted_value.csv",
        utf8(
            HEADER,
            '2025-02,Zeekr,Geely,009,Grand "Launch Edition",BEV,789000,90,CN,ThinkerCar',
        ),
        "double quotes inside an unquoted value",
        'loaded: 1 row; the trim kept verbatim (Grand "Launch Edition")',
    ),
    Entry(
        S + "sales_same_trim_twice_last_line_wins.csv",
        utf8(
            HEADER,
            "2025-01,Mercedes-Benz,Mercedes-Benz Group,EQS SUV,450 4MATIC,BEV,908000,210,US,"
            "ThinkerCar",
            "2025-01,Mercedes-Benz,Mercedes-Benz Group,EQS SUV,450 4MATIC,BEV,908000,215,US,"
            "ThinkerCar",
        ),
        "the same month and trim twice in one file (a corrected figure below)",
        "loaded: 2 rows in staging; the last line (215) is the restated figure",
    ),
    Entry(
        S + "sales_utf8_with_one_latin1_byte.csv",
        lines(
            HEADER,
            "2025年2月,问界,赛力斯,问界M7,Ultra 增程,增程,329800,3310,CN,ThinkerCar",
            "2025-02,Porsche,Volkswagen Group,Cayenne,Coup\udce9 E-Hybrid,PHEV,1108000,130,DE,"
            "ThinkerCar",
        ).encode("utf-8", errors="surrogateescape"),
        "UTF-8 except one Latin-1 byte (é as 0xE9) pasted into a trim",
        "loaded: line 2 intact (问界, 2025年2月); line 3 loaded or quarantined on trim, "
        "never a period error caused by decoding the whole file as GB18030",
    ),
    Entry(
        S + "sales_symlink_leaving_landing.csv",
        None,
        "a symbolic link to a file outside the landing folder",
        "rejected, never read (no OUTSIDE row anywhere); one quarantine row names the file",
        link="../../../outside_landing.csv",
    ),
    Entry(
        S + ".~lock.sales_clean_reference.csv#",
        b",analyst,workstation,10.03.2025 09:12,file:///home/analyst/.config/libreoffice/4;\n",
        "a hidden editor lock file",
        "not part of the drop: not listed in audit.ingested_files",
    ),
    Entry(
        S2 + "sales_same_content_dropped_again.csv",
        CLEAN_SALES,
        f"the same bytes as {S}sales_clean_reference.csv, in a later drop",
        "duplicate: 0 rows loaded, nothing quarantined; the message names the earlier file",
    ),
    Entry(
        S2 + "sales_restates_february_later_drop.csv",
        utf8(HEADER, "2025-02,AITO,Seres,M9,Max BEV 6-seat,BEV,469800,1580,CN,ThinkerCar"),
        "a later drop revising February's AITO M9 Max BEV 6-seat (1520 -> 1580)",
        "loaded: 1 row; the later drop wins downstream",
    ),
]


TARIFF_ENTRIES = [
    Entry(
        T + "tariffs_clean_reference.csv",
        utf8(
            TARIFF_HEADER,
            f"EU,*,8703,MFN,,10.0,2018-01-01,,{EU_MFN}",
            f"EU,CN,8703.80,CVD,BYD,17.0,2024-10-30,,{EU_CVD}",
            f"EU,CN,8703.80,CVD,,35.3,2024-10-30,,{EU_CVD}",
        ),
        "nothing: a well-formed tariff CSV (the control)",
        "loaded: 3 rows",
    ),
    Entry(
        T + "tariffs_json_array.json",
        b"""[
  {"reporter": "CN", "partner": "EU", "hs_code": "2208.20", "measure": "MFN", "company": null,
   "rate_pct": 10.0, "valid_from": "2018-01-01", "valid_to": null,
   "legal_basis": "Customs Import and Export Tariff of the PRC, line 22082000",
   "source": "http://www.customs.gov.cn/"},
  {"reporter": "CN", "partner": "EU", "hs_code": "2208.20", "measure": "AD", "company": "",
   "rate_pct": 34.9, "valid_from": "2025-07-05", "valid_to": null,
   "legal_basis": "MOFCOM final determination on brandy from the EU",
   "source": "http://www.mofcom.gov.cn/"}
]
""",
        "a JSON array of measures, numbers as JSON numbers, nulls",
        "loaded: 2 rows (line_number = record number)",
    ),
    Entry(
        T + "tariffs_json_object_with_measures.json",
        b"""{
  "publisher": "autotrade tariff desk",
  "as_of": "2025-03-10",
  "measures": [
    {"reporter": "US", "partner": "*", "hs_code": "8703", "measure": "MFN", "rate_pct": 2.5,
     "valid_from": "2018-01-01", "legal_basis": "HTSUS heading 8703, column 1 general",
     "source": "https://hts.usitc.gov/"},
    {"reporter": "US", "partner": "CN", "hs_code": "8703.80", "measure": "section_301",
     "rate_pct": 100, "valid_from": "2024-09-27",
     "legal_basis": "USTR Section 301 four-year review modifications",
     "source": "https://ustr.gov/"}
  ]
}
""",
        "a JSON object holding the measures under measures",
        "loaded: 2 rows",
    ),
    Entry(
        T + "tariffs_json_utf8_bom.json",
        b"\xef\xbb\xbf"
        + """[{"reporter": "CN", "partner": "*", "hs_code": "8703", "measure": "MFN",
  "rate_pct": 15.0, "valid_from": "2018-07-01", "legal_basis": "税委会公告〔2018〕3号",
  "source": "https://gss.mof.gov.cn/"}]
""".encode(),
        "JSON with a UTF-8 byte-order mark and Chinese text",
        "loaded: 1 row; the legal basis verbatim",
    ),
    Entry(
        T + "tariffs_json_hs_code_as_number.json",
        b"""[
  {"reporter": "KR", "partner": "*", "hs_code": 8703, "measure": "MFN", "rate_pct": 8.0,
   "valid_from": "2018-01-01", "legal_basis": "Customs Act of Korea, tariff schedule 8703",
   "source": "https://unipass.customs.go.kr/"},
  {"reporter": "KR", "partner": "US", "hs_code": 8703.80, "measure": "MFN", "rate_pct": 0.0,
   "valid_from": "2016-01-01", "legal_basis": "KORUS FTA tariff schedule of Korea",
   "source": "https://ustr.gov/"}
]
""",
        "HS codes as JSON numbers: 8703 (fine) and 8703.80, which JSON reads as 8703.8",
        "loaded: record 1 (8703); quarantined record 2 (hs_code): a 5-digit code 8703.8 is "
        "no HS code, and 8703.80 must never silently become it",
    ),
    Entry(
        T + "tariffs_malformed.json",
        b'[{"reporter": "EU", "partner": "CN", "hs_code": "8703.80", "measure": "CVD", '
        b'"company": "Geely", "rate_pct": 18.8, ',
        "JSON cut off in the middle of a record",
        "rejected: cannot be read; the message names the file",
    ),
    Entry(
        T + "tariffs_json_object_without_measures.json",
        b'{"error": "rate limit exceeded", "retry_after": 60}\n',
        "a JSON object with no list of measures (an API error saved as a file)",
        "rejected: the message names the file",
    ),
    Entry(
        T + "tariffs_hs_code_too_short.csv",
        utf8(
            TARIFF_HEADER,
            "JP,*,8703,MFN,,0.0,2018-01-01,,Customs Tariff Schedules of Japan heading 8703,"
            "https://www.customs.go.jp/",
            "JP,*,870,MFN,,0.0,2018-01-01,,Customs Tariff Schedules of Japan heading 8703,"
            "https://www.customs.go.jp/",
        ),
        "an HS code of 3 digits",
        "loaded: 1; quarantined line 3 (hs_code: must have 4, 6, 8 or 10 digits)",
    ),
    Entry(
        T + "tariffs_hs_code_with_letters.csv",
        utf8(
            TARIFF_HEADER,
            "KR,JP,8703,MFN,,8.0,2018-01-01,,Customs Act of Korea tariff schedule heading 8703,"
            "https://unipass.customs.go.kr/",
            "KR,CN,8703.8O,MFN,,8.0,2018-01-01,,Customs Act of Korea tariff schedule heading 8703,"
            "https://unipass.customs.go.kr/",
            "KR,DE,HS8703,MFN,,8.0,2018-01-01,,Customs Act of Korea tariff schedule heading 8703,"
            "https://unipass.customs.go.kr/",
        ),
        "HS codes 8703.8O (letter O) and HS8703",
        "loaded: 1; quarantined lines 3 and 4 (hs_code: must have 4, 6, 8 or 10 digits)",
    ),
    Entry(
        T + "tariffs_hs_code_too_long.csv",
        utf8(
            TARIFF_HEADER,
            f"US,JP,8703.80.00.10,MFN,,2.5,2018-01-01,,HTSUS statistical line 8703800010,{US_HTS}",
            f"US,JP,8703.80.00.10.1,MFN,,2.5,2018-01-01,,HTSUS statistical line,{US_HTS}",
        ),
        "an HS code of 11 digits",
        "loaded: 1 (10 digits, 8703.80.00.10); quarantined line 3 (hs_code: 4, 6, 8 or 10 digits)",
    ),
    Entry(
        T + "tariffs_hs_code_undotted_and_spaced.csv",
        utf8(
            TARIFF_HEADER,
            "CN,US,870380,retaliatory,,25.0,2018-07-06,2018-12-31,"
            f"Tariff Commission announcement 2018 No. 5,{CN_COMMISSION}",
            f"CN,KR,8703 80,MFN,,15.0,2018-07-01,,{CN_TARIFF}",
            "CN,FR,22082000,AD,,34.9,2025-07-05,,MOFCOM final determination on brandy from the EU,"
            "http://www.mofcom.gov.cn/",
        ),
        "HS codes without dots (870380, 22082000) and with a space (8703 80)",
        "loaded: 3 rows; written 8703.80, 8703.80, 2208.20.00",
    ),
    Entry(
        T + "tariffs_unknown_measure_kind.csv",
        utf8(
            TARIFF_HEADER,
            f"US,MX,8703,mfn,,2.5,2018-01-01,,HTSUS heading 8703 column 1 general,{US_HTS}",
            f"US,CN,8703,anti-dumping,,25.0,2025-04-03,,HTSUS heading 8703,{US_HTS}",
            "US,*,8703,Section_232,,25.0,2025-04-03,,Proclamation 10908 (imports of automobiles),"
            "https://www.whitehouse.gov/",
        ),
        "measure kinds mfn and Section_232 (wrong case) and anti-dumping (not a kind)",
        "loaded: 2 (MFN, section_232); quarantined line 3 (measure: not one of the kinds)",
    ),
    Entry(
        T + "tariffs_negative_rate.csv",
        utf8(
            TARIFF_HEADER,
            f"EU,CN,8703.80,CVD,Geely,18.8,2024-10-30,,{EU_CVD}",
            f"EU,CN,8703.80,CVD,SAIC,-35.3,2024-10-30,,{EU_CVD}",
        ),
        "a rate of -35.3",
        "loaded: 1; quarantined line 3 (rate_pct: negative rate)",
    ),
    Entry(
        T + "tariffs_rate_with_percent_sign.csv",
        utf8(
            TARIFF_HEADER,
            f"EU,CN,8703.80,CVD,SAIC,35.3%,2024-10-30,,{EU_CVD}",
            f"EU,CN,8703.80,CVD,Tesla,7.8 %,2024-10-30,,{EU_CVD}",
            f"EU,CN,8703.80,CVD,Dongfeng Motor,２０．７％,2024-10-30,,{EU_CVD}",
        ),
        "rates written 35.3%, 7.8 % and full-width ２０．７％",
        "loaded: 3 rows; rate_pct 35.3, 7.8, 20.7",
    ),
    Entry(
        T + "tariffs_rate_not_a_number.csv",
        utf8(
            TARIFF_HEADER,
            f"CN,US,8703.24,retaliatory,,10.0,2025-02-10,,Tariff Commission 2025-2,{CN_COMMISSION}",
            f"CN,US,8703.80,retaliatory,,see Annex I,2025-04-10,,Tariff Commission,{CN_COMMISSION}",
        ),
        "a rate cell that says see Annex I",
        "loaded: 1; quarantined line 3 (rate_pct: not a rate)",
    ),
    Entry(
        T + "tariffs_valid_to_before_valid_from.csv",
        utf8(
            TARIFF_HEADER,
            "US,CN,8703.80,reciprocal,,125.0,2025-04-10,2025-05-13,Executive Order 14266,"
            "https://www.whitehouse.gov/",
            "US,CN,8703.80,reciprocal,,10.0,2025-05-14,2025-04-13,Executive Order 14298,"
            "https://www.whitehouse.gov/",
        ),
        "a measure that ends (2025-04-13) before it starts (2025-05-14)",
        "loaded: 1; quarantined line 3 (valid_to: valid_to is before valid_from)",
    ),
    Entry(
        T + "tariffs_star_partner.csv",
        utf8(
            TARIFF_HEADER,
            "JP,*,2208.20,MFN,,0.0,2018-01-01,,Customs Tariff Schedules of Japan heading 2208.20,"
            "https://www.customs.go.jp/",
            f"cn,kr,8703,MFN,,15.0,2018-07-01,,{CN_TARIFF}",
        ),
        "partner * (every origin) and codes in lower case (cn, kr)",
        "loaded: 2 rows; partner *, KR; reporter JP, CN",
    ),
    Entry(
        T + "tariffs_unparseable_date.csv",
        utf8(
            TARIFF_HEADER,
            "CA,CN,8703.80,safeguard,,100.0,2024/10/01,,Canada surtax order on Chinese EVs,"
            "https://www.canada.ca/",
            "TR,CN,8703.80,AD,,40.0,5 July 2025,,Turkish additional duty decision,"
            "https://www.resmigazete.gov.tr/",
            "CN,EU,2208.20,AD,Jas Hennessy,34.9,20250705,2025-02-30,MOFCOM final determination,"
            "http://www.mofcom.gov.cn/",
            f"CN,AU,2208.20,MFN,,10.0,20180101,,{CN_TARIFF}",
        ),
        "dates 5 July 2025 and 2025-02-30; also 2024/10/01 and 20180101 (valid)",
        "loaded: 2 (lines 2, 5); quarantined line 3 (valid_from) and 4 (valid_to): not a date",
    ),
    Entry(
        T + "tariffs_missing_required_valid_from_column.csv",
        utf8(
            "reporter,partner,hs_code,measure,company,rate_pct,valid_to,legal_basis,source",
            f"EU,CN,8703.80,CVD,BYD,17.0,,{EU_CVD}",
        ),
        "no valid_from column (required)",
        "rejected: the message names the file and the column valid_from",
    ),
    Entry(
        T + "tariffs_header_aliases.csv",
        utf8(
            "imposing_country,exporter_country,hscode,measure_type,exporter,duty_pct,start_date,"
            "end_date,regulation,url",
            f"EU,CN,870380,CVD,Tesla (Shanghai),7.8,2024-10-30,,{EU_CVD}",
            f"EU,CN,870380,CVD,SAIC Motor,35.3,2024-10-30,,{EU_CVD}",
        ),
        "every field under an alias (imposing_country, hscode, duty_pct, start_date, ...)",
        "loaded: 2 rows",
    ),
    Entry(
        T + "tariffs_parquet_not_accepted.parquet",
        parquet(
            pl.DataFrame(
                {
                    "reporter": ["EU"],
                    "partner": ["CN"],
                    "hs_code": ["8703.80"],
                    "measure": ["CVD"],
                    "rate_pct": [20.7],
                    "valid_from": ["2024-10-30"],
                }
            )
        ),
        "Parquet in the tariff feed, which takes CSV (.csv, .txt, .csv.gz) and JSON only",
        "rejected: the message names the file and the formats the feed accepts",
    ),
    Entry(
        T + "tariffs_windows_1252_specific_duty.txt",
        lines(
            TARIFF_HEADER,
            "US,*,2208.20,MFN,,1.9¢/kg,2017-01-01,,HTSUS column 1 général (taux spécifique),"
            f"{US_HTS}",
        ).encode("cp1252"),
        "Windows-1252 bytes (¢ is 0xA2, é 0xE9) in a .txt file holding CSV; a specific duty",
        "loaded: 1 row; encoding cp1252; rate_pct 0 with the specific amount 1.9 USD cents/kg",
    ),
    Entry(
        T + "tariffs_tracker_series.csv",
        utf8("time_of_tariff,hs6,tariff", "2018-07-06,870380,40"),
        "a tracker series whose header names no reporter, partner or measure: see its sidecar",
        "loaded: 1 row, CN on US, applied, valid_until_next true",
    ),
    Entry(
        T + "tariffs_tracker_series.csv.meta.json",
        utf8(
            '{"constants": {"reporter": "CN", "partner": "US", "measure": "applied"}, '
            '"columns": {"time_of_tariff": "valid_from", "hs6": "hs_code", "tariff": "rate_pct"}, '
            '"valid_until_next": true}'
        ),
        "the sidecar of tariffs_tracker_series.csv",
        "not part of the drop as data: not listed in audit.ingested_files",
    ),
    Entry(
        T + "tariffs_sidecar_unknown_field.csv",
        utf8("time_of_tariff,hs6,tariff", "2018-07-06,220820,15"),
        "a tracker series whose sidecar maps a header to a field the feed does not have",
        "rejected: the message names the sidecar and the unknown field duty_rate",
    ),
    Entry(
        T + "tariffs_sidecar_unknown_field.csv.meta.json",
        utf8(
            '{"constants": {"reporter": "CN", "partner": "US", "measure": "applied"}, '
            '"columns": {"time_of_tariff": "valid_from", "hs6": "hs_code", "tariff": "duty_rate"}}'
        ),
        "the sidecar of tariffs_sidecar_unknown_field.csv, naming an unknown field",
        "not part of the drop as data: not listed in audit.ingested_files",
    ),
    Entry(
        T + "tariffs_gb18030_chinese_legal_basis.csv",
        lines(
            TARIFF_HEADER,
            "CN,US,8703,retaliatory,,34.0,2025-04-10,2025-05-13,国务院关税税则委员会公告2025年第4号,"
            f"{CN_COMMISSION}",
            "CN,US,8703,retaliatory,,10.0,2025-05-14,,国务院关税税则委员会公告2025年第5号,"
            f"{CN_COMMISSION}",
        ).encode("gb18030"),
        "GB18030 bytes with Chinese legal bases",
        "loaded: 2 rows; encoding gb18030; the legal basis verbatim",
    ),
    Entry(
        T + "tariffs_empty_required_rate.csv",
        utf8(
            TARIFF_HEADER,
            "IN,*,8703,MFN,,70.0,2024-02-01,,Customs Tariff of India heading 8703,"
            "https://www.cbic.gov.in/",
            "IN,CN,8703.80,safeguard,,,2024-02-01,,Customs Tariff of India heading 8703,"
            "https://www.cbic.gov.in/",
            ",CN,8703.80,AD,,15.0,2025-01-01,,Anti-dumping notice (reporter left out),",
        ),
        "an empty rate_pct and an empty reporter (both required)",
        "loaded: 1; quarantined line 3 (rate_pct) and 4 (reporter): required value is missing",
    ),
]

ENTRIES = SALES_ENTRIES + TARIFF_ENTRIES

OUTSIDE_TEXT = utf8(
    HEADER, "2025-02,OUTSIDE,Nobody,Secret,Never read,BEV,500000,1,CN,outside the landing"
)


def _check(entries: list[Entry]) -> None:
    """Only the intended pair shares bytes: the ingest loads the same bytes once per feed."""
    seen: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.data is None or entry.path.rsplit("/", 1)[-1].startswith("."):
            continue
        key = (entry.path.split("/", 1)[0], hashlib.sha256(entry.data).hexdigest())
        if key in seen and not entry.path.endswith("sales_same_content_dropped_again.csv"):
            raise SystemExit(f"{entry.path} has the same bytes as {seen[key]}")
        seen.setdefault(key, entry.path)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def readme(entries: list[Entry]) -> str:
    rows = "\n".join(
        f"| `{_cell(e.path)}` | {_cell(e.about)} | {_cell(e.outcome)} |" for e in entries
    )
    return f"""# Bad-input corpus

Small landing files, each named for what is wrong with it (or unusual about it but must load).
`tests/test_corpus.py` copies `landing/` to a temporary folder, runs the real pipeline once
over it (drops {DROP} and {LATER_DROP}) and checks every file against its own table of
expectations; this README says the same in words. Regenerate every file with

    uv run python tests/corpus/make_corpus.py

(deterministic: the same bytes every time; edit the corpus there, not here).

Rules the test checks for every file: a file is `loaded` (its rows are loaded or quarantined,
`rows_in = rows_loaded + rows_quarantined`, and staging holds exactly `rows_loaded` rows of it),
`rejected` (nothing loaded, exactly one quarantine row with no line number and a message
naming the file) or `duplicate` (nothing loaded, nothing quarantined). A quarantined row names
its line (CSV: header = line 1; Parquet and JSON: record number), the first failing field in
the feed's field order (none when the line as a whole is broken), its text and the reason.
The run itself succeeds: quarantine never fails a run, and every good row is within the
contract, so the blocking checks pass. `outside_landing.csv` is not part of the landing: it
is the target of the symbolic link that must never be followed.

| file | what is wrong or unusual | expected outcome |
|---|---|---|
{rows}
"""


def main() -> None:
    _check(ENTRIES)
    if LANDING.exists():
        shutil.rmtree(LANDING)
    for entry in ENTRIES:
        target = LANDING / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if entry.link is not None:
            os.symlink(entry.link, target)
        else:
            target.write_bytes(entry.data)
    OUTSIDE.write_bytes(OUTSIDE_TEXT)
    (CORPUS / "README.md").write_text(readme(ENTRIES), encoding="utf-8")
    print(f"wrote {len(ENTRIES)} files under {LANDING}")


if __name__ == "__main__":
    main()
