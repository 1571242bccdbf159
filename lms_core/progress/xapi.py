"""xAPI 1.0.3 statements: strictly validated models, builders for platform events, and the JSON export form.

Field names are the spec's own JSON keys (objectType, homePage, contextActivities…), so a model reads like the
spec and no alias can let a misspelt key through. Anything the spec does not define is refused, as an LRS does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Union
from urllib.parse import quote, urlsplit

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field,
                      PlainSerializer, PlainValidator, Tag, ValidationError, model_validator)
from pydantic_core import PydanticCustomError

from lms_core.errors import Invalid, TooLarge
from lms_core.i18n import N_, gettext
from lms_core.progress import verbs as vocabulary
from lms_core.settings import get_settings

XAPI_VERSION = "1.0.3"
PLATFORM = "Trường Số"

MAX_IRI = 2048
MAX_NAME = 500            # names, display strings, account names, platform, revision
MAX_DESCRIPTION = 4000    # language-map values of descriptions
MAX_RESPONSE = 10_000     # result.response: a written answer, never a file
MAX_LANGUAGES = 30
MAX_LIST = 100            # context activities of one kind, interaction components, response patterns
MAX_MEMBERS = 500
MAX_EXTENSION_BYTES = 16_384
MAX_STATEMENT_BYTES = 262_144
EXPORT_CHUNK_BYTES = 65_536

ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "media": "http://adlnet.gov/expapi/activities/media",
    "meeting": "http://adlnet.gov/expapi/activities/meeting",
}
IRI_KINDS = ("course", "lesson", "activity", "material", "question")

MESSAGES = {
    "xapi_iri": N_("{where} must be an absolute IRI such as https://example.org/page; \"{value}\" is not."),
    "xapi_irl": N_("{where} must be a web address starting with http:// or https://; \"{value}\" is not."),
    "xapi_language": N_("{where}: \"{value}\" is not a language tag such as vi-VN or en-US."),
    "xapi_duration": N_("{where} must be an ISO 8601 duration such as PT4M30S (4 minutes 30 seconds); "
                        "\"{value}\" is not."),
    "xapi_timestamp": N_("{where} must be a date and time such as 2024-09-05T07:30:00+07:00."),
    "xapi_naive_timestamp": N_("{where} has no time zone; add one, such as +07:00 for Vietnam or Z for UTC."),
    "xapi_uuid": N_("{where} must be a UUID such as 6690e6c9-3ef0-4ed3-8b37-7f3964730bee."),
    "xapi_mbox": N_("{where} must be an email address written as mailto:name@example.org."),
    "xapi_sha1": N_("{where} must be 40 hexadecimal characters (a SHA-1 hash)."),
    "xapi_agent_ifi": N_("The person at {where} must be identified in exactly one way "
                         "(mbox, mbox_sha1sum, openid or account); {count} were given."),
    "xapi_group_ifi": N_("The group at {where} may be identified in at most one way; {count} were given."),
    "xapi_anonymous_group": N_("The group at {where} has no identifier, so it must list its members."),
    "xapi_scaled": N_("The scaled score must be between -1 and 1; it is {value}."),
    "xapi_min_max": N_("The minimum score {min} must be less than the maximum score {max}."),
    "xapi_raw_below": N_("The raw score {raw} is below the minimum score {min}."),
    "xapi_raw_above": N_("The raw score {raw} is above the maximum score {max}."),
    "xapi_number": N_("{where} must be a number."),
    "xapi_extensions_size": N_("The extensions at {where} are too large: at most {limit} bytes of JSON."),
    "xapi_extensions_json": N_("The extensions at {where} hold a value that cannot be written as JSON."),
    "xapi_object_type": N_("{where} has an objectType that xAPI 1.0.3 does not allow there."),
    "xapi_components": N_("{where} may be given only for interactions of type {types}."),
    "xapi_component_ids": N_("The interaction components at {where} must have different ids."),
    "xapi_revision_platform": N_("The context's revision and platform may be given only when the object is "
                                 "an activity."),
    "xapi_voiding": N_("A voiding statement must point at the statement it voids (a StatementRef)."),
    "xapi_version": N_("The xAPI version must be 1.0.x; \"{value}\" is not supported."),
    "extra_forbidden": N_("{where} is not a property xAPI 1.0.3 allows here, so the statement is refused."),
    "missing": N_("{where} is required."),
    "string_too_long": N_("{where} is too long: at most {max_length} characters."),
    "string_too_short": N_("{where} must not be empty."),
    "too_long": N_("{where} has too many items: at most {max_length}."),
    "too_short": N_("{where} must not be empty."),
    "bool_type": N_("{where} must be true or false."),
    "string_type": N_("{where} must be text."),
    "model_type": N_("{where} must be a JSON object."),
    "dict_type": N_("{where} must be a JSON object."),
    "list_type": N_("{where} must be a list."),
    "literal_error": N_("{where} has a value xAPI 1.0.3 does not allow: it must be {expected}."),
}
FALLBACK = N_("The statement is not valid xAPI 1.0.3 at {where}.")
NULL_VALUE = N_("{where} is null; xAPI allows null only inside extensions.")
NOT_JSON = N_("The statement is not valid JSON.")
DUPLICATE_KEY = N_("The property \"{value}\" appears twice in one object.")
STATEMENT_TOO_LARGE = N_("The statement is too large: at most {limit} bytes.")
UNKNOWN_VERB = N_("\"{value}\" is not a verb this platform uses.")
BAD_BASE_URL = N_("The server address for xAPI ids must be a web address starting with http:// or https://; "
                  "\"{value}\" is not.")
BAD_IRI_PART = N_("An xAPI activity id needs a kind among {kinds} and a non-empty identifier.")
BAD_DURATION_SECONDS = N_("A duration must be a number of seconds that is zero or more.")

# ---- value checks -----------------------------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]|%(?![0-9A-Fa-f]{2})')
_MBOX = re.compile(r"mailto:[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_VERSION = re.compile(r"1\.0(\.\d{1,3})?")
# RFC 5646 section 2.1: the ABNF of a language tag, as token lengths and kinds.
_ALNUM = "[A-Za-z0-9]"
_LANGTAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"      # language (with extlang)
    r"(?:-[A-Za-z]{4})?"                                           # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"                              # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"                # variants
    rf"(?:-[0-9A-WYZa-wyz](?:-{_ALNUM}{{2,8}})+)*"                 # extensions
    rf"(?:-[xX](?:-{_ALNUM}{{1,8}})+)?"                             # private use
    rf"|[xX](?:-{_ALNUM}{{1,8}})+")                                 # private use alone
_GRANDFATHERED = frozenset(
    "en-gb-oed i-ami i-bnn i-default i-enochian i-hak i-klingon i-lux i-mingo i-navajo i-pwn i-tao i-tay "
    "i-tsu sgn-be-fr sgn-be-nl sgn-ch-de art-lojban cel-gaulish no-bok no-nyn zh-guoyu zh-hakka zh-min "
    "zh-min-nan zh-xiang".split())
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(rf"P(?:(?P<W>{_NUM})W|(?:(?P<Y>{_NUM})Y)?(?:(?P<Mo>{_NUM})M)?(?:(?P<D>{_NUM})D)?"
                       rf"(?:T(?:(?P<H>{_NUM})H)?(?:(?P<Mi>{_NUM})M)?(?:(?P<S>{_NUM})S)?)?)")


def _fail(kind: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, kind, {k: _short(v) for k, v in ctx.items()})


def _short(value: Any) -> Any:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _check_iri(value: str) -> str:
    if not _SCHEME.match(value) or _IRI_FORBIDDEN.search(value) or any(ch.isspace() for ch in value):
        raise _fail("xapi_iri", value=value)
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        try:
            host = urlsplit(value).hostname if value[len(scheme) + 1:].startswith("//") else None
        except ValueError:
            host = None
        if not host:
            raise _fail("xapi_iri", value=value)
    return value


def _check_irl(value: str) -> str:
    _check_iri(value)
    if value.split(":", 1)[0].lower() not in ("http", "https"):
        raise _fail("xapi_irl", value=value)
    return value


def _check_language(value: str) -> str:
    if not (_LANGTAG.fullmatch(value) or value.lower() in _GRANDFATHERED):
        raise _fail("xapi_language", value=value)
    return value


def _check_duration(value: str) -> str:
    match = _DURATION.fullmatch(value)
    parts = [p for p in match.groups() if p is not None] if match else []
    if not parts or ("T" in value and not any(match[g] for g in ("H", "Mi", "S"))):
        raise _fail("xapi_duration", value=value)
    if any(re.search(r"[.,]", p) for p in parts[:-1]):  # ISO 8601: only the smallest unit has a fraction
        raise _fail("xapi_duration", value=value)
    return value


def _parse_timestamp(value: Any) -> datetime:
    if isinstance(value, str) and len(value) <= 64:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _fail("xapi_timestamp", value=value) from None
    if not isinstance(value, datetime):
        raise _fail("xapi_timestamp", value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail("xapi_naive_timestamp", value=value)
    # Kept in UTC to the millisecond: the spec lets an LRS do both, and it makes round trips exact.
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str) and _UUID.fullmatch(value):
        return uuid.UUID(value)
    raise _fail("xapi_uuid", value=value)


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail("xapi_number", value=value)
    return value


def _check_extensions(value: dict[str, Any]) -> dict[str, Any]:
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError, RecursionError):
        raise _fail("xapi_extensions_json") from None
    if size > MAX_EXTENSION_BYTES:
        raise _fail("xapi_extensions_size", limit=MAX_EXTENSION_BYTES)
    return value


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _pattern(regex: re.Pattern[str], kind: str) -> AfterValidator:
    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise _fail(kind, value=value)
        return value
    return AfterValidator(check)


def _text(limit: int) -> Any:
    return Annotated[str, Field(strict=True, min_length=1, max_length=limit), AfterValidator(_nfc)]


Iri = Annotated[str, Field(strict=True, max_length=MAX_IRI), AfterValidator(_check_iri)]
Irl = Annotated[str, Field(strict=True, max_length=MAX_IRI), AfterValidator(_check_irl)]
LanguageTag = Annotated[str, Field(strict=True, max_length=64), AfterValidator(_check_language)]
Name = _text(MAX_NAME)
LanguageMap = Annotated[dict[LanguageTag, Name], Field(max_length=MAX_LANGUAGES)]
LongLanguageMap = Annotated[dict[LanguageTag, _text(MAX_DESCRIPTION)], Field(max_length=MAX_LANGUAGES)]
Extensions = Annotated[dict[Iri, Any], Field(max_length=MAX_LIST), AfterValidator(_check_extensions)]
Duration = Annotated[str, Field(strict=True, max_length=64), AfterValidator(_check_duration)]
Timestamp = Annotated[datetime, PlainValidator(_parse_timestamp), PlainSerializer(_format_timestamp, when_used="json")]
Uuid = Annotated[uuid.UUID, PlainValidator(_parse_uuid), PlainSerializer(str, when_used="json")]
Number = Annotated[int | float, PlainValidator(_number)]
Mbox = Annotated[str, Field(strict=True, max_length=320), _pattern(_MBOX, "xapi_mbox")]
Sha1 = Annotated[str, Field(strict=True, max_length=40), _pattern(_SHA1, "xapi_sha1")]

# ---- models ----------------------------------------------------------------------------------------------


class XapiModel(BaseModel):
    """Base of every xAPI object: unknown keys are refused and a validated object cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(XapiModel):
    """An account on a system: the platform's pseudonymous identity of a person."""

    homePage: Irl
    name: Name


