"""The DHIS2-compatible API under ``/api``: metadata import, data value sets in and out, analytics.

DHIS2 clients sign in with HTTP basic auth or, as DHIS2 2.37+ allows, a personal access token sent as
``Authorization: ApiToken <token>`` (here a govpulse API token; a bearer token or the browser session work too),
and get the scope of their roles, as everywhere. Answers use DHIS2's JSON shapes (``govpulse.dhis2``): imports
answer 200, or 409 with the import summary or report when some objects or values were not taken; illegal queries
answer 409 with DHIS2's web message and error code. As on every govpulse endpoint, an org unit, data element or
data set that does not exist or lies outside the reader's scope answers 404 (DHIS2 says 409 "not allowed to view
org unit"; govpulse does not reveal that it exists), a missing action 403 and missing or wrong credentials 401.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from govpulse import __version__
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.dhis2.analytics import run_analytics
from govpulse.dhis2.analytics_query import AnalyticsParams
from govpulse.dhis2.datavalue_payloads import DataValueSetError, parse_data_value_set
from govpulse.dhis2.datavalues_export import ExportQuery, export_data_values, to_csv
from govpulse.dhis2.datavaluesets import ImportOptions, import_data_values
from govpulse.dhis2.errors import IllegalQuery, NotFound
from govpulse.dhis2.ids import IdScheme
from govpulse.dhis2.metadata import MetadataOptions, MetadataRequestError, import_metadata
from govpulse.dhis2.reports import web_message
from govpulse.dhis2.resolve import Resolver
from govpulse.ingest.batches import IngestStores
from govpulse.web.api.problems import PROBLEM_JSON
from govpulse.web.api.schemas import Problem
from govpulse.web.auth.api_token import Dhis2CurrentUser
from govpulse.web.deps import SessionDep, WarehouseDep


def _problem(description: str) -> dict:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


WEB_MESSAGE = {"type": "object", "description": "DHIS2's web message: httpStatus, httpStatusCode, status, message, "
                                                "errorCode, and for imports the report in response."}
RESPONSES: dict[int | str, dict] = {
    400: _problem("The body is not a DHIS2 payload."),
    401: _problem("Not signed in, or the credentials are wrong (basic auth, ApiToken, bearer token or session)."),
    403: _problem("Signed in, but the account's roles lack the action (export, push-data, edit-catalog)."),
    404: _problem("No such org unit, data element, indicator or data set, or it lies outside the reader's scope."),
    409: {"description": "DHIS2's answer to an illegal query, or to an import with conflicts (web message).",
          "content": {"application/json": {"schema": WEB_MESSAGE}}},
    413: _problem("Request body too large."),
    422: _problem("Invalid parameters; `errors` lists each field."),
    429: _problem("Too many requests for this token."),
}

router = APIRouter(prefix="/api", tags=["dhis2"], responses=RESPONSES)

API_VERSION = "2.40.0"
"""The DHIS2 Web API version whose shapes these routes follow."""
TIME_ZONE = ZoneInfo("Asia/Kolkata")


def _scheme_query(name: str) -> Any:
    return Query(alias=name, description="UID (default), CODE or NAME.")


def _ids_query(name: str) -> Any:
    return Query(alias=name, description="Repeatable.")


def _flag_query(name: str, description: str) -> Any:
    return Query(alias=name, description=f"true: {description}")


def _scheme(*texts: str | None) -> IdScheme:
    """The first scheme given (e.g. ``dataElementIdScheme`` before ``idScheme``); 409 for an unknown one."""
    try:
        return IdScheme.parse(next((t for t in texts if t), None))
    except ValueError as error:
        raise IllegalQuery(str(error), "E7100") from None


def _answer(call):
    """DHIS2's errors as HTTP answers: illegal queries 409 with a web message, absent or out of scope 404."""
    try:
        return call()
    except IllegalQuery as error:
        return JSONResponse(web_message(409, "ERROR", error.message, errorCode=error.error_code), status_code=409)
    except NotFound as error:
        raise HTTPException(404, str(error)) from None


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() == "true"


