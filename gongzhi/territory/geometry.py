"""GeoJSON boundaries: validation with shapely and point-in-polygon lookup."""

from __future__ import annotations

from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from gongzhi.core.exceptions import DomainError

ACCEPTED_TYPES = {"Polygon", "MultiPolygon"}


def geometry_from_geojson(geojson: Any) -> BaseGeometry:
    """Parse and validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one)."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ACCEPTED_TYPES:
        raise DomainError(_("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"), field="boundary")
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.GEOSException) as exc:
        raise DomainError(_("边界不是有效的 GeoJSON：%(error)s") % {"error": exc}, field="boundary") from exc
    if geometry.is_empty:
        raise DomainError(_("边界为空。"), field="boundary")
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise DomainError(_("边界多边形无效（%(reason)s），例如边线自相交。") % {"reason": reason}, field="boundary")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise DomainError(_("边界坐标超出经纬度范围。"), field="boundary")
    return geometry


def contains_point(geojson: Any, longitude: float, latitude: float) -> bool:
    return bool(shape(geojson).covers(Point(longitude, latitude)))
