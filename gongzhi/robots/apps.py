"""robots: messages to work groups through webhook robots (企业微信群机器人, 钉钉机器人), configured per
community. Other apps post with services.robot_post(topic=…); a background task delivers, retries and logs."""

from django.apps import AppConfig


class RobotsConfig(AppConfig):
    name = "gongzhi.robots"
    label = "robots"
    verbose_name = "群机器人"
