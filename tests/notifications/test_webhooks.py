"""The wire formats: signatures against the services' documented algorithms, the address
policy, the message bodies and the answer check. No database, no network."""

from __future__ import annotations

import pytest

from luodi.notifications import webhooks
from luodi.notifications.webhooks import Text, UrlNotAllowed, WebhookError


def test_dingtalk_sign_matches_the_documented_algorithm() -> None:
    # base64(HMAC-SHA256(key=secret, msg="<timestamp ms>\n<secret>")), computed independently:
    # printf '1700000000000\nSECtest-secret-123' \
    #   | openssl dgst -sha256 -hmac 'SECtest-secret-123' -binary | base64
    sign = webhooks.dingtalk_sign("SECtest-secret-123", 1700000000000)
    assert sign == "OdCH901FOf73VhFoU/E7B7DzgzJbshAF1ZFsnN4AYZg="


def test_feishu_sign_matches_the_documented_algorithm() -> None:
    # base64(HMAC-SHA256(key="<timestamp s>\n<secret>", msg="")), computed independently with
    # openssl dgst -sha256 -mac HMAC -macopt hexkey:<hex of "1700000000\nfeishu-secret">
    sign = webhooks.feishu_sign("feishu-secret", 1700000000)
    assert sign == "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU="


def test_the_two_signatures_are_not_interchangeable() -> None:
    # Feishu keys the HMAC with the string to sign, DingTalk with the secret.
    assert webhooks.feishu_sign("s", 1) != webhooks.dingtalk_sign("s", 1)


def test_dingtalk_signed_url_appends_urlencoded_sign() -> None:
    url = webhooks.dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtest-secret-123", 1700000000000
    )
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
        "&sign=OdCH901FOf73VhFoU%2FE7B7DzgzJbshAF1ZFsnN4AYZg%3D"
    )


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=98975521a1b2"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07"),
        ("feishu", "https://open.larksuite.com/open-apis/bot/v2/hook/5e3d587e-d78e-4a07"),
    ],
)
def test_official_addresses_are_allowed(kind: str, url: str) -> None:
    webhooks.check_url(kind, url)


@pytest.mark.parametrize(
    ("kind", "url", "code"),
    [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "scheme"),
        ("wecom", "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=k", "scheme"),
        ("wecom", "https://evil.example.com/cgi-bin/webhook/send?key=k", "host"),
        ("wecom", "https://qyapi.weixin.qq.com.evil.example.com/cgi-bin/webhook/send", "host"),
        ("wecom", "https://oapi.dingtalk.com/robot/send?access_token=t", "host"),
        ("dingtalk", "https://oapi.dingtalk.com/gettoken?appkey=x", "path"),
        ("feishu", "https://user:pw@open.feishu.cn/open-apis/bot/v2/hook/x", "credentials"),
        ("feishu", "ftp://open.feishu.cn/open-apis/bot/v2/hook/x", "scheme"),
        ("wecom", "http://127.0.0.1:8000/cgi-bin/webhook/send?key=k", "host"),
    ],
)
def test_other_addresses_are_refused(kind: str, url: str, code: str) -> None:
    with pytest.raises(UrlNotAllowed) as caught:
        webhooks.check_url(kind, url)
    assert caught.value.code == code


def test_extra_hosts_allow_http_and_any_path() -> None:
    webhooks.check_url("wecom", "http://127.0.0.1:8765/anything", ["127.0.0.1"])
    with pytest.raises(UrlNotAllowed):
        webhooks.check_url("wecom", "gopher://127.0.0.1/x", ["127.0.0.1"])


def test_mask_url_hides_the_key() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aoc-4bc4-97a0"
    masked = webhooks.mask_url(url)
    assert masked == "https://qyapi.weixin.qq.com/…97a0"
    assert "693a91f6" not in masked


def test_payloads_follow_each_service() -> None:
    text = Text(title="到期提醒", body="你好，\n任务即将到期。", link="https://x.example/t/1")
    wecom = webhooks.wecom_payload(text)
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("**到期提醒**\n你好，\n任务即将到期。")
    assert "https://x.example/t/1" in wecom["markdown"]["content"]
    ding = webhooks.dingtalk_payload(text)
    assert ding["msgtype"] == "markdown"
    assert ding["markdown"]["title"] == "到期提醒"
    assert ding["markdown"]["text"].startswith("#### 到期提醒  \n你好，  \n任务即将到期。")
    feishu = webhooks.feishu_payload(Text(title="Due", body="Hi", link="https://x", language="en"))
    post = feishu["content"]["post"]["en_us"]
    assert feishu["msg_type"] == "post"
    assert post["title"] == "Due"
    assert [{"tag": "a", "text": "https://x", "href": "https://x"}] in post["content"]
    assert post["content"][-1] == [{"tag": "text", "text": webhooks.SIGNATURE_LINE}]


def test_long_text_is_clipped_to_the_service_limit() -> None:
    content = webhooks.wecom_payload(Text(title="t", body="长" * 3000))["markdown"]["content"]
    assert len(content.encode()) <= webhooks.MAX_TEXT_BYTES
    assert content.endswith("…")


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("wecom", b'{"errcode": 93000, "errmsg": "invalid webhook url"}'),
        ("dingtalk", b'{"errcode": 310000, "errmsg": "sign not match"}'),
        ("feishu", b'{"code": 19021, "msg": "sign match fail"}'),
        ("feishu", b'{"StatusCode": 9499, "StatusMessage": "Bad Request"}'),
        ("wecom", b"<html>gateway</html>"),
        ("wecom", b"[]"),
    ],
)
def test_error_codes_in_a_200_answer_are_failures(kind: str, answer: bytes) -> None:
    with pytest.raises(WebhookError):
        webhooks.check_answer(kind, answer)


def test_code_zero_is_success() -> None:
    webhooks.check_answer("wecom", b'{"errcode": 0, "errmsg": "ok"}')
    webhooks.check_answer("feishu", b'{"code": 0, "msg": "success", "data": {}}')
