import pytest

from gongzhi.core.pinyin import name_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("曾小明", "zengxiaoming", "zxm"),  # pypinyin alone says ceng
        ("单田芳", "shantianfang", "stf"),  # dan
        ("解缙", "xiejin", "xj"),  # jie
        ("仇英", "qiuying", "qy"),  # chou
        ("朴智星", "piaozhixing", "pzx"),  # pu
        ("区家麟", "oujialin", "ojl"),  # qu
        ("欧阳修", "ouyangxiu", "oyx"),
        ("张三", "zhangsan", "zs"),
        ("John Smith", "johnsmith", "js"),
    ],
)
def test_name_keys_read_surnames_as_surnames(name, full, initials):
    assert name_keys(name) == (full, initials)


def test_surname_reading_applies_only_to_the_first_character():
    # 曾 inside a given name keeps its common reading.
    assert name_keys("王曾")[0] == "wangceng"
