//===- Evaluator.cpp - Running PET programs on concrete values ------------===//

#include "PET/Analysis/Evaluator.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::pet;

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

template <typename T>
Tensor<T>::Tensor(ArrayRef<int64_t> shape, T fill) : shape(shape) {
  int64_t size = 1;
  for (int64_t s : shape)
    size *= s;
  data.assign(size, fill);
}

namespace mlir::pet {
template class Tensor<float>;
template class Tensor<double>;
template class Tensor<ModQ>;
} // namespace mlir::pet

//===----------------------------------------------------------------------===//
// What can be evaluated
//===----------------------------------------------------------------------===//

static bool isElementwiseNonLinear(Operation *op) {
  return hasScalarFunction(op);
}

static bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

/// checkEvaluable with the functions whose calls are being checked, to
/// reject recursion.
static LogicalResult checkEvaluableImpl(func::FuncOp func, bool exact,
                                        bool pointwise,
                                        SmallPtrSetImpl<Operation *> &active);
static LogicalResult checkBlock(Block &block, bool exact, bool pointwise,
                                SmallPtrSetImpl<Operation *> &active);

LogicalResult mlir::pet::checkEvaluable(func::FuncOp func, bool exact,
                                        bool pointwise) {
  SmallPtrSet<Operation *, 4> active;
  return checkEvaluableImpl(func, exact, pointwise, active);
}

static LogicalResult checkEvaluableImpl(func::FuncOp func, bool exact,
                                        bool pointwise,
                                        SmallPtrSetImpl<Operation *> &active) {
  active.insert(func);
  if (func.isExternal())
    return func.emitError("cannot evaluate a function without a body");
  if (!func.getBody().hasOneBlock())
    return func.emitError("cannot evaluate a function of several blocks");
  for (BlockArgument arg : func.getArguments())
    if (!isStaticTensor(arg.getType()))
      return func.emitError("cannot evaluate: argument #")
             << arg.getArgNumber() << " has type " << arg.getType()
             << ", not a statically shaped tensor";
  return checkBlock(func.getBody().front(), exact, pointwise, active);
}

static LogicalResult checkBlock(Block &block, bool exact, bool pointwise,
                                SmallPtrSetImpl<Operation *> &active) {
  for (Operation &op : block) {
    if (isa<func::ReturnOp, YieldOp>(op))
      continue;
    for (Type type : op.getResultTypes())
      if (!isStaticTensor(type))
        return op.emitError("cannot evaluate: result of type ")
               << type << " is not a statically shaped tensor";
    if (isa<MultiLinearOpInterface>(op))
      continue;
    if (auto correct = dyn_cast<CorrectOp>(op)) {
      if (failed(
              checkBlock(correct.getBody().front(), exact, pointwise, active)))
        return failure();
      continue;
    }
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      if (isa<DenseFPElementsAttr>(constant.getValue()))
        continue;
      return op.emitError("cannot evaluate a constant that is not a dense "
                          "floating-point tensor");
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      if (pointwise)
        return op.emitError("calls cannot be evaluated one position at a "
                            "time; inline them first");
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee || active.contains(callee))
        return op.emitError("cannot evaluate a call of ")
               << call.getCalleeAttr()
               << ": not a function of the module, or a recursive call";
      if (failed(checkEvaluableImpl(callee, exact, pointwise, active)))
        return op.emitError("cannot evaluate the call of ")
               << call.getCalleeAttr();
      active.erase(callee);
      continue;
    }
    if (isNonLinear(&op)) {
      if (exact)
        return op.emitError("'")
               << op.getName() << "' is not multi-linear: it has no exact "
               << "evaluation in Z_q";
      if (pointwise && !isElementwiseNonLinear(&op))
        return op.emitError("'")
               << op.getName()
               << "' cannot be evaluated one position at a time";
      continue;
    }
    return op.emitError("cannot evaluate operation '")
           << op.getName() << "': it is not a PET operator";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

template <typename T> static T fromDouble(double value) {
  if constexpr (std::is_same_v<T, ModQ>) {
    ModQ result;
    (void)ModQ::fromDouble(value, result);
    return result;
  } else {
    return static_cast<T>(value);
  }
}

