import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from gongzhi.core import pii
from gongzhi.core.pii import (
    DecryptionError,
    blind_index,
    decrypt,
    encrypt,
    generate_key,
    mask_id_number,
    mask_phone,
    parse_keyring,
    token_key_id,
)
from gongzhi.core.pinyin import mask_name


@pytest.fixture(autouse=True)
def _fresh_keys():
    pii.reset_key_cache()
    yield
    pii.reset_key_cache()


def test_encrypt_round_trips_and_never_contains_the_plaintext():
    token = encrypt("340303199001011233")
    assert "340303199001011233" not in token
    assert token.startswith("g1:t2:")  # the first configured key encrypts
    assert decrypt(token) == "340303199001011233"


def test_same_plaintext_encrypts_differently_each_time():
    assert encrypt("13800001111") != encrypt("13800001111")


def test_tokens_of_a_retired_key_still_decrypt_after_rotation():
    old = generate_key()
    new = generate_key()
    blind = generate_key()
    with override_settings(PII_ENCRYPTION_KEYS=f"old:{old}", PII_BLIND_INDEX_KEY=blind):
        pii.reset_key_cache()
        token = encrypt("secret")
    with override_settings(PII_ENCRYPTION_KEYS=f"new:{new},old:{old}", PII_BLIND_INDEX_KEY=blind):
        pii.reset_key_cache()
        assert decrypt(token) == "secret"
        assert token_key_id(encrypt("secret")) == "new"
    with override_settings(PII_ENCRYPTION_KEYS=f"new:{new}", PII_BLIND_INDEX_KEY=blind):
        pii.reset_key_cache()
        with pytest.raises(DecryptionError, match="No key 'old'"):
            decrypt(token)


def test_tampered_token_is_refused():
    token = encrypt("secret")
    body = token.rsplit(":", 1)[1]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(Exception):  # noqa: B017, PT011 - cryptography raises InvalidTag
        decrypt(token.rsplit(":", 1)[0] + ":" + flipped)


def test_blind_index_is_stable_keyed_and_separate_per_purpose():
    assert blind_index("id-number", "1") == blind_index("id-number", "1")
    assert blind_index("id-number", "1") != blind_index("phone", "1")
    assert len(blind_index("phone", "13800001111")) == 32


@pytest.mark.parametrize(
    ("keys", "blind", "message"),
    [
        ("", "x", "missing"),
        ("nocolon", generate_key(), "id:base64key"),
        ("k1:not-base64!", generate_key(), "not valid base64"),
        ("k1:c2hvcnQ=", generate_key(), "32 bytes"),
    ],
)
def test_bad_key_configuration_fails_loudly(keys, blind, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_keyring(keys, blind)


def test_masks():
    assert mask_id_number("340303199001011233") == "340303********1233"
    assert mask_id_number("340303500101003") == "340303*****1003"
    assert mask_phone("13800001111") == "138****1111"
    assert mask_phone("+85291234567") == "+852****4567"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修文") == "欧阳**"
