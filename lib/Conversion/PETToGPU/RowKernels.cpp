//===- RowKernels.cpp - Softmax and layer norm as a block per row ---------===//
//
// A softmax or layer norm reduces each row, then combines every element of
// the row with the results. Lowered through linalg, that is four to six
// kernels, each row reduced by one thread. Here it is one `gpu.launch`: a
// block per row, its threads striding over the row, partial results
// combined with `gpu.all_reduce`, and the element-wise operators around it
// computed in the same kernel.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "TensorBuffers.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace mlir::pet {
#define GEN_PASS_DEF_GPUROWKERNELS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// Whether `op` is element-wise with a scalar function this lowering emits.
static bool isElementwise(Operation *op) {
  return isa<AddOp, SubOp, MulOp, ScaleOp>(op) || hasScalarFunction(op);
}

/// Whether a value of `shape` broadcasts to `to` (trailing dimensions
/// aligned, each equal or 1).
static bool broadcastsTo(ArrayRef<int64_t> shape, ArrayRef<int64_t> to) {
  if (shape.size() > to.size())
    return false;
  size_t lead = to.size() - shape.size();
  for (auto [i, size] : llvm::enumerate(shape))
    if (size != 1 && size != to[lead + i])
      return false;
  return true;
}

namespace {
/// One kernel: the row operator, the element-wise operators computed with
/// it before (`prologue`) and after it (`epilogue`, in order), and the
/// tensors it reads (`leaves`).
struct RowKernel {
  Operation *rowOp;
  SmallVector<int64_t> shape;
  /// The first reduced dimension; the row is the dimensions before it.
  int64_t firstReduced = 0;
  int64_t rows = 1, cols = 1;
  DenseSet<Operation *> prologue;
  SmallVector<Operation *> epilogue;
  SetVector<Value> leaves;

  Value getResult() const {
    return epilogue.empty() ? rowOp->getResult(0)
                            : epilogue.back()->getResult(0);
  }
};

/// Emits element values at one position of the kernel's shape.
class ElementEmitter {
public:
  ElementEmitter(const RowKernel &kernel, const DenseMap<Value, Value> &buffers)
      : kernel(kernel), buffers(buffers) {}

  /// `value` (a prologue result or a leaf) at `index`.
  Value emit(OpBuilder &b, Location loc, Value value, ValueRange index);
  /// Operator `op` (element-wise) applied at `index`, its operand `known`
  /// (if any) already computed as `knownValue`.
  Value apply(OpBuilder &b, Location loc, Operation *op, ValueRange index,
              Value known = nullptr, Value knownValue = nullptr);
  /// Leaves already read at the position being emitted (by `emit`, earlier
  /// in the kernel), used instead of reading them again; empty to read.
  void setLoaded(DenseMap<Value, Value> values) { loaded = std::move(values); }

private:
  const RowKernel &kernel;
  const DenseMap<Value, Value> &buffers;
  DenseMap<Value, Value> loaded;
};
} // namespace

Value ElementEmitter::emit(OpBuilder &b, Location loc, Value value,
                           ValueRange index) {
  Operation *def = value.getDefiningOp();
  if (def && kernel.prologue.contains(def))
    return apply(b, loc, def, index);
  if (Value known = loaded.lookup(value))
    return known;
  // A leaf, read where it lies: broadcast dimensions read index 0.
  ArrayRef<int64_t> shape = shapeOf(value);
  size_t lead = index.size() - shape.size();
  SmallVector<Value> at;
  Value zero;
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (size == 1 && kernel.shape[lead + i] != 1) {
      if (!zero)
        zero = arith::ConstantIndexOp::create(b, loc, 0);
      at.push_back(zero);
    } else {
      at.push_back(index[lead + i]);
    }
  }
  return memref::LoadOp::create(b, loc, buffers.lookup(value), at);
}

Value ElementEmitter::apply(OpBuilder &b, Location loc, Operation *op,
                            ValueRange index, Value known, Value knownValue) {
  auto operand = [&](unsigned i) {
    Value v = op->getOperand(i);
    return v == known ? knownValue : emit(b, loc, v, index);
  };
  if (auto scale = dyn_cast<ScaleOp>(op)) {
    Value factor = arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(scale.getFactor().convertToDouble()));
    return arith::MulFOp::create(b, loc, operand(0), factor);
  }
  if (hasScalarFunction(op))
    return buildScalarFunction(b, loc, op, operand(0));
  Value lhs = operand(0), rhs = operand(1);
  if (isa<AddOp>(op))
    return arith::AddFOp::create(b, loc, lhs, rhs);
  if (isa<SubOp>(op))
    return arith::SubFOp::create(b, loc, lhs, rhs);
  return arith::MulFOp::create(b, loc, lhs, rhs);
}

