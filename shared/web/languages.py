"""The language a page is shown in, from what its request says (shared/domain/language.py negotiates): the
client pages, the policy pages and the link previews of a host's pages ask here, so they always agree."""

from __future__ import annotations

from flask import Request

from shared.domain.language import Language, negotiate, supported
from shared.web.browser_storage import LANGUAGE


def page_language(request: Request, fallback: str | None = None) -> Language:
    """The visitor's choice (`?lang=`, else the `kaleno_lang` cookie the page's switch sets), their browser's
    `Accept-Language`, the host's default (`fallback`, on a host's own pages), English."""
    chosen = supported(request.args.get("lang")) or supported(request.cookies.get(LANGUAGE.name))
    return negotiate(chosen, request.headers.get("Accept-Language"), fallback)
