from django.urls import path, register_converter

from gongzhi.cases import open311


class FormatConverter:
    """The response format chosen by extension, as the spec has it: .xml (mandatory) or .json."""

    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<fmt:fmt>", open311.discovery, name="discovery"),
    path("services.<fmt:fmt>", open311.service_list, name="services"),
    path("services/<slug:service_code>.<fmt:fmt>", open311.service_definition, name="service-definition"),
    path("requests.<fmt:fmt>", open311.request_list, name="requests"),
    path("requests/<slug:service_request_id>.<fmt:fmt>", open311.request_detail, name="request-detail"),
    path("tokens/<slug:token>.<fmt:fmt>", open311.token, name="token"),
    path("media/<int:photo_id>.jpg", open311.media, name="media"),
]