@dataclass(frozen=True)
class Schemes:
    """DHIS2's id scheme parameters, as sent."""

    any: str | None
    data_element: str | None
    org_unit: str | None
    combo: str | None

    def element(self) -> IdScheme:
        return _scheme(self.data_element, self.any)

    def unit(self) -> IdScheme:
        return _scheme(self.org_unit, self.any)

    def combos(self) -> IdScheme:
        return _scheme(self.combo, self.any)


def id_schemes(
    any_scheme: Annotated[str | None, _scheme_query("idScheme")] = None,
    element: Annotated[str | None, _scheme_query("dataElementIdScheme")] = None,
    unit: Annotated[str | None, _scheme_query("orgUnitIdScheme")] = None,
    combo: Annotated[str | None, _scheme_query("categoryOptionComboIdScheme")] = None,
) -> Schemes:
    return Schemes(any_scheme, element, unit, combo)


SchemesDep = Annotated[Schemes, Depends(id_schemes)]


# --- metadata --------------------------------------------------------------------------------------------------


@router.post("/metadata", summary="Import DHIS2 metadata (org units, data elements, indicators, data sets, ...)")
def post_metadata(
    payload: Annotated[dict[str, Any], Body(description="A DHIS2 metadata payload: collections by type.")],
    principal: Dhis2CurrentUser, session: SessionDep, warehouse: WarehouseDep,
    strategy: Annotated[str, Query(alias="importStrategy", description="CREATE_AND_UPDATE, CREATE or UPDATE.")]
    = "CREATE_AND_UPDATE",
    atomic: Annotated[str, Query(alias="atomicMode", description="ALL (nothing if anything fails) or NONE.")]
    = "ALL",
    mode: Annotated[str, Query(alias="importMode", description="COMMIT, or VALIDATE to check only.")] = "COMMIT",
    department: Annotated[str, Query(description="govpulse: department of new data elements and indicators.")]
    = "DHIS2",
):
    options = MetadataOptions(import_strategy=strategy.upper(), atomic_mode=atomic.upper(),
                              import_mode=mode.upper(), department=department)
    try:
        status, body = import_metadata(session, warehouse, principal.scope, principal.username, payload, options)
    except MetadataRequestError as error:
        raise HTTPException(400, str(error)) from None
    return JSONResponse(body, status_code=status)


# --- data value sets -------------------------------------------------------------------------------------------

_STRATEGIES = {"CREATE_AND_UPDATE": "CREATE_AND_UPDATE", "CREATE": "CREATE", "UPDATE": "UPDATE", "DELETE": "DELETE",
               "NEW_AND_UPDATES": "CREATE_AND_UPDATE", "NEW": "CREATE", "UPDATES": "UPDATE"}  # older DHIS2 names


@router.post("/dataValueSets", summary="Import data values (DHIS2 JSON or CSV) through the ingest pipeline",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object", "properties": {
                     "dataValues": {"type": "array", "items": {"type": "object"}}}}},
                 "application/csv": {"schema": {"type": "string"}}}}})
async def post_data_value_sets(
    request: Request, principal: Dhis2CurrentUser, session: SessionDep, warehouse: WarehouseDep,
    schemes: SchemesDep,
    dry_run: Annotated[str | None, _flag_query("dryRun", "check, write nothing.")] = None,
    strategy: Annotated[str, Query(alias="importStrategy", description="CREATE_AND_UPDATE, CREATE, UPDATE.")]
    = "CREATE_AND_UPDATE",
):
    body = await request.body()

    def run():
        if strategy.upper() not in _STRATEGIES:
            raise IllegalQuery(f"importStrategy must be CREATE_AND_UPDATE, CREATE or UPDATE, not {strategy!r}")
        options = ImportOptions(data_element_scheme=schemes.element(), org_unit_scheme=schemes.unit(),
                                combo_scheme=schemes.combos(), strategy=_STRATEGIES[strategy.upper()],
                                dry_run=_flag(dry_run))
        try:
            values = parse_data_value_set(body, request.headers.get("content-type", "application/json"))
        except DataValueSetError as error:
            raise HTTPException(400, str(error)) from None
        stores = IngestStores(request.app.state.session_factory, warehouse)
        summary = import_data_values(stores, session, principal.scope, principal.username, values, options,
                                     hashlib.sha256(body).hexdigest()[:12])
        status, message = summary.web_message()
        return JSONResponse(message, status_code=status)

    return await run_in_threadpool(_answer, run)