/// The kernel around `rowOp`, or nothing when it keeps the linalg lowering.
static std::optional<RowKernel> matchRowKernel(Operation *rowOp) {
  Value input = rowOp->getOperand(0);
  if (!isStaticF32(input))
    return std::nullopt;
  RowKernel kernel;
  kernel.rowOp = rowOp;
  kernel.shape.assign(shapeOf(input).begin(), shapeOf(input).end());
  int64_t rank = kernel.shape.size();
  if (auto softmax = dyn_cast<SoftmaxOp>(rowOp)) {
    if (rank == 0 || softmax.getAxis() != static_cast<uint64_t>(rank - 1))
      return std::nullopt;
    kernel.firstReduced = rank - 1;
  } else {
    kernel.firstReduced = cast<LayerNormOp>(rowOp).getAxis();
  }
  for (int64_t d = 0; d < rank; ++d)
    (d < kernel.firstReduced ? kernel.rows : kernel.cols) *= kernel.shape[d];
  if (kernel.cols == 0 || kernel.rows == 0)
    return std::nullopt;
  // The prologue: element-wise operators of the row's shape, each read only
  // by the row operator or other prologue operators.
  SmallVector<Value> work = {input};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Operation *def = v.getDefiningOp();
    bool fused = def && isElementwise(def) && def->getNumResults() == 1 &&
                 shapeOf(v) == ArrayRef<int64_t>(kernel.shape) &&
                 isStaticF32(v) && v.hasOneUse() &&
                 def->getBlock() == rowOp->getBlock() &&
                 llvm::all_of(def->getOperands(), [&](Value operand) {
                   return isStaticF32(operand) &&
                          broadcastsTo(shapeOf(operand), kernel.shape);
                 });
    if (!fused) {
      kernel.leaves.insert(v);
      continue;
    }
    kernel.prologue.insert(def);
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  // The epilogue: a chain of element-wise operators, each the only reader
  // of the one before, its other operand read where it lies.
  Value current = rowOp->getResult(0);
  while (current.hasOneUse()) {
    Operation *user = *current.getUsers().begin();
    if (!isElementwise(user) || user->getBlock() != rowOp->getBlock() ||
        shapeOf(user->getResult(0)) != ArrayRef<int64_t>(kernel.shape) ||
        !isStaticF32(user->getResult(0)))
      break;
    bool fits = llvm::all_of(user->getOperands(), [&](Value operand) {
      return operand == current ||
             (isStaticF32(operand) &&
              broadcastsTo(shapeOf(operand), kernel.shape));
    });
    // x * x and the like read the chain twice: not a chain.
    if (!fits || llvm::count(user->getOperands(), current) != 1)
      break;
    kernel.epilogue.push_back(user);
    for (Value operand : user->getOperands())
      if (operand != current)
        kernel.leaves.insert(operand);
    current = user->getResult(0);
  }
  return kernel;
}

/// The position of element `col` of row `row`, one index per dimension.
static SmallVector<Value> positionOf(OpBuilder &b, Location loc,
                                     const RowKernel &kernel, Value row,
                                     Value col) {
  int64_t rank = kernel.shape.size();
  SmallVector<Value> index(rank);
  // Row-major: the row's dimensions from `row`, the reduced ones from `col`.
  auto delinearize = [&](Value linear, int64_t first, int64_t last) {
    for (int64_t d = last - 1; d >= first; --d) {
      if (d == first) {
        index[d] = linear;
        break;
      }
      Value size = arith::ConstantIndexOp::create(b, loc, kernel.shape[d]);
      index[d] = arith::RemUIOp::create(b, loc, linear, size);
      linear = arith::DivUIOp::create(b, loc, linear, size);
    }
  };
  delinearize(row, 0, kernel.firstReduced);
  delinearize(col, kernel.firstReduced, rank);
  return index;
}

/// Threads for a row of `cols` elements: about four elements each, a
/// multiple of the warp size, at most `maxThreads`.
static int64_t threadsFor(int64_t cols, int64_t maxThreads) {
  int64_t threads = llvm::divideCeil(llvm::divideCeil(cols, 4), 32) * 32;
  return std::max<int64_t>(32, std::min(threads, maxThreads));
}

