"""The data structure the project ships (``reporting/sdmx/structure.xml``).

SDG global dimension ids where they fit (the IAEG-SDGs DSD's FREQ,
REPORTING_TYPE, SERIES, REF_AREA, SEX, AGE, URBANISATION,
DISABILITY_STATUS, CUST_BREAKDOWN, TIME_PERIOD), with ``_T`` for totals and
the attributes UNIT_MEASURE, UNIT_MULT, OBS_STATUS, CONF_STATUS and NATURE.
The code lists hold what this survey publishes: a series per indicator and
rating kind, Viet Nam and the survey's regions, its areas, the disability
group and the other groups as custom breakdowns. SEX and AGE hold only
``_T``: the publication does not break down by gender or age band. The
structure is built from the survey, so the file written beside the data
always fits it; ``tools/sdmx_structure.py`` writes the shipped one for the
shipped survey and ``--check`` says when it is out of date.
"""

from __future__ import annotations

from pathlib import Path

from sdmx import message
from sdmx.model import common, v21

from reporting.sdmx.observations import (
    BREAKDOWNS,
    COUNTRY,
    DIMENSIONS,
    TOTAL,
    code_of,
    series_code,
)
from survey.model import Survey

AGENCY = "LNOB_VN"
DSD_ID = "DSD_SDG_SCORECARD"
FLOW_ID = "DF_SDG_SCORECARD"
VERSION = "1.0"
SHIPPED = Path(__file__).with_name("structure.xml")
ATTRIBUTES = ("UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS", "CONF_STATUS", "NATURE")
UNIT = "SCORE_1_5"
NATURE = "CG"  # citizen-generated perception data
CONCEPTS = {
    "FREQ": "Frequency", "REPORTING_TYPE": "Reporting type", "SERIES": "Series",
    "REF_AREA": "Reference area", "SEX": "Sex", "AGE": "Age",
    "URBANISATION": "Degree of urbanisation", "DISABILITY_STATUS": "Disability status",
    "CUST_BREAKDOWN": "Custom breakdown", "TIME_PERIOD": "Time period",
    "OBS_VALUE": "Observation value", "UNIT_MEASURE": "Unit of measure",
    "UNIT_MULT": "Unit multiplier", "OBS_STATUS": "Observation status",
    "CONF_STATUS": "Confidentiality status", "NATURE": "Nature of data",
}  # fmt: skip
FIXED: dict[str, dict[str, str]] = {
    "FREQ": {"A": "Annual"},
    "REPORTING_TYPE": {"N": "National"},
    "SEX": {TOTAL: "Total", "F": "Female", "M": "Male"},
    "AGE": {TOTAL: "All age ranges or no breakdown"},
    "UNIT_MEASURE": {UNIT: "Mean rating on a 1 (not true) to 5 (completely true) scale"},
    "UNIT_MULT": {"0": "Units"},
    "OBS_STATUS": {"A": "Normal value", "M": "Missing value: hidden to protect respondents"},
    "CONF_STATUS": {"F": "Free", "C": "Confidential statistical information"},
    "NATURE": {NATURE: "Citizen-generated perception data (community scorecard)"},
}


def codes(survey: Survey) -> dict[str, dict[str, str]]:
    """Concept id -> code -> English name, for every coded component."""
    result = {name: dict(values) for name, values in FIXED.items()}
    result["SERIES"] = {
        series_code(item.code, kind): (
            f"Community scorecard {label} rating, indicator {item.code} (citizen-generated)"
        )
        for _section, item in survey.items
        for kind, label in (("now", "current"), ("forecast", "forecast"))
    }
    result["REF_AREA"] = {COUNTRY: "Viet Nam"}
    result["URBANISATION"] = {TOTAL: "Total"}
    result["DISABILITY_STATUS"] = {TOTAL: "Total", "PD": "Persons with disability"}
    result["CUST_BREAKDOWN"] = {TOTAL: "Total"}
    for dimension in BREAKDOWNS:
        question = survey.profile_question(dimension)
        for choice in question.choices if question else []:
            if choice.id == "prefer_not":
                continue
            name, code = code_of(dimension, choice.id)
            result[name].setdefault(code, choice.label("en"))
    return result


def structure_message(
    survey: Survey, annotations: dict[str, dict[str, str]] | None = None
) -> message.StructureMessage:
    """Concepts, code lists, the DSD and its dataflow (``annotations``: id -> language ->
    text, on the dataflow: the release's quality statement)."""
    agency = common.Agency(id=AGENCY, name="Leave No One Behind (LNOB) network, Viet Nam")
    args = {"maintainer": agency, "version": VERSION, "is_final": True}
    msg = message.StructureMessage()
    scheme = common.ConceptScheme(id="CS_SDG_SCORECARD", name="Concepts", **args)
    for concept, name in CONCEPTS.items():
        scheme.setdefault(id=concept, name=name)
    msg.add(scheme)
    lists: dict[str, common.Codelist] = {}
    for concept, values in codes(survey).items():
        codelist = common.Codelist(id=f"CL_{concept}", name=CONCEPTS[concept], **args)
        for code, name in values.items():
            codelist.setdefault(id=code, name=name)
        lists[concept] = codelist
        msg.add(codelist)
    dsd = v21.DataStructureDefinition(id=DSD_ID, name="Community SDG scorecard", **args)
    for concept in DIMENSIONS:
        if concept == "TIME_PERIOD":
            dsd.dimensions.getdefault(
                id=concept, cls=common.TimeDimension, concept_identity=scheme[concept]
            )
            continue
        dsd.dimensions.getdefault(
            id=concept,
            concept_identity=scheme[concept],
            local_representation=common.Representation(enumerated=lists[concept]),
        )
    dsd.measures.getdefault(id="OBS_VALUE", concept_identity=scheme["OBS_VALUE"])
    for concept in ATTRIBUTES:
        dsd.attributes.getdefault(
            id=concept,
            concept_identity=scheme[concept],
            local_representation=common.Representation(enumerated=lists[concept]),
            related_to=v21.PrimaryMeasureRelationship(),
            usage_status=common.UsageStatus.mandatory,
        )
    msg.add(dsd)
    flow = v21.DataflowDefinition(
        id=FLOW_ID, name="Community SDG scorecard results", structure=dsd, **args
    )
    for annotation_id, texts in (annotations or {}).items():
        flow.annotations.append(common.Annotation(id=annotation_id, type=annotation_id, text=texts))
    msg.add(flow)
    return msg
