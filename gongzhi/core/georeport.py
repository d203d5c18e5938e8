"""The GeoReport v2 error answer: an array of {code, description}, as JSON or XML.

Open311 (gongzhi.cases.open311) answers its own errors with it, and so does the server-error handler
(gongzhi.core.errors) when the database is lost under an Open311 request, so a client sees one shape whichever
layer failed. It lives in core because the handler must not depend on a module app."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import orjson
from django.http import HttpResponse


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    """The error array of GeoReport v2 with the HTTP status; fmt is "json" or "xml" (the URL's extension)."""
    if fmt == "json":
        body = orjson.dumps([{"code": status, "description": description}])
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    errors = ET.Element("errors")
    error = ET.SubElement(errors, "error")
    ET.SubElement(error, "code").text = str(status)
    ET.SubElement(error, "description").text = description
    xml = '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(errors, encoding="unicode")
    return HttpResponse(xml, status=status, content_type="text/xml; charset=utf-8")
