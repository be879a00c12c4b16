"""The builder's error, and where in the script it points.

In: the call stack of a builder call. Out: :class:`NetbuildError` (what every refusal of the
Python front raises, re-exported as ``netbuild.NetbuildError``) and :func:`caller`, the
``file:line`` of the script's call that a spec or model error is pointed at.
"""

import inspect
import os


class NetbuildError(ValueError):
    """A circuit netbuild cannot build as described, located at the script's call."""


def caller():
    """``file:line`` of the script's call into the builder (the first frame outside netbuild)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for f in inspect.stack()[2:]:
        if os.path.dirname(os.path.abspath(f.filename)) != here:
            return f"{f.filename}:{f.lineno}"
    return "<unknown>"
