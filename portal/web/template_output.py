"""How a template writes a value (`{{ value }}`) where it escapes: as Jinja does, with less work for the two kinds a
page writes most (web step of the data path, rendering).

Jinja writes each value through markupsafe's `escape`, which asks any value for `__html__` and makes a new `Markup`
(asking again). A page writes about 70 plain strings and 50 `Markup` values (glossary links, macros' output, the
sentences of `web.language_templates`) that way. `escape_output` gives the very same text: a `Markup` as it is (it
is safe already: `escape` would return a copy), a `str` escaped by markupsafe's own native function, anything else
through `escape`. `OutputCodeGenerator` makes compiled templates call it instead of `escape`.
"""

from __future__ import annotations

from typing import Any, cast

from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr
from markupsafe import (  # type: ignore[attr-defined]  # _escape_inner is not exported
    Markup,
    _escape_inner,  # what `escape` calls after its checks: native, or the fallback markupsafe chose
    escape,
)

__all__ = ["OutputCodeGenerator", "escape_output"]

_new_markup = str.__new__


def escape_output(value: object) -> Markup:
    """`markupsafe.escape(value)`, the same text, with less work for a `Markup` or a `str`."""
    kind = type(value)
    if kind is Markup:
        return cast(Markup, value)
    if kind is str:
        return _new_markup(Markup, _escape_inner(cast(str, value)))
    return escape(value)


class OutputCodeGenerator(CodeGenerator):
    """Jinja's code generator, writing a value where the template escapes through the environment's
    `escape_output` (the templates' `environment` global) rather than markupsafe's `escape`. Where escaping is
    decided while rendering (`{% autoescape flag %}`, a variable), the value is written as Jinja writes it."""

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)
