"""publicity: notices that reach the people a rule names and show who read them; honour campaigns
(文明楼栋, 好婆婆, 好媳妇) that residents nominate and vote on; records of offline publicity."""

from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "gongzhi.publicity"
    label = "publicity"
    verbose_name = "宣传发动"
