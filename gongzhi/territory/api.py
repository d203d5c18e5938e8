from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.core.api import Id, Pages, QueryText
from gongzhi.core.http import ApiRequest
from gongzhi.territory import selectors

router = Router(tags=["territory"])


class NodeOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    depth: int
    management_mode: str
    is_old_compound: bool
    is_single_building: bool
    grid_id: int | None


class GridOut(Schema):
    id: int
    name: str
    code: str
    community_id: int
    compound_id: int | None
    boundary: dict[str, object] | None


class GridSummaryOut(Schema):
    id: int
    name: str
    code: str
    community_id: int
    compound_id: int | None


@router.get("/nodes", response=list[NodeOut], summary="The places the caller's duties name")
def node_top_list(request: ApiRequest) -> object:
    return selectors.node_top_list(actor=request.auth)


@router.get("/nodes/{node_id}", response=NodeOut)
def node_get(request: ApiRequest, node_id: Id) -> object:
    return selectors.node_get(actor=request.auth, node_id=node_id)


@router.get("/nodes/{node_id}/children", response=list[NodeOut])
def node_children(request: ApiRequest, node_id: Id) -> object:
    node = selectors.node_get(actor=request.auth, node_id=node_id)
    return selectors.node_children(actor=request.auth, node=node)


@router.get("/grids", response=list[GridSummaryOut])
@paginate(Pages, page_size=100)
def grid_list(request: ApiRequest, q: QueryText = "") -> object:
    return selectors.grid_list(actor=request.auth, search=q)


@router.get("/grids/{grid_id}", response=GridOut)
def grid_get(request: ApiRequest, grid_id: Id) -> object:
    return selectors.grid_get(actor=request.auth, grid_id=grid_id)