class _Identified(XapiModel):
    name: Name | None = None
    mbox: Mbox | None = None
    mbox_sha1sum: Sha1 | None = None
    openid: Iri | None = None
    account: Account | None = None

    def identifier_count(self) -> int:
        """Return how many inverse functional identifiers this agent or group carries."""
        return sum(v is not None for v in (self.mbox, self.mbox_sha1sum, self.openid, self.account))


class Agent(_Identified):
    """One person, identified in exactly one way."""

    objectType: Literal["Agent"] | None = None

    @model_validator(mode="after")
    def _one_identifier(self) -> Agent:
        if self.identifier_count() != 1:
            raise _fail("xapi_agent_ifi", count=self.identifier_count())
        return self


class Group(_Identified):
    """A group: identified in one way, or anonymous with its members listed."""

    objectType: Literal["Group"]
    member: Annotated[list[Agent], Field(max_length=MAX_MEMBERS)] | None = None

    @model_validator(mode="after")
    def _identified_or_listed(self) -> Group:
        if self.identifier_count() > 1:
            raise _fail("xapi_group_ifi", count=self.identifier_count())
        if self.identifier_count() == 0 and not self.member:
            raise _fail("xapi_anonymous_group")
        return self


def _tagger(default: str) -> Any:
    def tag(value: Any) -> str:
        if isinstance(value, XapiModel):
            return type(value).__name__
        kind = value.get("objectType", default) if isinstance(value, dict) else default
        return kind if isinstance(kind, str) else "?"
    return tag


