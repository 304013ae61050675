"""Reading a role of an index from Python.

PySide6 6.12 under Python 3.11 drops a reference to None whenever a C++ call hands an
*invalid* QVariant back to Python (`QModelIndex.data(role)` for a role the model has no
value for): each call decrements None's refcount until CPython aborts with
"none_dealloc: deallocating None". Painting calls it thousands of times, so delegates
ask the Python model directly, which returns Python objects with no QVariant between.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex


def role_data(index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
    model = index.model()
    if model is None or not index.isValid():
        return None
    return model.data(index, role)
