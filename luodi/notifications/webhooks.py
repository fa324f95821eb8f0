"""The group robots' wire formats: which addresses are allowed, how each service signs,
what each expects as a JSON body, and one HTTP POST that never follows a redirect.

No Django models here; `domain` and `tasks` pass in what they read from the database.

- WeCom (企业微信) group robot: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`,
  no signature (the key in the address is the credential); answers `{"errcode": 0}`.
- DingTalk (钉钉) custom robot: `https://oapi.dingtalk.com/robot/send?access_token=…`; with
  "加签" the address gets `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(key=secret,
  msg="<ms>\\n<secret>")>`; answers `{"errcode": 0}`.
- Feishu / Lark (飞书) custom bot: `https://open.feishu.cn/open-apis/bot/v2/hook/…` (or
  open.larksuite.com); with signature verification the body carries `"timestamp": "<s>"` and
  `"sign": base64 HMAC-SHA256(key="<s>\\n<secret>", msg=b"")`; answers `{"code": 0}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlsplit

# Host → the path every robot address on it starts with.
OFFICIAL: dict[str, dict[str, str]] = {
    "wecom": {"qyapi.weixin.qq.com": "/cgi-bin/webhook/send"},
    "dingtalk": {"oapi.dingtalk.com": "/robot/send"},
    "feishu": {
        "open.feishu.cn": "/open-apis/bot/v2/hook/",
        "open.larksuite.com": "/open-apis/bot/v2/hook/",
    },
}
# A robot answers within a second or two; a slow one is retried later rather than holding a
# worker.
TIMEOUT_SECONDS = 5
MAX_ANSWER_BYTES = 64 * 1024
# WeCom's markdown content is limited to 4096 bytes, Feishu's whole body to 20 KB.
MAX_TEXT_BYTES = 4000
# Shown in every group message: robots set up with DingTalk's or Feishu's "keyword" security
# can use it as their keyword.
SIGNATURE_LINE = "— 落地 Luodi"


class UrlNotAllowed(ValueError):
    """The address may not be posted to; `code` says why (scheme, host, path, credentials)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class WebhookError(Exception):
    """A failed send. The message never contains the address or the secret."""


def check_url(kind: str, url: str, extra_hosts: Iterable[str] = ()) -> None:
    """Raise UrlNotAllowed unless `url` is an official robot address of `kind` over https,
    or on one of `extra_hosts` (operator-approved, http allowed: a local relay or a test)."""
    parts = urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowed("credentials")
    host = (parts.hostname or "").lower()
    if host in {h.strip().lower() for h in extra_hosts if h.strip()}:
        if parts.scheme not in {"http", "https"}:
            raise UrlNotAllowed("scheme")
        return
    official = OFFICIAL.get(kind, {})
    if host not in official:
        raise UrlNotAllowed("host")
    if parts.scheme != "https" or parts.port not in (None, 443):
        raise UrlNotAllowed("scheme")
    if not parts.path.startswith(official[host]) or parts.fragment:
        raise UrlNotAllowed("path")


def mask_url(url: str) -> str:
    """Enough of the address to recognise it, never enough to use it."""
    parts = urlsplit(url)
    tail = url[-4:] if len(url) > 24 else ""
    return f"{parts.scheme}://{parts.netloc}/…{tail}"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    # Feishu keys the HMAC with the string to sign and hashes an empty message.
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    link: str = ""
    language: str = "zh-hans"

    def lines(self) -> list[str]:
        lines = [line.rstrip() for line in self.body.strip().splitlines()]
        if self.link and self.link not in self.body:
            lines += ["", self.link]
        return [*lines, "", SIGNATURE_LINE]


def _clip(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def wecom_payload(text: Text) -> dict[str, Any]:
    content = "\n".join([f"**{text.title}**", *text.lines()])
    return {"msgtype": "markdown", "markdown": {"content": _clip(content)}}


def dingtalk_payload(text: Text) -> dict[str, Any]:
    # DingTalk's markdown joins single newlines; two trailing spaces keep each line.
    content = "  \n".join([f"#### {text.title}", *text.lines()])
    return {"msgtype": "markdown", "markdown": {"title": text.title, "text": _clip(content)}}


def feishu_payload(text: Text) -> dict[str, Any]:
    rows: list[list[dict[str, str]]] = []
    for line in text.lines():
        # The link becomes an "a" element wherever it appears, so that it can be clicked.
        before, found, after = line.partition(text.link) if text.link else (line, "", "")
        row = [{"tag": "text", "text": before}] if before or not found else []
        if found:
            row.append({"tag": "a", "text": found, "href": found})
            if after:
                row.append({"tag": "text", "text": after})
        rows.append(row)
    locale = "en_us" if text.language.startswith("en") else "zh_cn"
    post = {locale: {"title": text.title, "content": rows}}
    return {"msg_type": "post", "content": {"post": post}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot never redirects; following one could carry the message (and a signed URL)
    to an address nobody approved."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError with the 3xx status


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_json(url: str, payload: dict[str, Any], timeout: float = TIMEOUT_SECONDS) -> bytes:
    """POST the payload; return the answer's body, or raise WebhookError for anything but
    a 2xx answer."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "Luodi"},
    )
    try:
        with _OPENER.open(request, timeout=timeout) as answer:
            return bytes(answer.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            raise WebhookError(f"HTTP {exc.code}: redirects are not followed") from None
        raise WebhookError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise WebhookError(f"connection failed: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise WebhookError(f"connection failed: {exc.__class__.__name__}") from None


def check_answer(kind: str, body: bytes) -> None:
    """The services answer 200 with an error code for most failures (bad key, bad
    signature, rate limit); anything but code 0 is a failure."""
    try:
        answer = json.loads(body.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise WebhookError("the answer is not JSON") from None
    if not isinstance(answer, dict):
        raise WebhookError("the answer is not a JSON object")
    if kind == "feishu":
        code = answer.get("code", answer.get("StatusCode"))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode"), answer.get("errmsg", "")
    if code != 0:
        raise WebhookError(f"error code {code}: {str(message)[:200]}")


def send(kind: str, url: str, secret: str, text: Text, *, now: float) -> None:
    """Send one message to one robot; `now` is the Unix time used for signatures."""
    payload: dict[str, Any]
    if kind == "wecom":
        payload = wecom_payload(text)
    elif kind == "dingtalk":
        payload = dingtalk_payload(text)
        if secret:
            url = dingtalk_signed_url(url, secret, int(now * 1000))
    elif kind == "feishu":
        payload = feishu_payload(text)
        if secret:
            timestamp = int(now)
            payload = {
                "timestamp": str(timestamp),
                "sign": feishu_sign(secret, timestamp),
                **payload,
            }
    else:
        raise WebhookError(f"unknown robot kind {kind!r}")
    check_answer(kind, post_json(url, payload))