@dataclass(frozen=True)
class ExportParams:
    """The query of a data value set export, as sent (checked inside the handler, so errors answer DHIS2's way)."""

    data_sets: list[str]
    data_elements: list[str]
    periods: list[str]
    start: date | None
    end: date | None
    org_units: list[str]
    children: str | None
    schemes: Schemes

    def query(self) -> ExportQuery:
        return ExportQuery(
            data_sets=self.data_sets, data_elements=self.data_elements, periods=self.periods, start=self.start,
            end=self.end, org_units=self.org_units, children=_flag(self.children),
            data_element_scheme=self.schemes.element(), org_unit_scheme=self.schemes.unit(),
            combo_scheme=self.schemes.combos())


def export_params(
    schemes: SchemesDep,
    data_sets: Annotated[list[str], _ids_query("dataSet")] = [],  # noqa: B006 - FastAPI copies defaults
    data_elements: Annotated[list[str], _ids_query("dataElement")] = [],  # noqa: B006
    periods: Annotated[list[str], _ids_query("period")] = [],  # noqa: B006
    start: Annotated[date | None, Query(alias="startDate", description="With endDate: periods within.")] = None,
    end: Annotated[date | None, Query(alias="endDate")] = None,
    org_units: Annotated[list[str], _ids_query("orgUnit")] = [],  # noqa: B006
    children: Annotated[str | None, Query(description="true: the org units' whole subtrees.")] = None,
) -> ExportParams:
    return ExportParams(data_sets, data_elements, periods, start, end, org_units, children, schemes)


ExportDep = Annotated[ExportParams, Depends(export_params)]


def _export(session, warehouse, principal, params: ExportParams, csv: bool = False) -> Response:
    values = export_data_values(session, warehouse, principal.scope, params.query())
    if csv:
        return Response(to_csv(values), media_type="application/csv")
    return JSONResponse({"dataValues": values})


@router.get("/dataValueSets", summary="Export stored values as a DHIS2 data value set (JSON)")
def get_data_value_sets(params: ExportDep, principal: Dhis2CurrentUser, session: SessionDep,
                        warehouse: WarehouseDep):
    return _answer(lambda: _export(session, warehouse, principal, params))


@router.get("/dataValueSets.json", summary="Export stored values as a DHIS2 data value set (JSON)")
def get_data_value_sets_json(params: ExportDep, principal: Dhis2CurrentUser, session: SessionDep,
                             warehouse: WarehouseDep):
    return _answer(lambda: _export(session, warehouse, principal, params))


@router.get("/dataValueSets.csv", summary="Export stored values as DHIS2's data value CSV",
            response_class=Response, responses={200: {"content": {"application/csv": {"schema": {"type": "string"}}},
                                                      "description": "One header row, then one line per value."}})
def get_data_value_sets_csv(params: ExportDep, principal: Dhis2CurrentUser, session: SessionDep,
                            warehouse: WarehouseDep):
    return _answer(lambda: _export(session, warehouse, principal, params, csv=True))


# --- analytics -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnalyticsQueryParams:
    """An analytics request's parameters, as sent."""

    dimensions: list[str]
    filters: list[str]
    output_scheme: str | None
    input_scheme: str | None
    relative_period_date: str | None
    include_num_den: str | None
    skip_meta: str | None
    skip_data: str | None
    skip_rounding: str | None
    dates: bool

    def params(self) -> AnalyticsParams:
        return AnalyticsParams(
            dimensions=self.dimensions, filters=self.filters, input_scheme=_scheme(self.input_scheme),
            output_scheme=_scheme(self.output_scheme), relative_period_date=_day(self.relative_period_date),
            include_num_den=_flag(self.include_num_den), skip_meta=_flag(self.skip_meta),
            skip_data=_flag(self.skip_data), skip_rounding=_flag(self.skip_rounding), dates_given=self.dates)


