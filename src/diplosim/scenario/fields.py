"""The checked kinds of value a scenario field takes (ids, country and language codes, topics,
hashtags, days, shares), each with the message a wrong value gets and the JSON Schema an editor
is told; and the strict base model every section derives from."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from diplosim.world.countries import country_table, language_names
from diplosim.world.topics import CONTENT_KINDS, TOPICS

__all__ = ["ALL", "COUNTRY_JSON", "ID_JSON", "ContentKind", "CountryCode", "Date", "Day",
           "Hashtag", "Id",
           "Language", "Model", "Portrays", "Ranking", "Share", "Stance", "Target", "Topic",
           "check_country", "reject"]

#: A target or country list meaning every country with platform users.
ALL = "all"


def _suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def reject(expected: str, hint: str = "") -> PydanticCustomError:
    return PydanticCustomError("choice", "expected {expected}{hint}",
                               {"expected": expected, "hint": hint})


def _check_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]{0,63}", value):
        raise reject("an identifier (a letter, then letters, digits, '_' or '-'; at most 64)")
    return value


#: Codes people write for a country that ISO 3166-1 spells otherwise (the EU's own abbreviations
#: for the United Kingdom and Greece).
COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def _country_hint(value: str) -> str:
    """The code meant by a lower-case code, a common alias, an alpha-3 code or a name."""
    table = country_table()
    key = value.strip()
    guesses = {**{code: code for code in table}, **COUNTRY_ALIASES,
               **{c.iso3: code for code, c in table.items()}}
    code = guesses.get(key.upper()) or {c.name.lower(): k for k, c in table.items()}.get(
        key.lower())
    return f"; did you mean '{code}' ({table[code].name})?" if code in table else ""


def check_country(value: str) -> str:
    if value not in country_table():
        raise reject("an ISO 3166-1 alpha-2 country code such as US or JP", _country_hint(value))
    return value


def _check_target(value: str) -> str:
    return value if value == ALL else check_country(value)


def _check_language(value: str) -> str:
    names = language_names()
    if value not in names:
        country = country_table().get(value.upper())
        hint = (f"; did you mean '{country.languages[0][0]}' ({value.upper()} is a country)?"
                if country and country.languages else _suggest(value, sorted(names)))
        raise reject("an ISO 639 language code spoken in a known country, such as en or ja", hint)
    return value


def _check_topic(value: str) -> str:
    if value not in TOPICS:
        raise reject(f"one of the topics {', '.join(TOPICS)}", _suggest(value, TOPICS))
    return value


def _check_hashtag(value: str) -> str:
    if not re.fullmatch(r"#\w{1,100}", value):
        raise reject("a hashtag: '#' followed by letters, digits or '_'")
    return value


# what an editor is told of each checked string (``diplosim schema``): the same rules as the
# validators, as JSON Schema (country and language codes as enums of the shipped tables)
ID_JSON = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$"}
COUNTRY_JSON = {"type": "string", "x-codes": "CountryCode"}  # made a $ref by ``json_schema``
_LANGUAGE = {"type": "string", "x-codes": "Language"}
Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema(ID_JSON)]
CountryCode = Annotated[str, AfterValidator(check_country), WithJsonSchema(COUNTRY_JSON)]
Target = Annotated[str, AfterValidator(_check_target),
                   WithJsonSchema({"anyOf": [COUNTRY_JSON, {"const": "all"}]})]
Language = Annotated[str, AfterValidator(_check_language), WithJsonSchema(_LANGUAGE)]
Topic = Annotated[str, AfterValidator(_check_topic),
                  WithJsonSchema({"type": "string", "enum": list(TOPICS)})]
Hashtag = Annotated[str, AfterValidator(_check_hashtag),
                    WithJsonSchema({"type": "string", "pattern": r"^#\w{1,100}$"})]
ContentKind = Literal["entertainment", "news", "policy", "education"]
Ranking = Literal["engagement", "social", "chronological"]
def _iso_date(value: object) -> object:
    """A calendar date written YYYY-MM-DD (text, as YAML 1.2 reads it); a date object passes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise reject("a date written YYYY-MM-DD, such as 2022-02-24", f" (got {value!r})")


Date = Annotated[dt.date, BeforeValidator(_iso_date),
                 WithJsonSchema({"type": "string", "format": "date"})]
Day = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]

assert set(ContentKind.__args__) == set(CONTENT_KINDS)  # one vocabulary, two spellings


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _check_portrays(value: dict[str, float]) -> dict[str, float]:
    for code, w in value.items():
        check_country(code)
        if not -1 <= w <= 1:
            raise reject(f"a valence from -1 to 1 for {code}", f" (got {w:g})")
    return value


#: How content portrays countries: ISO code -> valence, -1 (attacks) to +1 (praises).
Portrays = Annotated[dict[str, float], AfterValidator(_check_portrays),
                    WithJsonSchema({"type": "object", "propertyNames": COUNTRY_JSON,
                                    "additionalProperties": {"type": "number", "minimum": -1,
                                                             "maximum": 1}})]


class Stance(Model):
    issue: Id = Field(description="A declared issue id.")
    value: float = Field(ge=-1, le=1, description="Side and strength, from -1 to 1.")