template <typename T> static T applyElementwise(Operation *op, T x) {
  if constexpr (std::is_same_v<T, ModQ>) {
    llvm_unreachable("non-linear operators have no Z_q semantics");
  } else {
    if (isa<ReluOp>(op))
      return x > T(0) ? x : T(0);
    if (isa<SigmoidOp>(op))
      return T(1) / (T(1) + std::exp(-x));
    if (isa<TanhOp>(op))
      return std::tanh(x);
    if (isa<RsqrtOp>(op))
      return T(1) / std::sqrt(x);
    auto gelu = cast<GeluOp>(op);
    if (gelu.getApproximate()) {
      const T k = std::sqrt(T(2) / T(M_PI));
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
    return T(0.5) * x * (T(1) + std::erf(x / std::sqrt(T(2))));
  }
}

template <typename T> static Tensor<T> constantTensor(arith::ConstantOp op) {
  auto attr = cast<DenseFPElementsAttr>(op.getValue());
  Tensor<T> tensor(cast<RankedTensorType>(op.getType()).getShape());
  int64_t i = 0;
  for (APFloat value : attr.getValues<APFloat>())
    tensor[i++] = fromDouble<T>(value.convertToDouble());
  return tensor;
}

//===----------------------------------------------------------------------===//
// One term at one result position
//===----------------------------------------------------------------------===//

/// Sums the products of `term` over its reduction loops, for the result
/// position whose parallel loops are set in `loops` (reduction entries 0;
/// they are 0 again on return). Returns the sum and how many reduction points
/// read only in-bounds elements (reads outside an operand are zeros).
/// `shapeOf(operand)` is an operand's shape, `read(operand, index)` its
/// element at an in-bounds index.
template <typename T, typename ShapeFn, typename ReadFn>
static std::pair<T, int64_t> sumOverReduction(const CompiledTerm &term,
                                              SmallVectorImpl<int64_t> &loops,
                                              ShapeFn shapeOf, ReadFn read) {
  T sum = ScalarTraits<T>::zero();
  int64_t count = 0;
  for (unsigned r : term.reductionLoops)
    if (term.loopBounds[r] <= 0)
      return {sum, count};
  // Per factor: the index read at the current reduction point. Affine
  // indices are updated as the reduction loops advance (`steps[k]` is the
  // change when reduction loop k goes up by one); others (the divisions of
  // reshapes) are evaluated in full at every point.
  struct Access {
    SmallVector<int64_t, 4> index;
    SmallVector<SmallVector<int64_t, 4>, 4> steps;
    bool linear;
  };
  SmallVector<Access, 2> accesses;
  for (const CompiledTerm::Factor &factor : term.factors) {
    Access &access = accesses.emplace_back();
    access.linear =
        llvm::all_of(factor.map.getExprs(), [](const CompiledExpr &e) {
          return e.getLinearForm().has_value();
        });
    if (!access.linear)
      continue;
    factor.map.apply(loops, access.index);
    for (unsigned r : term.reductionLoops) {
      SmallVector<int64_t, 4> &step = access.steps.emplace_back();
      for (const CompiledExpr &expr : factor.map.getExprs())
        step.push_back(expr.getLinearForm()->coefficients[r]);
    }
  }
  SmallVector<int64_t, 4> index;
  size_t numReductions = term.reductionLoops.size();
  while (true) {
    T product = ScalarTraits<T>::zero();
    bool inBounds = true;
    for (auto [i, factor] : llvm::enumerate(term.factors)) {
      const Access &access = accesses[i];
      ArrayRef<int64_t> at = access.index;
      if (!access.linear) {
        factor.map.apply(loops, index);
        at = index;
      }
      if (!isInBounds(at, shapeOf(factor.operandIndex))) {
        inBounds = false;
        break;
      }
      T v = read(factor.operandIndex, at);
      product = i == 0 ? v : product * v;
    }
    if (inBounds) {
      sum += product;
      ++count;
    }
    // The next reduction point, row-major.
    size_t k = numReductions;
    for (; k-- > 0;) {
      unsigned r = term.reductionLoops[k];
      bool wraps = ++loops[r] == term.loopBounds[r];
      int64_t times = wraps ? -(term.loopBounds[r] - 1) : 1;
      if (wraps)
        loops[r] = 0;
      for (Access &access : accesses)
        if (access.linear)
          for (auto [x, d] : llvm::zip(access.index, access.steps[k]))
            x += times * d;
      if (!wraps)
        break;
    }
    if (k == static_cast<size_t>(-1))
      break;
  }
  return {sum, count};
}

/// Narrows [lo, hi) to the l for which `index + l * step` lies in `shape`.
static void narrowToBounds(ArrayRef<int64_t> index, ArrayRef<int64_t> step,
                           ArrayRef<int64_t> shape, int64_t &lo, int64_t &hi) {
  for (size_t d = 0, e = index.size(); d < e && lo < hi; ++d) {
    int64_t b = index[d], s = step[d], n = shape[d];
    if (s == 0) {
      if (b < 0 || b >= n)
        hi = lo;
    } else if (s > 0) {
      lo = std::max(lo, llvm::divideCeilSigned(-b, s));
      hi = std::min(hi, llvm::divideFloorSigned(n - 1 - b, s) + 1);
    } else {
      lo = std::max(lo, llvm::divideCeilSigned(b - n + 1, -s));
      hi = std::min(hi, llvm::divideFloorSigned(b, -s) + 1);
    }
  }
}

/// sumOverReduction for exact scalars, whose sums do not depend on the
/// order of addition: the term's inner loop (CompiledTerm::innerLoop) runs
/// as strided ranges, one per point of the other reduction loops, its
/// in-bounds part found at once, and operands that are (layout views of)
/// arguments read by linear index: `view(operand, index, step, lo, hi,
/// end)` gives the view of an operand at `index + l * step` for l in [lo,
/// end), narrowing [lo, hi) to where it is not zero (padding) and `end` to
/// where the view holds (a concatenation's operand); `input(arg, linear)`
/// reads an argument without an array. Products are summed in 128 bits,
/// reduced once per block.
template <typename ShapeFn, typename ViewFn, typename InputFn, typename ReadFn>
static std::pair<ModQ, int64_t>
sumOverReductionStrided(const CompiledTerm &term,
                        SmallVectorImpl<int64_t> &loops, ShapeFn shapeOf,
                        ViewFn view, InputFn input, ReadFn read) {
  using Wide = unsigned __int128;
  // Products are below 2^122: 32 of them fit in 128 bits.
  constexpr int64_t kBlock = 32;
  Wide total = 0;
  int64_t count = 0, pending = 0;
  auto add = [&](Wide x) {
    total += x;
    if (++pending == kBlock) {
      total = ModQ::fromWide(total).getValue();
      pending = 1;
    }
  };
  for (unsigned r : term.reductionLoops)
    if (term.loopBounds[r] <= 0)
      return {ModQ(), 0};
  unsigned inner = term.innerLoop;
  size_t numFactors = term.factors.size();
  SmallVector<SmallVector<int64_t, 4>, 2> bases(numFactors);
  SmallVector<StridedView, 2> views(numFactors);
  SmallVector<int64_t, 4> index, step, at;
  while (true) {
    int64_t lo = 0, hi = term.loopBounds[inner];
    for (auto [f, factor] : llvm::enumerate(term.factors)) {
      factor.map.apply(loops, bases[f]);
      narrowToBounds(bases[f], term.innerSteps[f], shapeOf(factor.operandIndex),
                     lo, hi);
    }
    if (lo < hi)
      count += hi - lo;
    // Pieces of [lo, hi) on which every operand's view holds.
    for (int64_t start = lo; start < hi;) {
      int64_t first = start, last = hi, end = hi;
      bool dense = true;
      for (auto [f, factor] : llvm::enumerate(term.factors)) {
        at.assign(bases[f].begin(), bases[f].end());
        step.assign(term.innerSteps[f].begin(), term.innerSteps[f].end());
        views[f] = view(factor.operandIndex, at, step, first, last, end);
        dense &= views[f].data != nullptr;
      }
      last = std::min(last, end);
      if (dense && numFactors == 2 && first < last) {
        const ModQ *a =
            views[0].data + views[0].offset + first * views[0].stride;
        const ModQ *b =
            views[1].data + views[1].offset + first * views[1].stride;
        int64_t sa = views[0].stride, sb = views[1].stride;
        for (int64_t l = first; l < last; ++l, a += sa, b += sb)
          add(static_cast<Wide>(a->getValue()) * b->getValue());
      } else {
        for (int64_t l = first; l < last; ++l) {
          ModQ product;
          for (auto [f, factor] : llvm::enumerate(term.factors)) {
            const StridedView &v = views[f];
            ModQ x;
            if (v.data) {
              x = v.data[v.offset + l * v.stride];
            } else if (v.argNumber >= 0) {
              x = input(v.argNumber, v.offset + l * v.stride);
            } else {
              index.resize(bases[f].size());
              for (size_t d = 0, e = index.size(); d < e; ++d)
                index[d] = bases[f][d] + l * term.innerSteps[f][d];
              x = read(factor.operandIndex, index);
            }
            product = f == 0 ? x : product * x;
          }
          add(product.getValue());
        }
      }
      start = end;
    }
    // The next point of the other reduction loops, row-major.
    size_t k = term.reductionLoops.size();
    for (; k-- > 0;) {
      unsigned r = term.reductionLoops[k];
      if (r == inner)
        continue;
      if (++loops[r] < term.loopBounds[r])
        break;
      loops[r] = 0;
    }
    if (k == static_cast<size_t>(-1))
      break;
  }
  return {ModQ::fromWide(total), count};
}

/// The constant factor of `term` at a position where `count` reduction
/// points were in bounds; `fixed` is scale / divisor, precomputed.
template <typename T>
static T termCoefficient(const CompiledTerm &term, int64_t count, T fixed) {
  if (!term.divideByInBoundsCount)
    return fixed;
  return count ? ScalarTraits<T>::coefficient(term.scale, count)
               : ScalarTraits<T>::zero();
}

//===----------------------------------------------------------------------===//
// Whole-tensor evaluation
//===----------------------------------------------------------------------===//

/// Adds the contribution of `term` to `out`.
template <typename T>
static void accumulateTerm(const CompiledTerm &term,
                           ArrayRef<const Tensor<T> *> operands,
                           Tensor<T> &out) {
  for (int64_t bound : term.loopBounds)
    if (bound <= 0)
      return;
  SmallVector<unsigned> parallel(term.resultLoops);
  llvm::sort(parallel);
  SmallVector<int64_t> loops(term.loopBounds.size(), 0), position;
  T coefficient = ScalarTraits<T>::coefficient(term.scale, term.divisor);
  auto shapeOf = [&](unsigned operand) {
    return operands[operand]->getShape();
  };
  auto read = [&](unsigned operand, ArrayRef<int64_t> index) {
    return operands[operand]->at(index);
  };
  do {
    auto [sum, count] = sumOverReduction<T>(term, loops, shapeOf, read);
    term.getResultPosition(loops, position);
    T &slot = out.at(position);
    slot = slot + termCoefficient(term, count, coefficient) * sum;
  } while (nextPoint(loops, term.loopBounds, parallel));
}

template <typename T>
static Tensor<T> evaluateMultiLinear(MultiLinearOpInterface op,
                                     unsigned resultIndex,
                                     ArrayRef<const Tensor<T> *> operands) {
  auto type = cast<RankedTensorType>(op->getResult(resultIndex).getType());
  Tensor<T> out(type.getShape(), ScalarTraits<T>::zero());
  for (const CompiledTerm &term :
       compileDescription(op.getMultiLinearDescription(resultIndex)))
    accumulateTerm(term, operands, out);
  return out;
}

/// Calls `fn(outer, inner)` for each 1-D lane along `axis`, where element k
/// of the lane is at linear index outer * extent * inner + k * inner + inner'.
template <typename Fn>
static void forEachLane(ArrayRef<int64_t> shape, int64_t axis, Fn fn) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  int64_t extent = shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      fn(o * extent * inner + i, inner, extent);
}