def _union(default: str, *models: type[XapiModel]) -> Any:
    tagged = tuple(Annotated[m, Tag(m.__name__)] for m in models)
    return Annotated[Union[tagged], Discriminator(_tagger(default), custom_error_type="xapi_object_type",  # noqa: UP007
                                                  custom_error_message="xapi_object_type")]


Actor = _union("Agent", Agent, Group)


class Verb(XapiModel):
    """What the actor did: an IRI and its display names."""

    id: Iri
    display: LanguageMap | None = None


INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other")
_COMPONENT_TYPES = {"choices": ("choice", "sequencing"), "scale": ("likert",), "source": ("matching",),
                    "target": ("matching",), "steps": ("performance",)}


class InteractionComponent(XapiModel):
    """One choice, scale point, source, target or step of an interaction."""

    id: Annotated[str, Field(strict=True, min_length=1, max_length=MAX_NAME)]
    description: LanguageMap | None = None


Components = Annotated[list[InteractionComponent], Field(max_length=MAX_LIST)]


class ActivityDefinition(XapiModel):
    """What an activity is: names, type and, for questions, the interaction."""

    name: LanguageMap | None = None
    description: LongLanguageMap | None = None
    type: Iri | None = None
    moreInfo: Irl | None = None
    interactionType: Literal[INTERACTION_TYPES] | None = None  # type: ignore[valid-type]
    correctResponsesPattern: Annotated[list[_text(MAX_DESCRIPTION)], Field(max_length=MAX_LIST)] | None = None
    choices: Components | None = None
    scale: Components | None = None
    source: Components | None = None
    target: Components | None = None
    steps: Components | None = None
    extensions: Extensions | None = None

    @model_validator(mode="after")
    def _components_fit(self) -> ActivityDefinition:
        for name, types in _COMPONENT_TYPES.items():
            components = getattr(self, name)
            if components is None:
                continue
            if self.interactionType not in types:
                raise _fail("xapi_components", types=", ".join(types))
            if len({c.id for c in components}) != len(components):
                raise _fail("xapi_component_ids")
        return self


