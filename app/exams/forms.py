"""The item bank and frozen forms as the test sessions use them: drawn at booking, cached once read."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from sqlalchemy.orm import Session

from app.items.bank import Bank, load_bank
from app.items.forms import Form, draw_form
from app.items.service import freeze_form, get_form
from app.rules.policy import SelectionPolicy

_CACHE_SIZE = 256
_cache: OrderedDict[str, Form] = OrderedDict()
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _default_bank() -> Bank:
    return load_bank()


def get_item_bank() -> Bank:
    """The dependency behind the booking routes: the repository's validated bank (tests override it)."""
    return _default_bank()


def draw_and_freeze(
    session: Session,
    bank: Bank,
    programme: str,
    *,
    seed: int,
    policy: SelectionPolicy,
    exclude: frozenset[str] = frozenset(),
) -> Form:
    """Draw a form of ``programme`` (an item-bank programme) and store it frozen; the same seed, the same form."""
    form = draw_form(bank, programme, seed=seed, exclude=exclude, policy=policy)
    freeze_form(session, form)
    _remember(form)
    return form


def cached_form(session: Session, form_hash: str) -> Form:
    """The frozen form with ``form_hash``; a form never changes, so one read per process is enough."""
    with _lock:
        form = _cache.get(form_hash)
        if form is not None:
            _cache.move_to_end(form_hash)
            return form
    form = get_form(session, form_hash)
    _remember(form)
    return form


def _remember(form: Form) -> None:
    with _lock:
        _cache[form.form_hash] = form
        _cache.move_to_end(form.form_hash)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
