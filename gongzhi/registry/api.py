import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import Id, Pages, QueryText
from gongzhi.core.http import ApiRequest
from gongzhi.registry import selectors

router = Router(tags=["registry"])


class PersonOut(Schema):
    """A person as lists show them: masked ID number and phone, never the clear values."""

    id: int
    name: str
    sex: str
    birth_year: int | None
    id_type: str
    id_masked: str
    phone_masked: str
    status: str
    household_id: int | None
    grid_id: int | None

    @staticmethod
    def resolve_birth_year(obj: object) -> int | None:
        # A list's rows are values() dicts, a single person is the model.
        born: dt.date | None = obj.get("born_on") if isinstance(obj, dict) else getattr(obj, "born_on", None)
        return born.year if born else None


PERSON_OUT_COLUMNS = (
    "id",
    "name",
    "sex",
    "born_on",
    "id_type",
    "id_masked",
    "phone_masked",
    "status",
    "household_id",
    "grid_id",
)


class HouseholdOut(Schema):
    id: int
    number: str
    dwelling_id: int | None
    grid_id: int | None
    head_id: int | None
    registered_on: dt.date


class HouseholdDetailOut(HouseholdOut):
    members: list[PersonOut]


@router.get("/people", response=list[PersonOut], summary="Search people by name, pinyin, ID or phone (exact)")
@paginate(Pages, page_size=50)
def person_list(request: ApiRequest, q: QueryText = "", grid: Id | None = None, care_tag: Id | None = None) -> object:
    people = selectors.person_list(actor=request.auth, search=q, grid_id=grid, care_tag_id=care_tag)
    # The list shows person columns only: no joins, a short SELECT to compile, and values rather than models
    # (building the page's 50 Person instances was a fifth of the call; bench.profile). The hot path of the API.
    return people.select_related(None).values(*PERSON_OUT_COLUMNS)


@router.get("/people/{person_id}", response=PersonOut)
def person_get(request: ApiRequest, person_id: Id) -> object:
    return selectors.person_get(actor=request.auth, person_id=person_id)


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages, page_size=50)
def household_list(request: ApiRequest, grid: Id | None = None) -> object:
    return selectors.household_list(actor=request.auth, grid_id=grid)


@router.get("/households/{household_id}", response=HouseholdDetailOut)
def household_get(request: ApiRequest, household_id: Id) -> object:
    household = selectors.household_get(actor=request.auth, household_id=household_id)
    return {
        "id": household.pk,
        "number": household.number,
        "dwelling_id": household.dwelling_id,
        "grid_id": household.grid_id,
        "head_id": household.head_id,
        "registered_on": household.registered_on,
        "members": list(household.members.all()),
    }