class Activity(XapiModel):
    """A thing learnt with: a course, lesson, material, question…"""

    objectType: Literal["Activity"] | None = None
    id: Iri
    definition: ActivityDefinition | None = None


class StatementRef(XapiModel):
    """A pointer to another statement by its id."""

    objectType: Literal["StatementRef"]
    id: Uuid


class Score(XapiModel):
    """A score: scaled in -1..1, raw within min..max."""

    scaled: Number | None = None
    raw: Number | None = None
    min: Number | None = None
    max: Number | None = None

    @model_validator(mode="after")
    def _in_range(self) -> Score:
        if self.scaled is not None and not -1 <= self.scaled <= 1:
            raise _fail("xapi_scaled", value=self.scaled)
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise _fail("xapi_min_max", min=self.min, max=self.max)
        if self.raw is not None and self.min is not None and self.raw < self.min:
            raise _fail("xapi_raw_below", raw=self.raw, min=self.min)
        if self.raw is not None and self.max is not None and self.raw > self.max:
            raise _fail("xapi_raw_above", raw=self.raw, max=self.max)
        return self


class Result(XapiModel):
    """The outcome: score, success, completion, the learner's response and how long it took."""

    score: Score | None = None
    success: Annotated[bool, Field(strict=True)] | None = None
    completion: Annotated[bool, Field(strict=True)] | None = None
    response: Annotated[str, Field(strict=True, max_length=MAX_RESPONSE), AfterValidator(_nfc)] | None = None
    duration: Duration | None = None
    extensions: Extensions | None = None


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict | Activity) else value  # the spec lets one activity stand alone


ActivityList = Annotated[list[Activity], BeforeValidator(_as_list), Field(max_length=MAX_LIST)]


class ContextActivities(XapiModel):
    """The activities around the object: its parent, grouping (course), category and others."""

    parent: ActivityList | None = None
    grouping: ActivityList | None = None
    category: ActivityList | None = None
    other: ActivityList | None = None


class Context(XapiModel):
    """Where and how the event happened."""

    registration: Uuid | None = None
    instructor: Actor | None = None
    team: Group | None = None
    contextActivities: ContextActivities | None = None
    revision: Name | None = None
    platform: Name | None = None
    language: LanguageTag | None = None
    statement: StatementRef | None = None
    extensions: Extensions | None = None


class SubStatement(XapiModel):
    """A statement used as an object; it has no id, stored, version or authority of its own."""

    objectType: Literal["SubStatement"]
    actor: Actor
    verb: Verb
    object: _union("Activity", Activity, Agent, Group, StatementRef)  # type: ignore[valid-type]
    result: Result | None = None
    context: Context | None = None
    timestamp: Timestamp | None = None


