"""Plain-JSON documents from domain dataclasses and back.

Every entity in `audit/` is a dataclass built from a small set of field types, so one
codec serves them all and storage never needs to know a model.  Supported field
types: ``str``, ``int``, ``float``, ``bool``, ``datetime.date``, ``datetime.datetime``,
``enum.StrEnum`` subclasses, nested dataclasses, ``list[X]``, ``dict[str, X]`` and
``X | None`` of any of those.  Dates are ISO strings on disk.

Converters are compiled once per class (the cohort holds tens of thousands of cases),
and decoding always builds fresh containers, so a model never shares a list with the
storage cache.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any, Callable, TypeVar, overload

T = TypeVar("T")
C = TypeVar("C")

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]


class DocumentError(ValueError):
    """A stored document does not have the shape its model expects."""


def _per_type(make: Callable[[Any], C]) -> Callable[[Any], C]:
    """``functools.cache`` for a function of a type: typeshed types the cached call as
    taking ``Hashable``, which mypy does not see a class as."""
    return cache(make)


def to_doc(obj: Any) -> dict[str, Any]:
    """Encode a dataclass instance as a JSON-ready dict."""
    return _encoder_for(type(obj))(obj)


def to_docs(objs: list[Any]) -> list[dict[str, Any]]:
    """Encode many instances of one dataclass at once (an import's cases): the same
    documents as ``to_doc``, without a call per object."""
    if not objs:
        return []
    bulk: Any = _encoder_for(type(objs[0]))  # a dataclass encoder also has .many
    return bulk.many(objs)


def from_doc(cls: type[T], doc: Any) -> T:
    """Decode a dict (as stored) into a fresh instance of ``cls``.

    Missing fields take their dataclass defaults, so older documents keep loading
    when a field with a default is added; unknown keys are ignored.
    """
    try:
        return _decoder_for(cls)(doc)
    except DocumentError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DocumentError(f"a stored {cls.__name__} is malformed ({exc})") from None


@overload
def complete(cls: type, doc: dict[str, Any]) -> dict[str, Any]: ...
@overload
def complete(cls: type, doc: None) -> None: ...
@overload
def complete(cls: type, doc: dict[str, Any] | None) -> dict[str, Any] | None: ...
def complete(cls: type, doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """`doc` with every field present: the defaults a compact document leaves out, put back.

    For the journal and conflict views, where "not stored" must read as the default value.
    """
    if doc is None or not getattr(cls, "CODEC_OMIT_DEFAULTS", False):
        return doc
    return {**_defaults_doc(cls), **doc}


@_per_type
def _defaults_doc(cls: type) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = _encoder_for(hints[f.name])(f.default)
    return out


def _identity(value: Any) -> Any:
    return value


@_per_type
def _encoder_for(tp: Any) -> Encoder:
    if dataclasses.is_dataclass(tp):
        return _compile_encoder(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {tp!r}")
        enc = _encoder_for(inner[0])
        return lambda v: None if v is None else enc(v)
    if origin is list:
        enc = _encoder_for(args[0])
        if enc is _identity:
            return list
        return lambda v: [enc(x) for x in v]
    if origin is dict:
        enc = _encoder_for(args[1])
        if enc is _identity:
            return dict
        return lambda v: {k: enc(x) for k, x in v.items()}
    if tp in (date, datetime):
        return lambda v: v.isoformat()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: v.value
    if tp in (str, int, float, bool, Any):
        return _identity
    raise TypeError(f"unsupported field type {tp!r}")


class _IsoDates(dict[date, str]):
    """date -> its ISO text, made once: an import's 50,000 cases share a few thousand
    dates, and ``isoformat`` costs more than a lookup."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


class _Source:
    """Builds the source of a generated encoder; `cached_dates` reads dates through a
    local `_IsoDates` named ``iso`` (the bulk encoder) instead of calling isoformat."""

    def __init__(self, cached_dates: bool) -> None:
        self.namespace: dict[str, Any] = {"_IsoDates": _IsoDates}
        self.cached_dates = cached_dates

    def inline(self, tp: Any, expr: str, name: str) -> str:
        """An expression encoding `expr` (a name or attribute read) of type `tp`."""
        if _encoder_for(tp) is _identity:
            return expr
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            return f"(None if {expr} is None else {self.inline(_without_none(tp), expr, name)})"
        if tp in (date, datetime):
            return f"iso[{expr}]" if self.cached_dates else f"{expr}.isoformat()"
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return f"{expr}.value"
        if origin is list:
            item = typing.get_args(tp)[0]
            display = self.record(item, "x", name)
            if display is not None:  # a list of small records (engagement periods): no call each
                return f"[{display} for x in {expr}]"
            self.namespace[f"item_{name}"] = _encoder_for(item)
            return f"list(map(item_{name}, {expr}))"
        self.namespace[f"enc_{name}"] = _encoder_for(tp)
        return f"enc_{name}({expr})"

    def record(self, tp: Any, expr: str, name: str) -> str | None:
        """A dict display for a dataclass that keeps every field and whose fields are
        text, numbers, dates or enums (maybe None); otherwise None."""
        if not dataclasses.is_dataclass(tp) or getattr(tp, "CODEC_OMIT_DEFAULTS", False):
            return None
        hints = typing.get_type_hints(tp)
        parts = []
        for f in dataclasses.fields(tp):
            plain = _without_none(hints[f.name])
            if not (_encoder_for(plain) is _identity or plain in (date, datetime)
                    or isinstance(plain, type) and issubclass(plain, enum.Enum)):
                return None
            parts.append(f"{f.name!r}: {self.inline(hints[f.name], f'{expr}.{f.name}', name)}")
        return "{" + ", ".join(parts) + "}"

    def body(self, tp: Any, indent: str) -> list[str]:
        """Statements that read `obj` into locals and build `doc` (fields in class order)."""
        hints = typing.get_type_hints(tp)
        omit = getattr(tp, "CODEC_OMIT_DEFAULTS", False)
        reads, stores, items = [], [], []
        for f in dataclasses.fields(tp):
            local = f"v_{f.name}"
            reads.append(f"{indent}{local} = obj.{f.name}")
            test = _stored_when(f, hints[f.name], local, self.namespace) if omit else None
            if test is not None:
                # Under a None test the value's own None check can go.
                hint = _without_none(hints[f.name]) if f.default is None else hints[f.name]
                stores.append(f"{indent}if {test}: doc[{f.name!r}] = {self.inline(hint, local, f.name)}")
            else:
                expr = self.inline(hints[f.name], local, f.name)
                stores.append(f"{indent}doc[{f.name!r}] = {expr}")
                items.append(f"{f.name!r}: {expr}")
        if omit:
            return [*reads, f"{indent}doc = {{}}", *stores]
        return [*reads, f"{indent}doc = {{{', '.join(items)}}}"]


def _stored_when(f: dataclasses.Field[Any], hint: Any, local: str, namespace: dict[str, Any]) -> str | None:
    """The test under which field `f`, held in `local`, differs from its default and so
    is stored; None when it is always stored (no default, or one that is not a plain
    immutable value).  Puts the default in `namespace` as ``default_<name>``."""
    default = f.default
    if default is dataclasses.MISSING or not isinstance(default, (str, int, float, bool, type(None))):
        return None
    namespace[f"default_{f.name}"] = default
    if default is None:
        return f"{local} is not None"
    if not default and hint in (str, int, float, bool):
        # "", 0, 0.0 and False: a value of the field's type differs from the default
        # exactly when it is true, which is the cheapest test there is.
        return local
    return f"{local} is not default_{f.name} and {local} != default_{f.name}"


def _without_none(tp: Any) -> Any:
    """``X`` for ``X | None``; any other type as it is."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(inner) == 1:
            return inner[0]
    return tp


def _compile_encoder(tp: Any) -> Encoder:
    """One generated function per class: direct attribute reads into a dict.

    Encoding is on the hot path of every save and import (50,000 cases), and this is
    several times faster than a loop calling one converter per field.  Field names are
    Python identifiers, so they are safe to place in the generated source.  Classes
    with `CODEC_OMIT_DEFAULTS = True` leave out fields that hold their (immutable)
    default, which `from_doc` fills back in: cases are stored by the ten thousand.
    The function carries `many`, the same body in a loop over a list (`to_docs`),
    with dates formatted once per distinct date.
    """
    one, many = _Source(cached_dates=False), _Source(cached_dates=True)
    source = "\n".join([
        "def encode(obj):", *one.body(tp, "    "), "    return doc", "",
        "def encode_many(objs):", "    iso = _IsoDates()", "    out = []", "    append = out.append",
        "    for obj in objs:", *many.body(tp, "        "), "        append(doc)", "    return out", "",
    ])
    namespace = {**one.namespace, **many.namespace}
    exec(compile(source, f"<codec encoder for {tp.__name__}>", "exec"), namespace)  # noqa: S102
    encode = namespace["encode"]
    encode.many = namespace["encode_many"]
    return encode


def _decode_str(v: Any) -> str:
    if not isinstance(v, str):
        raise DocumentError(f"expected text, found {type(v).__name__}")
    return v


def _decode_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise DocumentError(f"expected a whole number, found {type(v).__name__}")
    return v


def _decode_float(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DocumentError(f"expected a number, found {type(v).__name__}")
    return float(v)


def _decode_bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise DocumentError(f"expected true or false, found {type(v).__name__}")
    return v


@_per_type
def _decoder_for(tp: Any) -> Decoder:
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        parts = [(f.name, _decoder_for(hints[f.name])) for f in dataclasses.fields(tp) if f.init]
        name = tp.__name__

        def decode_dc(doc: Any) -> Any:
            if not isinstance(doc, dict):
                raise DocumentError(f"a stored {name} is not an object")
            kwargs = {}
            for field_name, dec in parts:
                if field_name in doc:
                    try:
                        kwargs[field_name] = dec(doc[field_name])
                    except DocumentError as exc:
                        raise DocumentError(f"{name}.{field_name}: {exc}") from None
            try:
                return tp(**kwargs)
            except TypeError as exc:
                raise DocumentError(f"a stored {name} is incomplete ({exc})") from None

        return decode_dc
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        dec = _decoder_for(inner[0])
        return lambda v: None if v is None else dec(v)
    if origin is list:
        dec = _decoder_for(args[0])

        def decode_list(v: Any) -> list[Any]:
            if not isinstance(v, list):
                raise DocumentError(f"expected a list, found {type(v).__name__}")
            return [dec(x) for x in v]

        return decode_list
    if origin is dict:
        dec = _decoder_for(args[1])

        def decode_dict(v: Any) -> dict[str, Any]:
            if not isinstance(v, dict):
                raise DocumentError(f"expected an object, found {type(v).__name__}")
            return {str(k): dec(x) for k, x in v.items()}

        return decode_dict
    if tp is date:
        return lambda v: date.fromisoformat(_decode_str(v))
    if tp is datetime:
        return lambda v: datetime.fromisoformat(_decode_str(v))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: tp(v)
    if tp is str:
        return _decode_str
    if tp is bool:
        return _decode_bool
    if tp is int:
        return _decode_int
    if tp is float:
        return _decode_float
    if tp is Any:
        return _identity
    raise TypeError(f"unsupported field type {tp!r}")
