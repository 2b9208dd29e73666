"""Credentials in job input, failure messages and logs: found (so a job holding one is refused
before it reaches Temporal history) and redacted. The same patterns as the TypeScript client's
src/common/redact.ts: credential shapes found anywhere, and values under credential-named keys.
"""

from __future__ import annotations

import json
import re
from typing import Any

_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_TOKEN = "[0-9A-Za-z._~+/=-]"

SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_-]{20,}")),
    ("Google OAuth access token", re.compile(r"ya29\.[0-9A-Za-z_.~+/=-]+")),
    ("Google OAuth refresh token", re.compile(r"1//0[0-9A-Za-z_-]{30,}")),
    (
        "bearer token",
        re.compile(
            rf"\b(Bearer[{_JS_SPACE}]+)(?:{_TOKEN}{{16,}}|(?=[A-Za-z._~+/=-]{{0,14}}[0-9]){_TOKEN}{{8,15}}(?!{_TOKEN}))",
            re.IGNORECASE | re.ASCII,
        ),
    ),
    ("JSON Web Token", re.compile(r"\beyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}", re.ASCII)),
    ("OpenAI-style secret key", re.compile(r"\bsk-[0-9A-Za-z_-]{20,}", re.ASCII)),
    ("GitHub token", re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}", re.ASCII)),
    ("GitHub fine-grained token", re.compile(r"\bgithub_pat_[0-9A-Za-z_]{40,}", re.ASCII)),
    ("Slack token", re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}", re.ASCII)),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", re.ASCII)),
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)
_CREDENTIAL_HEADER = re.compile(r"^(authorization|proxy-authorization|x-goog-api-key|x-api-key|api-key|cookie)$", re.IGNORECASE)
_CREDENTIAL_KEY = re.compile(r"^(api_?key|apiKey|access_?token|accessToken|refresh_?token|client_?secret|password|secret)$", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$", re.ASCII)


def find_secret_shape(text: str) -> str | None:
    """The name of the credential shape found in ``text`` (an ``AIza…`` key, a JWT, …), if any."""
    for name, pattern in SECRET_PATTERNS:
        if pattern.search(text):
            return name
    return None


def find_secrets(value: Any, path: str = "$", out: list[tuple[str, str]] | None = None, depth: int = 0) -> list[tuple[str, str]]:
    """Every credential in a JSON value, as ``(path, kind)``: credential-shaped strings anywhere and
    values under credential-named keys or headers. Never the value itself."""
    out = [] if out is None else out
    if depth > 64 or len(out) >= 20:
        return out
    if isinstance(value, str):
        kind = find_secret_shape(value)
        if kind:
            out.append((path, kind))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            find_secrets(item, f"{path}[{i}]", out, depth + 1)
    elif isinstance(value, dict):
        in_headers = path.endswith(".headers")
        for key, child in value.items():
            key = str(key)
            child_path = f"{path}.{key}" if _IDENTIFIER.match(key) else f"{path}[{json.dumps(key, ensure_ascii=False)}]"
            named = (in_headers and _CREDENTIAL_HEADER.match(key)) or _CREDENTIAL_KEY.match(key)
            if named and isinstance(child, str) and child:
                out.append((child_path, f'credential header "{key}"' if in_headers else f'credential field "{key}"'))
                continue
            find_secrets(child, child_path, out, depth + 1)
    return out


_SECRET_CONTEXTS = (
    re.compile(r"""([?&](?:key|api_key|access_token|token)=)[^&#\s"']+""", re.IGNORECASE),
    re.compile(r"""((?<![\w-])"?(?:x-goog-api-key|authorization|api_key|apiKey|access_token)"?\s*[:=]\s*"?(?:Bearer\s+)?)[^"\s,}]{4,}""", re.IGNORECASE),
)


def redact(text: str) -> str:
    """``text`` with every credential-shaped substring and credential value replaced by ``[REDACTED]``."""

    def keep_prefix(match: re.Match[str]) -> str:
        prefix = match.group(1) if match.re.groups >= 1 else None
        return (prefix or "") + "[REDACTED]"

    for _, pattern in SECRET_PATTERNS:
        text = pattern.sub(keep_prefix, text)
    for pattern in _SECRET_CONTEXTS:
        text = pattern.sub(keep_prefix, text)
    return text