class Statement(XapiModel):
    """An xAPI 1.0.3 statement."""

    id: Uuid | None = None
    actor: Actor
    verb: Verb
    object: _union("Activity", Activity, Agent, Group, StatementRef, SubStatement)  # type: ignore[valid-type]
    result: Result | None = None
    context: Context | None = None
    timestamp: Timestamp | None = None
    stored: Timestamp | None = None
    authority: Actor | None = None
    version: Annotated[str, Field(strict=True, max_length=16), _pattern(_VERSION, "xapi_version")] = XAPI_VERSION

    @model_validator(mode="after")
    def _rules_across_parts(self) -> Statement:
        if self.context and (self.context.revision or self.context.platform) and not isinstance(self.object, Activity):
            raise _fail("xapi_revision_platform")
        if self.verb.id == vocabulary.VOIDED.iri and not isinstance(self.object, StatementRef):
            raise _fail("xapi_voiding")
        return self


_TAGS = {"Agent", "Group", "Activity", "StatementRef", "SubStatement", "[key]"}


def _where(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in _TAGS:
            text += ("." if text else "") + str(part)
    return text or "statement"


def _invalid(error: ValidationError) -> Invalid:
    problems = []
    for item in error.errors(include_url=False):
        kind = item["type"]
        params = {k: _short(v) for k, v in (item.get("ctx") or {}).items() if k != "error"}
        params["where"] = _where(item["loc"])
        template = MESSAGES.get(kind, FALLBACK)
        if not set(re.findall(r"\{(\w+)\}", template)) <= params.keys():
            template = FALLBACK
        problems.append((template, params))
    template, params = problems[0]
    refusal = Invalid(template, **params)
    refusal.details = [{"field": p["where"], "problem": gettext(t).format(**p)} for t, p in problems]
    return refusal


# ---- validation entry points -----------------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise Invalid(DUPLICATE_KEY, value=_short(key))
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> None:
    raise Invalid(NOT_JSON)


def _refuse_nulls(value: Any, path: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if item is None:
                raise Invalid(NULL_VALUE, where=_short(where))
            if key != "extensions":
                _refuse_nulls(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if item is None:
                raise Invalid(NULL_VALUE, where=_short(f"{path}[{index}]"))
            _refuse_nulls(item, f"{path}[{index}]")


def parse_statement(data: str | bytes | Mapping[str, Any]) -> Statement:
    """Return the statement that JSON text or a decoded JSON object describes, refusing what an LRS refuses."""
    if isinstance(data, str | bytes):
        if len(data.encode() if isinstance(data, str) else data) > MAX_STATEMENT_BYTES:
            raise TooLarge(STATEMENT_TOO_LARGE, limit=MAX_STATEMENT_BYTES)
        try:
            data = json.loads(data, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise Invalid(NOT_JSON) from None
    if not isinstance(data, Mapping):
        raise Invalid(MESSAGES["model_type"], where="statement")
    _refuse_nulls(dict(data))
    return validate_statement(data)


def validate_statement(data: Mapping[str, Any] | Statement) -> Statement:
    """Return a validated statement built from Python values (None means absent), or raise Invalid."""
    if isinstance(data, Statement):
        return data
    try:
        return Statement.model_validate(dict(data))
    except ValidationError as error:
        raise _invalid(error) from None


# ---- platform identities ---------------------------------------------------------------------------------


def base_url() -> str:
    """Return the server address xAPI ids and accounts are built from (setting public_url, else host and port)."""
    settings = get_settings()
    url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    try:
        return _check_irl(url)
    except PydanticCustomError:
        raise Invalid(BAD_BASE_URL, value=_short(url)) from None


def actor_name(user_id: int | str, *, secret: str | None = None) -> str:
    """Return the stable opaque name of a user in statements: an HMAC of the id, so exports never carry the id."""
    key = (secret or get_settings().resolved_secret_key).encode()
    derived = hmac.new(key, b"truongso/xapi/actor", hashlib.sha256).digest()  # not the raw session-signing key
    return hmac.new(derived, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


def actor(user_id: int | str, *, secret: str | None = None) -> Agent:
    """Return the pseudonymous agent of a user: an account on this server, no name, no email."""
    return Agent(objectType="Agent", account=Account(homePage=base_url(), name=actor_name(user_id, secret=secret)))


def activity_iri(kind: str, ident: int | str) -> str:
    """Return this server's activity IRI of a course, lesson, activity, material or question."""
    if kind not in IRI_KINDS or str(ident) == "":
        raise Invalid(BAD_IRI_PART, kinds=", ".join(IRI_KINDS))
    return f"{base_url()}/xapi/activities/{kind}/{quote(str(ident), safe='')}"


def material_version_iri(material_uid: str, number: int) -> str:
    """Return the activity IRI of one version of a material."""
    return f"{activity_iri('material', material_uid)}/version/{int(number)}"


def parse_activity_iri(iri: str) -> tuple[str, str] | None:
    """Return (kind, identifier) of one of this server's activity IRIs, or None for any other IRI."""
    prefix = f"{base_url()}/xapi/activities/"
    if not iri.startswith(prefix):
        return None
    kind, _, rest = iri[len(prefix):].partition("/")
    return (kind, rest) if kind in IRI_KINDS and rest else None


def iso_duration(seconds: float) -> str:
    """Return an ISO 8601 duration to the hundredth of a second ("PT1H2M3.5S")."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds < math.inf:
        raise Invalid(BAD_DURATION_SECONDS)
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    secs = f"{rest // 100}.{rest % 100:02d}".rstrip("0").rstrip(".")
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _context_activity(iri: str, kind: str) -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri, "definition": {"type": ACTIVITY_TYPES[kind]}}


def statement(actor_key: int | str, verb: str | vocabulary.VerbDef, activity_iri: str, *,
              activity_type: str | None = None, activity_name: Mapping[str, str] | None = None,
              course_iri: str | None = None, lesson_iri: str | None = None,
              result: Result | Mapping[str, Any] | None = None, when: datetime | None = None,
              registration: uuid.UUID | str | None = None, language: str | None = None,
              extensions: Mapping[str, Any] | None = None, statement_id: uuid.UUID | None = None) -> Statement:
    """Return the validated statement of a platform event: user `actor_key` did `verb` to the activity."""
    verb_def = verb if isinstance(verb, vocabulary.VerbDef) else vocabulary.get(verb)
    if verb_def is None:
        raise Invalid(UNKNOWN_VERB, value=_short(verb))
    definition = {k: v for k, v in (("type", ACTIVITY_TYPES.get(activity_type or "", activity_type)),
                                    ("name", dict(activity_name) if activity_name else None)) if v}
    parents = [_context_activity(lesson_iri, "lesson")] if lesson_iri and lesson_iri != activity_iri else []
    course = [_context_activity(course_iri, "course")] if course_iri and course_iri != activity_iri else []
    context_activities = {"parent": parents or course or None, "grouping": course if parents else None}
    context = {"registration": registration, "platform": PLATFORM, "language": language,
               "contextActivities": {k: v for k, v in context_activities.items() if v} or None,
               "extensions": dict(extensions) if extensions else None}
    data = {
        "id": statement_id or uuid.uuid4(),
        "actor": actor(actor_key),
        "verb": {"id": verb_def.iri, "display": dict(verb_def.display)},
        "object": {"objectType": "Activity", "id": activity_iri, **({"definition": definition} if definition else {})},
        "result": result,
        "context": {k: v for k, v in context.items() if v is not None},
        "timestamp": when or datetime.now(UTC),
        "version": XAPI_VERSION,
    }
    return validate_statement({k: v for k, v in data.items() if v is not None})


# ---- JSON form and export --------------------------------------------------------------------------------


def to_json(statement: Statement) -> dict[str, Any]:
    """Return the statement as the spec's JSON object (absent parts left out, UUIDs and times as strings)."""
    data = statement.model_dump(mode="json", exclude_none=True)
    data.setdefault("version", XAPI_VERSION)
    return data


def dumps(statement: Statement) -> str:
    """Return the statement as compact JSON text."""
    return json.dumps(to_json(statement), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def export_document(statements: Iterable[Statement | Mapping[str, Any]]) -> Iterator[bytes]:
    """Yield, piece by piece, the JSON array an LRS accepts in a POST of many statements.

    Mappings are written as they are: they are statements already validated when stored.
    """
    buffer = bytearray(b"[")
    first = True
    for item in statements:
        data = to_json(item) if isinstance(item, Statement) else item
        if not first:
            buffer += b","
        buffer += json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        first = False
        if len(buffer) >= EXPORT_CHUNK_BYTES:
            yield bytes(buffer)
            buffer.clear()
    buffer += b"]"
    yield bytes(buffer)
