"""consultation: 广言亭 (residents' suggestions, supports, moderation) and 议事角 (a topic's discussion,
meetings with attendance and minutes, a resolution put to the vote engine, follow-up actions and the
public result notice). A topic keeps its whole path, from the suggestion it grew from to its result."""

from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "gongzhi.consultation"
    label = "consultation"
    verbose_name = "议事协商"