template <typename F>
static Tensor<F> evaluateNonLinear(Operation *op, const Tensor<F> &input) {
  Tensor<F> out = input;
  if (isElementwiseNonLinear(op)) {
    for (F &v : out.getData())
      v = applyElementwise<F>(op, v);
    return out;
  }
  if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
    forEachLane(input.getShape(), softmax.getAxis(),
                [&](int64_t base, int64_t step, int64_t extent) {
                  F maximum = -std::numeric_limits<F>::infinity();
                  for (int64_t k = 0; k < extent; ++k)
                    maximum = std::max(maximum, input[base + k * step]);
                  if (softmax.getSafe() &&
                      maximum == -std::numeric_limits<F>::infinity()) {
                    for (int64_t k = 0; k < extent; ++k)
                      out[base + k * step] = F(0);
                    return;
                  }
                  F sum = 0;
                  for (int64_t k = 0; k < extent; ++k)
                    sum += out[base + k * step] =
                        std::exp(input[base + k * step] - maximum);
                  for (int64_t k = 0; k < extent; ++k)
                    out[base + k * step] /= sum;
                });
    return out;
  }
  if (auto norm = dyn_cast<LayerNormOp>(op)) {
    // Normalize over dimensions [axis, rank): contiguous groups.
    int64_t group = 1;
    ArrayRef<int64_t> shape = input.getShape();
    for (int64_t d = norm.getAxis(); d < static_cast<int64_t>(shape.size());
         ++d)
      group *= shape[d];
    F epsilon = static_cast<F>(norm.getEpsilon().convertToDouble());
    for (int64_t base = 0; base < input.getNumElements(); base += group) {
      F mean = 0, var = 0;
      for (int64_t k = 0; k < group; ++k)
        mean += input[base + k];
      mean /= group;
      for (int64_t k = 0; k < group; ++k)
        var += (input[base + k] - mean) * (input[base + k] - mean);
      var /= group;
      F scale = F(1) / std::sqrt(var + epsilon);
      for (int64_t k = 0; k < group; ++k)
        out[base + k] = (input[base + k] - mean) * scale;
    }
    return out;
  }
  auto pool = cast<MaxPool2DOp>(op);
  ArrayRef<int64_t> in = input.getShape(), kernel = pool.getKernel();
  auto shape = cast<RankedTensorType>(pool.getType()).getShape();
  SmallVector<int64_t, 2> strides = pool.getStrideValues(),
                          padLow = pool.getPadLowValues(),
                          dilations = pool.getDilationValues();
  Tensor<F> result(shape);
  for (int64_t n = 0; n < shape[0]; ++n)
    for (int64_t c = 0; c < shape[1]; ++c)
      for (int64_t oh = 0; oh < shape[2]; ++oh)
        for (int64_t ow = 0; ow < shape[3]; ++ow) {
          F best = -std::numeric_limits<F>::infinity();
          for (int64_t kh = 0; kh < kernel[0]; ++kh)
            for (int64_t kw = 0; kw < kernel[1]; ++kw) {
              int64_t h = oh * strides[0] + kh * dilations[0] - padLow[0];
              int64_t w = ow * strides[1] + kw * dilations[1] - padLow[1];
              if (h >= 0 && h < in[2] && w >= 0 && w < in[3])
                best = std::max(best, input.at({n, c, h, w}));
            }
          result.at({n, c, oh, ow}) = best;
        }
  return result;
}

