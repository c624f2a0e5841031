"""Asking the processor for memory before it is read, from Numba code.

`prefetch(array, index)` compiles to LLVM's `prefetch` of `array[index]`'s address: a
hint, never a fault, whatever the index, and no result. The case table (`_intern`)
and the byte scan (`_cases`) look up hash tables of megabytes in an order they know a
few rows ahead, so they ask for each slot that far ahead and find it in the cache.

Numba's cache on disk notices changes to the file of the function it compiled, not
to this one: after changing the code generated here, delete the callers' cached
code (`__pycache__/*.nbi` and `*.nbc` beside `replay_case_table.py` and
`replay_scan_bytes.py`).
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["prefetch"]


def _prefetch_of(typing, array, index):  # type: ignore[no-untyped-def]
    """Ask the processor to start bringing `array[index]` into its caches (LLVM's
    `prefetch`: a hint, never a fault, whatever the index)."""
    del typing

    def generate(context, builder, signature, args):  # type: ignore[no-untyped-def]
        kind = signature.args[0]
        held = context.make_array(kind)(context, builder, args[0])
        at = context.cast(builder, args[1], signature.args[1], types.intp)
        pointer = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
            context, builder, kind, held, [at], wraparound=False
        )
        byte, word = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, ir.FunctionType(ir.VoidType(), [byte, word, word, word]),
            "llvm.prefetch.p0",
        )  # fmt: skip
        # a read, kept in every level of cache, of data (not instructions)
        builder.call(function, [builder.bitcast(pointer, byte), word(0), word(3), word(1)])
        return context.get_dummy_value()

    return types.void(array, index), generate


prefetch: Any = intrinsic(_prefetch_of)