def analytics_params(
    dimensions: Annotated[list[str], Query(alias="dimension", description="dx:.., pe:.., ou:.. (repeatable).")]
    = [],  # noqa: B006
    filters: Annotated[list[str], Query(alias="filter", description="Like dimension, aggregated over.")]
    = [],  # noqa: B006
    display_property: Annotated[str | None, Query(alias="displayProperty", description="NAME (or SHORTNAME).")]
    = None,
    output_scheme: Annotated[str | None, _scheme_query("outputIdScheme")] = None,
    input_scheme: Annotated[str | None, _scheme_query("inputIdScheme")] = None,
    relative_period_date: Annotated[str | None, Query(alias="relativePeriodDate",
                                                      description="The day relative periods count from.")] = None,
    include_num_den: Annotated[str | None, _flag_query("includeNumDen", "numerator and denominator too.")] = None,
    skip_meta: Annotated[str | None, _flag_query("skipMeta", "no metaData.")] = None,
    skip_data: Annotated[str | None, _flag_query("skipData", "no rows.")] = None,
    skip_rounding: Annotated[str | None, _flag_query("skipRounding", "values unrounded.")] = None,
    start: Annotated[str | None, Query(alias="startDate", description="Not supported: use pe.")] = None,
    end: Annotated[str | None, Query(alias="endDate", description="Not supported: use pe.")] = None,
) -> AnalyticsQueryParams:
    del display_property  # names are the only display property govpulse has
    return AnalyticsQueryParams(dimensions, filters, output_scheme, input_scheme, relative_period_date,
                                include_num_den, skip_meta, skip_data, skip_rounding, bool(start or end))


AnalyticsDep = Annotated[AnalyticsQueryParams, Depends(analytics_params)]


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise IllegalQuery(f"Date time is not parsable: `{text}`", "E7135") from None


def _analytics(session, warehouse, principal, query: AnalyticsQueryParams) -> JSONResponse:
    today = datetime.now(TIME_ZONE).date()
    return JSONResponse(run_analytics(session, warehouse, principal.scope, query.params(), today))


@router.get("/analytics", summary="DHIS2 analytics: indicators and data elements by period and org unit")
def get_analytics(query: AnalyticsDep, principal: Dhis2CurrentUser, session: SessionDep, warehouse: WarehouseDep):
    return _answer(lambda: _analytics(session, warehouse, principal, query))


@router.get("/analytics.json", summary="DHIS2 analytics (the same, under the name DHIS2 clients often use)")
def get_analytics_json(query: AnalyticsDep, principal: Dhis2CurrentUser, session: SessionDep,
                       warehouse: WarehouseDep):
    return _answer(lambda: _analytics(session, warehouse, principal, query))


# --- who and what ----------------------------------------------------------------------------------------------


@router.get("/system/info", summary="What DHIS2 clients ask first: version, calendar, server time")
def system_info(request: Request, principal: Dhis2CurrentUser):  # noqa: ARG001 - signed-in callers only
    now = datetime.now(UTC)
    return {"version": API_VERSION, "revision": f"govpulse {__version__}", "systemName": "govpulse",
            "calendar": "iso8601", "dateFormat": "yyyy-mm-dd", "serverDate": now.isoformat(timespec="milliseconds"),
            "serverTimeZoneId": str(TIME_ZONE), "contextPath": str(request.base_url).rstrip("/")}


@router.get("/me", summary="The signed-in account, as DHIS2 describes a user")
def dhis2_me(principal: Dhis2CurrentUser, session: SessionDep):
    roots = OrgUnitRepository(session).roots(principal.scope)
    ids = Resolver(session).org_unit_ids(roots)
    units = [{"id": ids[u.code], "name": u.name} for u in roots]
    user = principal.user
    return {"id": principal.username, "username": principal.username,
            "name": (user.full_name if user else "") or principal.username,
            "organisationUnits": units, "dataViewOrganisationUnits": units,
            "authorities": sorted(principal.scope.actions or ["ALL"])}