/// Calls `fn(position)` for every position of `box`.
static void forEachPosition(const Box &box,
                            function_ref<void(ArrayRef<int64_t>)> fn) {
  if (box.isEmpty())
    return;
  SmallVector<int64_t> p(box.getLower());
  while (true) {
    fn(p);
    int d = static_cast<int>(box.getRank()) - 1;
    while (d >= 0 && ++p[d] == box.getUpper(d)) {
      p[d] = box.getLower(d);
      --d;
    }
    if (d < 0)
      return;
  }
}

/// Evaluates the operations of `block` on its arguments; the values of its
/// terminator (func.return or pet.yield) are the results.
template <typename T>
static FailureOr<SmallVector<Tensor<T>>>
evaluateBlock(Block &block, ArrayRef<Tensor<T>> arguments) {
  llvm::DenseMap<Value, Tensor<T>> values;
  for (auto [arg, tensor] : llvm::zip_equal(block.getArguments(), arguments))
    values[arg] = tensor;
  for (Operation &op : block) {
    if (isa<func::ReturnOp, YieldOp>(op)) {
      SmallVector<Tensor<T>> results;
      for (Value v : op.getOperands())
        results.push_back(values.lookup(v));
      return results;
    }
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      values[constant.getResult()] = constantTensor<T>(constant);
      continue;
    }
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      SmallVector<Tensor<T>> args;
      for (Value v : call.getOperands())
        args.push_back(values[v]);
      FailureOr<SmallVector<Tensor<T>>> results =
          evaluateFunction<T>(callee, args);
      if (failed(results))
        return failure();
      for (auto [result, tensor] : llvm::zip(call.getResults(), *results))
        values[result] = std::move(tensor);
      continue;
    }
    if (auto correct = dyn_cast<CorrectOp>(op)) {
      // The mutant, with the original's values on the boxes.
      SmallVector<Tensor<T>> inputs;
      for (Value v : correct.getInputs())
        inputs.push_back(values[v]);
      FailureOr<SmallVector<Tensor<T>>> original =
          evaluateBlock<T>(correct.getBody().front(), inputs);
      if (failed(original))
        return failure();
      for (unsigned i = 0; i < correct.getNumResults(); ++i) {
        Tensor<T> result = values[correct.getMutants()[i]];
        for (const Box &box : correct.getBoxesOf(i))
          forEachPosition(box, [&](ArrayRef<int64_t> p) {
            result.at(p) = (*original)[i].at(p);
          });
        values[correct.getResult(i)] = std::move(result);
      }
      continue;
    }
    SmallVector<const Tensor<T> *> operands;
    for (Value v : op.getOperands())
      operands.push_back(&values[v]);
    if (auto linear = dyn_cast<MultiLinearOpInterface>(op)) {
      SmallVector<Tensor<T>> results;
      for (unsigned i = 0; i < op.getNumResults(); ++i)
        results.push_back(evaluateMultiLinear<T>(linear, i, operands));
      for (unsigned i = 0; i < op.getNumResults(); ++i)
        values[op.getResult(i)] = std::move(results[i]);
      continue;
    }
    if constexpr (!ScalarTraits<T>::isExact)
      values[op.getResult(0)] = evaluateNonLinear<T>(&op, *operands.front());
  }
  return failure(); // verified blocks end in a terminator
}