/// Stores the row operator's value `y` at position `at` of `output`, the
/// epilogue's operators applied to it in order.
static void writeElement(OpBuilder &b, Location loc, const RowKernel &kernel,
                         ElementEmitter &emitter, Value y, ValueRange at,
                         Value output) {
  Value current = kernel.rowOp->getResult(0);
  for (Operation *op : kernel.epilogue) {
    y = emitter.apply(b, loc, op, at, current, y);
    current = op->getResult(0);
  }
  memref::StoreOp::create(b, loc, y, output, at);
}

namespace {
/// Where a kernel's body is built: its builder and location, the constants
/// and block-wide reductions its code needs.
class RowKernelBuilder {
public:
  RowKernelBuilder(OpBuilder &k, Location loc, const RowKernel &kernel)
      : k(k), loc(loc), kernel(kernel) {}

  Value constant(double v) {
    return arith::ConstantOp::create(k, loc, k.getF32FloatAttr(v));
  }
  /// A layer norm's mean, from the sum of the row's elements.
  Value mean(Value total) {
    return arith::DivFOp::create(k, loc, total,
                                 constant(static_cast<double>(kernel.cols)));
  }
  /// A layer norm's 1 / sqrt(variance + epsilon), from the sum of the row's
  /// squared deviations.
  Value inverseDeviation(Value squares) {
    Value variance = arith::DivFOp::create(
        k, loc, squares, constant(static_cast<double>(kernel.cols)));
    double epsilon =
        cast<LayerNormOp>(kernel.rowOp).getEpsilon().convertToDouble();
    return math::RsqrtOp::create(
        k, loc, arith::AddFOp::create(k, loc, variance, constant(epsilon)));
  }
  /// `partial` combined over the threads of the row: the block's
  /// (`gpu.all_reduce`), or with `warpRows` the warp's (shuffles).
  Value allReduce(Value partial, gpu::AllReduceOperation kind) {
    if (warpRows)
      return warpReduce(partial, kind);
    return gpu::AllReduceOp::create(
               k, loc, partial,
               gpu::AllReduceOperationAttr::get(k.getContext(), kind),
               /*uniform=*/k.getUnitAttr())
        .getResult();
  }
  /// `value` combined over the 32 lanes of a warp by an xor butterfly of
  /// shuffles: every lane gets the result, without a barrier or shared
  /// memory.
  Value warpReduce(Value value, gpu::AllReduceOperation kind) {
    assert((kind == gpu::AllReduceOperation::ADD ||
            kind == gpu::AllReduceOperation::MAXIMUMF) &&
           "the row operators' reductions");
    for (int32_t offset = 16; offset >= 1; offset /= 2) {
      Value other = gpu::ShuffleOp::create(k, loc, value, offset,
                                           /*width=*/32, gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      value = kind == gpu::AllReduceOperation::ADD
                  ? arith::AddFOp::create(k, loc, value, other).getResult()
                  : arith::MaximumFOp::create(k, loc, value, other).getResult();
    }
    return value;
  }

  OpBuilder &k;
  Location loc;
  const RowKernel &kernel;
  /// Whether a row is one warp's (`kRowsPerWarpBlock` rows per block).
  bool warpRows = false;
};
} // namespace

/// The row's elements in loops: each thread strides over the row once per
/// reduction and once to write, reading (and computing the prologue) again
/// each time. For rows longer than a block's registers hold.
static void emitRowLoops(RowKernelBuilder &kb, ElementEmitter &emitter,
                         Value row, Value tid, int64_t threads, Value output) {
  OpBuilder &k = kb.k;
  Location loc = kb.loc;
  const RowKernel &kernel = kb.kernel;
  Value cols = arith::ConstantIndexOp::create(k, loc, kernel.cols);
  Value step = arith::ConstantIndexOp::create(k, loc, threads);
  Value input = kernel.rowOp->getOperand(0);
  // One pass of the thread over its elements of the row, folding `fn`
  // (element value, accumulator) from `init`, then over the block.
  auto reduceRow = [&](double init, gpu::AllReduceOperation kind,
                       function_ref<Value(OpBuilder &, Value, Value)> fn) {
    auto loop = scf::ForOp::create(
        k, loc, tid, cols, step, ValueRange{kb.constant(init)},
        [&](OpBuilder &lb, Location, Value col, ValueRange acc) {
          Value x = emitter.emit(lb, loc, input,
                                 positionOf(lb, loc, kernel, row, col));
          scf::YieldOp::create(lb, loc, fn(lb, x, acc[0]));
        });
    return kb.allReduce(loop.getResult(0), kind);
  };
  // What the row operator makes of an element, given its statistics.
  std::function<Value(OpBuilder &, Value)> finish;
  if (isa<SoftmaxOp>(kernel.rowOp)) {
    Value max = reduceRow(-INFINITY, gpu::AllReduceOperation::MAXIMUMF,
                          [&](OpBuilder &lb, Value x, Value acc) -> Value {
                            return arith::MaximumFOp::create(lb, loc, acc, x);
                          });
    Value sum =
        reduceRow(0.0, gpu::AllReduceOperation::ADD,
                  [&](OpBuilder &lb, Value x, Value acc) -> Value {
                    Value e = math::ExpOp::create(
                        lb, loc, arith::SubFOp::create(lb, loc, x, max));
                    return arith::AddFOp::create(lb, loc, acc, e);
                  });
    bool safe = cast<SoftmaxOp>(kernel.rowOp).getSafe();
    finish = [=](OpBuilder &lb, Value x) -> Value {
      Value e =
          math::ExpOp::create(lb, loc, arith::SubFOp::create(lb, loc, x, max));
      Value quotient = arith::DivFOp::create(lb, loc, e, sum);
      return safe ? buildSafeSoftmaxResult(lb, loc, quotient, max) : quotient;
    };
  } else {
    Value mean =
        kb.mean(reduceRow(0.0, gpu::AllReduceOperation::ADD,
                          [&](OpBuilder &lb, Value x, Value acc) -> Value {
                            return arith::AddFOp::create(lb, loc, acc, x);
                          }));
    Value squares =
        reduceRow(0.0, gpu::AllReduceOperation::ADD,
                  [&](OpBuilder &lb, Value x, Value acc) -> Value {
                    Value d = arith::SubFOp::create(lb, loc, x, mean);
                    return arith::AddFOp::create(
                        lb, loc, acc, arith::MulFOp::create(lb, loc, d, d));
                  });
    Value inverse = kb.inverseDeviation(squares);
    finish = [=](OpBuilder &lb, Value x) -> Value {
      return arith::MulFOp::create(
          lb, loc, arith::SubFOp::create(lb, loc, x, mean), inverse);
    };
  }
  // The last pass writes the row: the row operator's value, then the
  // epilogue's operators applied in order.
  scf::ForOp::create(k, loc, tid, cols, step, ValueRange{},
                     [&](OpBuilder &lb, Location, Value col, ValueRange) {
                       SmallVector<Value> at =
                           positionOf(lb, loc, kernel, row, col);
                       Value y = finish(lb, emitter.emit(lb, loc, input, at));
                       writeElement(lb, loc, kernel, emitter, y, at, output);
                       scf::YieldOp::create(lb, loc);
                     });
}

/// The row's elements in registers: a thread reads its `perThread`
/// elements (columns tid, tid + threads, ...) once, unrolled so that their
/// loads are in flight together, reduces them from registers and writes
/// them. The arithmetic is the loops' in the same order (each thread folds
/// its elements by column, the block combines the threads alike): equal
/// results, one read of the row instead of three.
static void emitRowRegisters(RowKernelBuilder &kb, ElementEmitter &emitter,
                             Value row, Value tid, int64_t threads,
                             int64_t perThread, Value output) {
  OpBuilder &k = kb.k;
  Location loc = kb.loc;
  const RowKernel &kernel = kb.kernel;
  Value input = kernel.rowOp->getOperand(0);
  Value cols = arith::ConstantIndexOp::create(k, loc, kernel.cols);
  // Element e's column, and whether it is in the row (null: always).
  SmallVector<Value> columns, valid;
  SmallVector<Value> xs;
  for (int64_t e = 0; e < perThread; ++e) {
    Value col = arith::AddIOp::create(
        k, loc, tid, arith::ConstantIndexOp::create(k, loc, e * threads));
    columns.push_back(col);
    if ((e + 1) * threads <= kernel.cols) {
      valid.push_back(nullptr);
      xs.push_back(
          emitter.emit(k, loc, input, positionOf(k, loc, kernel, row, col)));
      continue;
    }
    Value inRow =
        arith::CmpIOp::create(k, loc, arith::CmpIPredicate::ult, col, cols);
    valid.push_back(inRow);
    auto read = scf::IfOp::create(
        k, loc, inRow,
        [&](OpBuilder &tb, Location) {
          scf::YieldOp::create(
              tb, loc,
              emitter.emit(tb, loc, input,
                           positionOf(tb, loc, kernel, row, col)));
        },
        [&](OpBuilder &eb, Location) {
          scf::YieldOp::create(
              eb, loc,
              arith::ConstantOp::create(eb, loc, eb.getF32FloatAttr(0.0))
                  .getResult());
        });
    xs.push_back(read.getResult(0));
  }
  // The epilogue's other operands (a layer norm's scale and shift, say) read
  // now, for the elements every thread has: their loads in flight with the
  // row's instead of after the reductions' barriers.
  SmallVector<DenseMap<Value, Value>> epilogueOperands(perThread);
  for (int64_t e = 0; e < perThread; ++e) {
    if (valid[e])
      continue;
    SmallVector<Value> at = positionOf(k, loc, kernel, row, columns[e]);
    Value current = kernel.rowOp->getResult(0);
    for (Operation *op : kernel.epilogue) {
      for (Value operand : op->getOperands())
        if (operand != current && kernel.leaves.contains(operand) &&
            !epilogueOperands[e].count(operand))
          epilogueOperands[e][operand] = emitter.emit(k, loc, operand, at);
      current = op->getResult(0);
    }
  }
  // The thread's elements folded by `fn` from `init` (elements outside the
  // row left out), then over the block.
  auto reduce = [&](ArrayRef<Value> values, double init,
                    gpu::AllReduceOperation kind,
                    function_ref<Value(Value, Value)> fn) {
    Value acc = kb.constant(init);
    for (auto [value, inRow] : llvm::zip(values, valid)) {
      Value next = fn(value, acc);
      acc = inRow
                ? arith::SelectOp::create(k, loc, inRow, next, acc).getResult()
                : next;
    }
    return kb.allReduce(acc, kind);
  };
  auto add = [&](Value x, Value acc) -> Value {
    return arith::AddFOp::create(k, loc, acc, x);
  };
  SmallVector<Value> ys;
  if (isa<SoftmaxOp>(kernel.rowOp)) {
    Value max = reduce(xs, -INFINITY, gpu::AllReduceOperation::MAXIMUMF,
                       [&](Value x, Value acc) -> Value {
                         return arith::MaximumFOp::create(k, loc, acc, x);
                       });
    SmallVector<Value> exps;
    for (Value x : xs)
      exps.push_back(
          math::ExpOp::create(k, loc, arith::SubFOp::create(k, loc, x, max)));
    Value sum = reduce(exps, 0.0, gpu::AllReduceOperation::ADD, add);
    bool safe = cast<SoftmaxOp>(kernel.rowOp).getSafe();
    for (Value e : exps) {
      Value quotient = arith::DivFOp::create(k, loc, e, sum);
      ys.push_back(safe ? buildSafeSoftmaxResult(k, loc, quotient, max)
                        : quotient);
    }
  } else {
    Value mean = kb.mean(reduce(xs, 0.0, gpu::AllReduceOperation::ADD, add));
    SmallVector<Value> deviations, squares;
    for (Value x : xs) {
      Value d = arith::SubFOp::create(k, loc, x, mean);
      deviations.push_back(d);
      squares.push_back(arith::MulFOp::create(k, loc, d, d));
    }
    Value inverse = kb.inverseDeviation(
        reduce(squares, 0.0, gpu::AllReduceOperation::ADD, add));
    for (Value d : deviations)
      ys.push_back(arith::MulFOp::create(k, loc, d, inverse));
  }
  for (auto [col, inRow, y, operands] :
       llvm::zip(columns, valid, ys, epilogueOperands)) {
    auto write = [&, col = col, y = y](OpBuilder &wb) {
      writeElement(wb, loc, kernel, emitter, y,
                   positionOf(wb, loc, kernel, row, col), output);
    };
    if (!inRow) {
      emitter.setLoaded(std::move(operands));
      write(k);
      emitter.setLoaded({});
      continue;
    }
    scf::IfOp::create(k, loc, inRow, [&](OpBuilder &tb, Location) {
      write(tb);
      scf::YieldOp::create(tb, loc);
    });
  }
}

/// Rows per block where a row is one warp's (`warp-rows`).
static constexpr int64_t kRowsPerWarpBlock = 8;

/// Replaces the kernel's operators by one gpu.launch.
static void lowerRowKernel(const RowKernel &kernel, int64_t maxThreads,
                           int64_t maxPerThread, bool warpRows) {
  Operation *last =
      kernel.epilogue.empty() ? kernel.rowOp : kernel.epilogue.back();
  OpBuilder b(last);
  Location loc = kernel.rowOp->getLoc();
  Type f32 = b.getF32Type();
  // Operands as buffers, the result a new one.
  DenseMap<Value, Value> buffers;
  for (Value leaf : kernel.leaves)
    buffers[leaf] = bufferOf(b, loc, leaf);
  auto resultType = cast<RankedTensorType>(kernel.getResult().getType());
  Value output =
      memref::AllocOp::create(b, loc, MemRefType::get(kernel.shape, f32));
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  int64_t threads = threadsFor(kernel.cols, maxThreads);
  // A row of one warp's: kRowsPerWarpBlock rows per block, thread y the
  // row within the block, reductions by shuffles.
  bool warp = warpRows && threads == 32 && kernel.rows > 1;
  int64_t rowsPerBlock = warp ? std::min(kRowsPerWarpBlock, kernel.rows) : 1;
  Value one = index(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, index(llvm::divideCeil(kernel.rows, rowsPerBlock)), one, one,
      index(threads), index(rowsPerBlock), one);
  OpBuilder k = OpBuilder::atBlockBegin(&launch.getBody().front());
  Value row = launch.getBlockIds().x, tid = launch.getThreadIds().x;
  if (warp) {
    row = arith::AddIOp::create(
        k, loc,
        arith::MulIOp::create(
            k, loc, row, arith::ConstantIndexOp::create(k, loc, rowsPerBlock)),
        launch.getThreadIds().y);
    // The last block's warps past the last row do nothing (a row's
    // reductions involve its own warp alone).
    if (kernel.rows % rowsPerBlock) {
      Value inRange = arith::CmpIOp::create(
          k, loc, arith::CmpIPredicate::ult, row,
          arith::ConstantIndexOp::create(k, loc, kernel.rows));
      auto guard = scf::IfOp::create(k, loc, inRange);
      k.setInsertionPointToStart(&guard.getThenRegion().front());
    }
  }
  ElementEmitter emitter(kernel, buffers);
  RowKernelBuilder kb(k, loc, kernel);
  kb.warpRows = warp;
  int64_t perThread = llvm::divideCeil(kernel.cols, threads);
  if (perThread <= maxPerThread)
    emitRowRegisters(kb, emitter, row, tid, threads, perThread, output);
  else
    emitRowLoops(kb, emitter, row, tid, threads, output);
  k.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(k, loc);
  Value result = bufferization::ToTensorOp::create(
      b, loc, resultType, output, /*restrict=*/true, /*writable=*/true);
  kernel.getResult().replaceAllUsesWith(result);
  // The kernel's operators, readers before what they read.
  for (Operation *op : llvm::reverse(kernel.epilogue))
    op->erase();
  kernel.rowOp->erase();
  SmallVector<Operation *> prologue(kernel.prologue.begin(),
                                    kernel.prologue.end());
  while (!prologue.empty()) {
    auto it =
        llvm::find_if(prologue, [](Operation *op) { return op->use_empty(); });
    assert(it != prologue.end() && "prologue operators read each other");
    (*it)->erase();
    prologue.erase(it);
  }
}

namespace {
struct GPURowKernelsPass
    : public pet::impl::GPURowKernelsBase<GPURowKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxPerThread < 0) {
      getOperation().emitError("pet-gpu-row-kernels needs max-per-thread >= 0");
      return signalPassFailure();
    }
    if (maxThreads < 32 || maxThreads > 1024) {
      getOperation().emitError(
          "pet-gpu-row-kernels needs 32 <= max-threads <= 1024");
      return signalPassFailure();
    }
    SmallVector<Operation *> rowOps;
    getOperation().walk([&](Operation *op) {
      if (isa<SoftmaxOp, LayerNormOp>(op))
        rowOps.push_back(op);
    });
    // One at a time, each matched on what the ones before left: an
    // operator goes into one kernel (a row operator's result is a leaf of
    // the next one's prologue).
    for (Operation *rowOp : rowOps)
      if (std::optional<RowKernel> kernel = matchRowKernel(rowOp))
        lowerRowKernel(*kernel, maxThreads, maxPerThread, warpRows);
  }
};
} // namespace
