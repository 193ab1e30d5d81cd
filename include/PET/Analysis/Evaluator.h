//===- Evaluator.h - Running PET programs on concrete values ----*- C++ -*-===//
//
// Evaluates functions of PET operators in floating point (float, double) or
// exactly in Z_q (ModQ), either on whole tensors or one position at a time
// from its receptive field only. Multi-linear operators are interpreted
// through their MultiLinearDescription; non-linear operators are defined in
// floating point only.
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_EVALUATOR_H
#define PET_ANALYSIS_EVALUATOR_H

#include "PET/Analysis/CompiledDescription.h"
#include "PET/Analysis/ModularArithmetic.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <memory>
#include <vector>

namespace mlir::pet {

/// A dense row-major tensor of scalars.
template <typename T> class Tensor {
public:
  Tensor() = default;
  explicit Tensor(ArrayRef<int64_t> shape, T fill = T());

  ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getNumElements() const { return data.size(); }
  T &at(ArrayRef<int64_t> index) { return data[linearizeIndex(index, shape)]; }
  const T &at(ArrayRef<int64_t> index) const {
    return data[linearizeIndex(index, shape)];
  }
  T &operator[](int64_t linear) { return data[linear]; }
  const T &operator[](int64_t linear) const { return data[linear]; }
  std::vector<T> &getData() { return data; }
  const std::vector<T> &getData() const { return data; }

private:
  SmallVector<int64_t, 4> shape;
  std::vector<T> data;
};

/// What the evaluators need of a scalar domain.
template <typename T> struct ScalarTraits;

template <> struct ScalarTraits<ModQ> {
  static constexpr bool isExact = true;
  static ModQ zero() { return ModQ(); }
  /// scale / divisor; scale is a finite double (exactly a dyadic rational).
  static ModQ coefficient(double scale, int64_t divisor) {
    ModQ value;
    (void)ModQ::fromDouble(scale, value);
    return value * ModQ::fromInt(divisor).inverse();
  }
};

template <typename F> struct FloatScalarTraits {
  static constexpr bool isExact = false;
  static F zero() { return F(0); }
  static F coefficient(double scale, int64_t divisor) {
    return static_cast<F>(scale / static_cast<double>(divisor));
  }
};
template <> struct ScalarTraits<float> : FloatScalarTraits<float> {};
template <> struct ScalarTraits<double> : FloatScalarTraits<double> {};

/// Checks that every operation of `func` can be evaluated in a domain that
/// is `exact` (Z_q: multi-linear operators only) or not (also the
/// non-linear ones), and that all values are statically shaped tensors.
/// Emits an error naming the first operation that cannot, and fails.
LogicalResult checkEvaluable(func::FuncOp func, bool exact,
                             bool pointwise = false);

/// Evaluates `func` on whole tensors, one per argument. Fails (with a
/// diagnostic) if `checkEvaluable` does.
template <typename T>
FailureOr<SmallVector<Tensor<T>>>
evaluateFunction(func::FuncOp func, ArrayRef<Tensor<T>> arguments);

/// Where a value's elements lie along a strided range of reduction points
/// l: element `offset + l * stride` of an input array (`data`), or of
/// argument `argNumber` read through the input function; neither: the
/// value is computed, read one position at a time.
struct StridedView {
  const ModQ *data = nullptr;
  int argNumber = -1;
  int64_t offset = 0, stride = 0;
};

/// Evaluates single positions of the values of a function, reading argument
/// elements from a callback and computing only what the position depends on.
/// Results are cached until `reset`. The function must pass
/// `checkEvaluable(func, exact, /*pointwise=*/true)`: multi-linear operators
/// and, in floating point, element-wise non-linear ones.
template <typename T> class PointEvaluator {
public:
  /// Element `linearIndex` (row-major) of argument `argNumber`.
  using InputFn = std::function<T(unsigned argNumber, int64_t linearIndex)>;

  PointEvaluator(func::FuncOp func, InputFn inputs);

  /// The value of `value` (an argument or a result of an operation of the
  /// function) at `position`.
  T evaluate(Value value, ArrayRef<int64_t> position);
  /// Returned value `resultIndex` of the function at `position`.
  T evaluateResult(unsigned resultIndex, ArrayRef<int64_t> position);

  /// Forgets cached values and reads arguments from `inputs` from now on.
  void reset(InputFn inputs);
  /// Reads argument `a` from `data[a]` (row-major, to outlive the evaluator
  /// or the next reset) instead of calling the input function: faster when
  /// arguments are read many times.
  void setInputData(SmallVector<ArrayRef<T>> data) {
    inputData = std::move(data);
  }
  /// Forgets what is cached about `value`, an operation result about to be
  /// erased (its storage may be reused by a new value).
  void forget(Value value);
  /// Positions of operation results computed since the last reset.
  size_t getNumComputed() const { return numComputed; }

private:
  /// How an operation result is computed, prepared once.
  struct ResultInfo {
    SmallVector<CompiledTerm, 1> terms; // empty: not multi-linear
    /// scale / divisor of each term (unused with divideByInBoundsCount).
    SmallVector<T, 1> coefficients;
    SmallVector<SmallVector<int64_t, 4>, 2> operandShapes;
    /// For each operand, its argument number if it is a function argument
    /// (read straight from the inputs), else -1.
    SmallVector<int, 2> argNumbers;
    /// Infos of the operands that are operation results, once looked up.
    SmallVector<ResultInfo *, 2> operandInfos;
    /// The result's shape, and the positions computed, by linear index.
    ArrayRef<int64_t> shape;
    llvm::DenseMap<int64_t, T> values;
    /// Whether positions are cached: only for results that reduce (a
    /// position of a layout or element-wise operator costs less to compute
    /// again than to look up).
    bool cached = false;
    /// Split and concatenation: their axis, and a split result's offset
    /// along it (read from the attributes once).
    int64_t axis = 0, offset = 0;
  };

  T evaluate(OpResult result, ResultInfo &info, ArrayRef<int64_t> position);
  T compute(OpResult result, ResultInfo &info, ArrayRef<int64_t> position);
  ResultInfo &getInfo(OpResult result);
  /// Where `value` at `index + l * step` lies among an argument's elements,
  /// for l in [lo, end), through the layout operators between it and the
  /// argument (split, concatenation, transpose, reshape, zero padding):
  /// narrows [lo, hi) to where the value is not zero (padding) and `end`
  /// to where the view holds (one operand of a concatenation). A view
  /// without array or argument: the value is computed. Exact domain only.
  StridedView getStridedView(Value value, SmallVectorImpl<int64_t> &index,
                             SmallVectorImpl<int64_t> &step, int64_t &lo,
                             int64_t &hi, int64_t &end);

  func::FuncOp func;
  T input(unsigned argNumber, int64_t linearIndex) const {
    return inputData.empty() ? inputs(argNumber, linearIndex)
                             : inputData[argNumber][linearIndex];
  }

  InputFn inputs;
  SmallVector<ArrayRef<T>> inputData;
  size_t numComputed = 0;
  llvm::DenseMap<Value, std::unique_ptr<ResultInfo>> infos;
};

/// Random argument elements in Z_q, a pure function of (seed, argument,
/// index): inputs of any size without materializing them.
ModQ randomModQ(uint64_t seed, unsigned argNumber, int64_t linearIndex);
/// The same stream with its per-argument part computed once:
/// randomModQ(seed, a, k) == randomModQAt(randomArgumentSeed(seed, a), k).
uint64_t randomArgumentSeed(uint64_t seed, unsigned argNumber);
ModQ randomModQAt(uint64_t argumentSeed, int64_t linearIndex);

extern template class PointEvaluator<float>;
extern template class PointEvaluator<double>;
extern template class PointEvaluator<ModQ>;

} // namespace mlir::pet

#endif // PET_ANALYSIS_EVALUATOR_H