template <typename T>
FailureOr<SmallVector<Tensor<T>>>
mlir::pet::evaluateFunction(func::FuncOp func, ArrayRef<Tensor<T>> arguments) {
  if (failed(checkEvaluable(func, ScalarTraits<T>::isExact)))
    return failure();
  if (arguments.size() != func.getNumArguments())
    return func.emitError("evaluation needs ")
           << func.getNumArguments() << " arguments, got " << arguments.size();
  for (auto [arg, tensor] : llvm::zip_equal(func.getArguments(), arguments)) {
    auto type = cast<RankedTensorType>(arg.getType());
    if (type.getShape() != tensor.getShape())
      return func.emitError("argument #")
             << arg.getArgNumber() << " has the wrong shape for " << type;
  }
  return evaluateBlock<T>(func.getBody().front(), arguments);
}

namespace mlir::pet {
template FailureOr<SmallVector<Tensor<float>>>
    evaluateFunction<float>(func::FuncOp, ArrayRef<Tensor<float>>);
template FailureOr<SmallVector<Tensor<double>>>
    evaluateFunction<double>(func::FuncOp, ArrayRef<Tensor<double>>);
template FailureOr<SmallVector<Tensor<ModQ>>>
    evaluateFunction<ModQ>(func::FuncOp, ArrayRef<Tensor<ModQ>>);
} // namespace mlir::pet

//===----------------------------------------------------------------------===//
// Point evaluation
//===----------------------------------------------------------------------===//

template <typename T>
PointEvaluator<T>::PointEvaluator(func::FuncOp func, InputFn inputs)
    : func(func), inputs(std::move(inputs)) {}

template <typename T> void PointEvaluator<T>::reset(InputFn newInputs) {
  inputs = std::move(newInputs);
  inputData.clear();
  for (auto &entry : infos)
    entry.second->values.clear();
  numComputed = 0;
}

template <typename T> void PointEvaluator<T>::forget(Value value) {
  infos.erase(value);
}

template <typename T>
typename PointEvaluator<T>::ResultInfo &
PointEvaluator<T>::getInfo(OpResult result) {
  std::unique_ptr<ResultInfo> &slot = infos[result];
  if (slot)
    return *slot;
  slot = std::make_unique<ResultInfo>();
  Operation *op = result.getOwner();
  slot->shape = cast<RankedTensorType>(result.getType()).getShape();
  for (Value operand : op->getOperands()) {
    slot->operandShapes.emplace_back(
        cast<RankedTensorType>(operand.getType()).getShape());
    auto arg = dyn_cast<BlockArgument>(operand);
    bool isInput = arg && arg.getOwner() == &func.getBody().front();
    slot->argNumbers.push_back(isInput ? static_cast<int>(arg.getArgNumber())
                                       : -1);
    slot->operandInfos.push_back(nullptr);
  }
  if (auto split = dyn_cast<SplitOp>(op)) {
    slot->axis = split.getAxis();
    slot->offset = split.getOffset(result.getResultNumber());
  } else if (auto concat = dyn_cast<ConcatOp>(op)) {
    slot->axis = concat.getAxis();
  }
  // Layout operators are read directly (see compute): no terms needed.
  auto linear = dyn_cast<MultiLinearOpInterface>(op);
  if (linear && !isa<SplitOp, ConcatOp, ReshapeOp>(op)) {
    slot->terms = compileDescription(
        linear.getMultiLinearDescription(result.getResultNumber()));
    for (const CompiledTerm &term : slot->terms) {
      slot->coefficients.push_back(
          ScalarTraits<T>::coefficient(term.scale, term.divisor));
      slot->cached |= !term.reductionLoops.empty();
    }
  }
  return *slot;
}

template <typename T>
T PointEvaluator<T>::evaluateResult(unsigned resultIndex,
                                    ArrayRef<int64_t> position) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  return evaluate(ret.getOperand(resultIndex), position);
}

template <typename T>
T PointEvaluator<T>::evaluate(Value value, ArrayRef<int64_t> position) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    // An argument of a correction region is the correction's input.
    if (auto correct =
            dyn_cast_or_null<CorrectOp>(arg.getOwner()->getParentOp()))
      return evaluate(correct.getInputs()[arg.getArgNumber()], position);
    return input(
        arg.getArgNumber(),
        linearizeIndex(position,
                       cast<RankedTensorType>(value.getType()).getShape()));
  }
  auto result = cast<OpResult>(value);
  return evaluate(result, getInfo(result), position);
}

template <typename T>
T PointEvaluator<T>::evaluate(OpResult result, ResultInfo &info,
                              ArrayRef<int64_t> position) {
  // Infos are owned by unique pointers: computing other values below does
  // not move this one.
  if (!info.cached)
    return compute(result, info, position);
  int64_t linear = linearizeIndex(position, info.shape);
  auto it = info.values.find(linear);
  if (it != info.values.end())
    return it->second;
  T computed = compute(result, info, position);
  info.values.try_emplace(linear, computed);
  ++numComputed;
  return computed;
}

template <typename T>
T PointEvaluator<T>::compute(OpResult result, ResultInfo &info,
                             ArrayRef<int64_t> position) {
  Operation *op = result.getOwner();
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    auto attr = cast<DenseFPElementsAttr>(constant.getValue());
    int64_t linear = linearizeIndex(
        position, cast<RankedTensorType>(result.getType()).getShape());
    return fromDouble<T>(attr.getValues<APFloat>()[attr.isSplat() ? 0 : linear]
                             .convertToDouble());
  }
  if (auto correct = dyn_cast<CorrectOp>(op)) {
    unsigned index = result.getResultNumber();
    bool wrong = llvm::any_of(correct.getBoxesOf(index), [&](const Box &box) {
      return box.contains(position);
    });
    return evaluate(wrong ? correct.getOriginalValue(index)
                          : correct.getMutants()[index],
                    position);
  }
  auto read = [&](unsigned operand, ArrayRef<int64_t> index) {
    int arg = info.argNumbers[operand];
    if (arg >= 0)
      return input(arg, linearizeIndex(index, info.operandShapes[operand]));
    Value value = op->getOperand(operand);
    auto def = dyn_cast<OpResult>(value);
    if (!def)
      return evaluate(value, index);
    ResultInfo *&operandInfo = info.operandInfos[operand];
    if (!operandInfo)
      operandInfo = &getInfo(def);
    return evaluate(def, *operandInfo, index);
  };
  // Layout operators read one element of one operand: found directly
  // (what their descriptions say, without walking terms and maps).
  if (isa<ReshapeOp>(op)) {
    // The same row-major element.
    int64_t linear = linearizeIndex(position, info.shape);
    if (info.argNumbers[0] >= 0)
      return input(info.argNumbers[0], linear);
    SmallVector<int64_t, 8> index;
    delinearizeIndex(linear, info.operandShapes[0], index);
    return read(0, index);
  }
  if (isa<SplitOp>(op)) {
    SmallVector<int64_t, 8> index(position);
    index[info.axis] += info.offset;
    return read(0, index);
  }
  if (isa<ConcatOp>(op)) {
    SmallVector<int64_t, 8> index(position);
    int64_t axis = info.axis;
    for (unsigned i = 0, e = op->getNumOperands(); i < e; ++i) {
      int64_t extent = info.operandShapes[i][axis];
      if (index[axis] < extent)
        return read(i, index);
      index[axis] -= extent;
    }
    return ScalarTraits<T>::zero();
  }
  if (info.terms.empty())
    return applyElementwise<T>(op, evaluate(op->getOperand(0), position));

  T total = ScalarTraits<T>::zero();
  SmallVector<int64_t, 8> loops;
  auto shapeOf = [&](unsigned operand) -> ArrayRef<int64_t> {
    return info.operandShapes[operand];
  };
  for (auto [t, term] : llvm::enumerate(info.terms)) {
    if (!term.bindResultPosition(position, loops))
      continue;
    // Exact sums do not depend on the order of addition: strided ranges.
    std::optional<std::pair<T, int64_t>> sumAndCount;
    if constexpr (ScalarTraits<T>::isExact) {
      if (term.innerLoop >= 0) {
        auto view = [&](unsigned operand, SmallVectorImpl<int64_t> &index,
                        SmallVectorImpl<int64_t> &step, int64_t &lo,
                        int64_t &hi, int64_t &end) {
          return getStridedView(op->getOperand(operand), index, step, lo, hi,
                                end);
        };
        auto inputAt = [&](unsigned arg, int64_t linear) {
          return input(arg, linear);
        };
        sumAndCount =
            sumOverReductionStrided(term, loops, shapeOf, view, inputAt, read);
      }
    }
    if (!sumAndCount)
      sumAndCount = sumOverReduction<T>(term, loops, shapeOf, read);
    auto [sum, count] = *sumAndCount;
    total = total + termCoefficient(term, count, info.coefficients[t]) * sum;
  }
  return total;
}

template <typename T>
StridedView
PointEvaluator<T>::getStridedView(Value value, SmallVectorImpl<int64_t> &index,
                                  SmallVectorImpl<int64_t> &step, int64_t &lo,
                                  int64_t &hi, int64_t &end) {
  if constexpr (!ScalarTraits<T>::isExact) {
    return {};
  } else {
    // `index` and `step` of `value` as a row-major position in argument
    // `source`'s elements (the same linear index).
    auto rowMajor = [&](Value value, Value source) -> StridedView {
      auto arg = dyn_cast<BlockArgument>(source);
      if (!arg || arg.getOwner() != &func.getBody().front())
        return {};
      ArrayRef<int64_t> shape =
          cast<RankedTensorType>(value.getType()).getShape();
      StridedView view;
      if (inputData.empty())
        view.argNumber = static_cast<int>(arg.getArgNumber());
      else
        view.data = inputData[arg.getArgNumber()].data();
      // Row-major linearization is linear: the step maps like the index.
      view.offset = linearizeIndex(index, shape);
      view.stride = linearizeIndex(step, shape);
      return view;
    };
    while (lo < hi && lo < end) {
      if (isa<BlockArgument>(value))
        return rowMajor(value, value);
      Operation *op = value.getDefiningOp();
      if (auto split = dyn_cast<SplitOp>(op)) {
        ResultInfo &info = getInfo(cast<OpResult>(value));
        index[info.axis] += info.offset;
        value = split.getInput();
      } else if (auto concat = dyn_cast<ConcatOp>(op)) {
        // The operand holding the position at l = lo, up to where the
        // position leaves it.
        ResultInfo &info = getInfo(cast<OpResult>(value));
        int64_t axis = info.axis, s = step[axis];
        int64_t at = index[axis] + lo * s, prefix = 0;
        unsigned i = 0;
        for (unsigned e = op->getNumOperands(); i + 1 < e; ++i) {
          int64_t extent = info.operandShapes[i][axis];
          if (at < prefix + extent)
            break;
          prefix += extent;
        }
        int64_t extent = info.operandShapes[i][axis];
        if (s > 0)
          end = std::min(
              end, llvm::divideCeilSigned(prefix + extent - index[axis], s));
        else if (s < 0)
          end = std::min(end,
                         llvm::divideFloorSigned(index[axis] - prefix, -s) + 1);
        index[axis] -= prefix;
        value = op->getOperand(i);
      } else if (auto transpose = dyn_cast<TransposeOp>(op)) {
        ArrayRef<int64_t> perm = transpose.getPermutation();
        SmallVector<int64_t, 4> from(index.begin(), index.end()),
            by(step.begin(), step.end());
        for (auto [k, p] : llvm::enumerate(perm)) {
          index[p] = from[k];
          step[p] = by[k];
        }
        value = transpose.getInput();
      } else if (isa<ReshapeOp>(op)) {
        // The same row-major element: strided in an operand stored
        // row-major, i.e. an argument, possibly through more reshapes.
        Value source = op->getOperand(0);
        while (auto inner = source.getDefiningOp<ReshapeOp>())
          source = inner.getOperand();
        if (isa<BlockArgument>(source))
          return rowMajor(value, source);
        // Otherwise the same row-major element of an operand that is itself
        // a view: the linear step is `m` along one of its dimensions, as far
        // as the position does not carry into the next dimension.
        ArrayRef<int64_t> shape =
            cast<RankedTensorType>(value.getType()).getShape();
        ArrayRef<int64_t> from =
            cast<RankedTensorType>(source.getType()).getShape();
        int64_t by = linearizeIndex(step, shape);
        SmallVector<int64_t, 8> at, along(from.size(), 0);
        delinearizeIndex(linearizeIndex(index, shape) + lo * by, from, at);
        if (by != 0) {
          int64_t suffix = 1, d = static_cast<int64_t>(from.size()) - 1;
          for (; d >= 0; suffix *= from[d--])
            if (std::abs(by) < suffix * from[d])
              break;
          if (d < 0 || by % suffix != 0)
            return {};
          int64_t m = by / suffix;
          along[d] = m;
          end = std::min(end,
                         m > 0 ? lo + llvm::divideCeilSigned(from[d] - at[d], m)
                               : lo + at[d] / -m + 1);
        }
        // Positions relative to l = 0, as the caller indexes.
        index.assign(at.begin(), at.end());
        step.assign(along.begin(), along.end());
        for (auto [x, s] : llvm::zip(index, step))
          x -= lo * s;
        value = source;
      } else if (auto pad = dyn_cast<PadOp>(op)) {
        for (auto [x, low] : llvm::zip(index, pad.getLow()))
          x -= low;
        value = pad.getInput();
        narrowToBounds(index, step,
                       cast<RankedTensorType>(value.getType()).getShape(), lo,
                       hi);
      } else {
        return {};
      }
    }
    // Nothing left to read in [lo, min(hi, end)).
    return {};
  }
}

namespace mlir::pet {
template class PointEvaluator<float>;
template class PointEvaluator<double>;
template class PointEvaluator<ModQ>;
} // namespace mlir::pet

static uint64_t splitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t mlir::pet::randomArgumentSeed(uint64_t seed, unsigned argNumber) {
  return splitMix64(seed ^ (uint64_t(argNumber) << 40));
}

ModQ mlir::pet::randomModQAt(uint64_t argumentSeed, int64_t linearIndex) {
  uint64_t bits = splitMix64(argumentSeed ^ static_cast<uint64_t>(linearIndex));
  uint64_t value = bits & ModQ::kModulus;
  return ModQ::fromReduced(value == ModQ::kModulus ? 0 : value);
}

ModQ mlir::pet::randomModQ(uint64_t seed, unsigned argNumber,
                           int64_t linearIndex) {
  return randomModQAt(randomArgumentSeed(seed, argNumber), linearIndex);
}
