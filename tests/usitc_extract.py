"""A USITC annual tariff database extract, built from the database's public field list
(td-fields: hts8, brief_description, ..., mfn_text_rate, ..., col1_special_text, the
per-agreement columns, col2_text_rate, begin_effect_date, end_effective_date, ...)."""

from __future__ import annotations

import csv
import io

AGREEMENTS = ("jordan", "singapore", "chile", "morocco", "australia", "bahrain", "dr_cafta")
HEADER = [
    "hts8", "brief_description", "quantity_1_code", "quantity_2_code", "wto_binding_code",
    "mfn_text_rate", "mfn_rate_type_code", "mfn_ave", "mfn_ad_val_rate", "mfn_specific_rate",
    "mfn_other_rate", "col1_special_text", "col1_special_mod", "gsp_indicator",
    "gsp_ctry_excluded", "apta_indicator", "civil_air_indicator", "nafta_canada_ind",
    "nafta_mexico_ind", "mexico_rate_type_code", "mexico_ad_val_rate", "mexico_specific_rate",
    "cbi_indicator", "cbi_ad_val_rate", "cbi_specific_rate", "agoa_indicator", "cbtpa_indicator",
    "cbtpa_rate_type_code", "cbtpa_ad_val_rate", "cbtpa_specific_rate", "israel_fta_indicator",
    "atpa_indicator", "atpa_ad_val_rate", "atpa_specific_rate", "atpdea_indicator",
    *(
        f"{agreement}_{part}"
        for agreement in (*AGREEMENTS, "dr_cafta_plus", "oman", "peru")
        for part in ("indicator", "rate_type_code", "ad_val_rate", "specific_rate", "other_rate")
    ),
    "pharmaceutical_ind", "dyes_indicator", "col2_text_rate", "col2_rate_type_code",
    "col2_ad_val_rate", "col2_specific_rate", "col2_other_rate", "begin_effect_date",
    "end_effective_date", "footnote_comment", "additional_duty",
    *(
        f"{agreement}_{part}"
        for agreement in ("korea", "colombia", "panama")
        for part in ("indicator", "rate_type_code", "ad_val_rate", "specific_rate", "other_rate")
    ),
    "nepal_indicator",
    *(
        f"{agreement}_{part}"
        for agreement in ("japan", "usmca")
        for part in ("indicator", "rate_type_code", "ad_val_rate", "specific_rate", "other_rate")
    ),
]  # fmt: skip

FTA = "Free (A+,AU,B,BH,CA,CL,CO,D,E,IL,JO,KR,MA,MX,OM,P,PA,PE,S,SG)"


def line(hts8: str, mfn: str, special: str = "", col2: str = "", **more: str) -> dict:
    """One HTS line; dates as the database writes them unless given."""
    return {
        "hts8": hts8,
        "brief_description": more.pop("brief_description", f"Goods of {hts8}"),
        "mfn_text_rate": mfn,
        # Some releases round the numeric columns: the text rate is the truth.
        "mfn_ad_val_rate": more.pop("mfn_ad_val_rate", "0"),
        "col1_special_text": special,
        "col2_text_rate": col2,
        "begin_effect_date": more.pop("begin_effect_date", "1/1/2017 0:00:00"),
        "end_effective_date": more.pop("end_effective_date", "12/31/2050 0:00:00"),
        **more,
    }


def extract(lines: list[dict], delimiter: str = ",", header: list[str] = HEADER) -> str:
    """The lines as the database's delimited text, every field quoted as it ships."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=header, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n"
    )
    writer.writeheader()
    for row in lines:
        writer.writerow({name: row.get(name, "") for name in header})
    return out.getvalue()
