"""A software prefetch for compiled kernels: ``prefetch(array, i)`` asks the CPU to start
loading the cache line holding ``array[i]`` (row ``i``'s first element of a 2-d array) and
goes on at once; the value is not read and nothing changes, so results cannot depend on it.

The feed kernel reads a dozen small per-user rows (country, languages, interests, attitudes,
seen list, follows...) scattered over arrays far larger than the cache. Asked for while the
previous user's session is played, they are in cache when that user's turn comes.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["prefetch"]


@intrinsic
def prefetch(typingctx, array, index):
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        zero = ir.Constant(args[1].type, 0)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary,
                                       [args[1]] + [zero] * (aryty.ndim - 1))
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        # the typed-pointer name: LLVM builds with typed pointers need it, and builds with
        # opaque pointers accept it as "llvm.prefetch.p0"
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        # read (0), high temporal locality (3), data cache (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 0), ir.Constant(i32, 3),
                          ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen
