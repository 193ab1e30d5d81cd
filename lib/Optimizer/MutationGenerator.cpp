//===- MutationGenerator.cpp - Enumerating mutants of a subprogram --------===//

#include "PET/Optimizer/MutationGenerator.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/CostModel.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <memory>

using namespace mlir;
using namespace mlir::pet;

namespace {

using Shape = SmallVector<int64_t, 4>;

Shape shapeOf(Value v) {
  return Shape(cast<RankedTensorType>(v.getType()).getShape());
}

int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

/// A convolution configuration found in the subprogram.
struct ConvConfig {
  SmallVector<int64_t, 2> strides, padLow, padHigh, dilations;
  int64_t groups;
  bool operator==(const ConvConfig &o) const {
    return strides == o.strides && padLow == o.padLow && padHigh == o.padHigh &&
           dilations == o.dilations && groups == o.groups;
  }
};

/// A tensor of the search: an argument or a value a move created.
struct Node {
  Value value;
  SmallVector<ModQ, 8> samples;
  uint64_t fingerprint;
  unsigned depth;
  /// Polynomial degree in the inputs.
  unsigned degree;
};

constexpr unsigned kSamples = 8;

/// Pieces of reduction splits (every group's input channels split into
/// pieces, one grouped convolution making each piece's partial sums, the
/// partial sums added). Eight pieces pay on the H200 where the output is
/// small and the reduction long (3x3 convolutions at 7x7, the grouped ones
/// of ResNeXt-50 included).
constexpr int64_t kReductionSplits[] = {2, 4, 8};
/// Reduction splits of a dense convolution leave at least this many input
/// channels to a piece; of a grouped one, kMinGroupSplitChannels.
constexpr int64_t kMinSplitChannels = 16;
constexpr int64_t kMinGroupSplitChannels = 4;
/// Eight pieces, and splits of grouped convolutions, only where the
/// convolution's output has at most this many positions (batch x height x
/// width; on the H200 they pay at 7x7 and 14x14 and lose or tie above, where
/// the library has parallelism enough: bench/models/probe_splits.py).
constexpr int64_t kMaxEightWaySplitOutput = 64;
constexpr int64_t kMaxGroupedSplitOutput = 196;

/// Reductions up to this size (a 3x3 convolution over 64 channels) get the
/// whole state budget; larger ones proportionally less.
constexpr double kCheapReduction = 576;

class Generator {
public:
  Generator(func::FuncOp original, ModuleOp scratch,
            const MutationOptions &options, MutationStats &stats)
      : original(original), scratch(scratch), options(options), stats(stats),
        builder(original.getContext()), loc(original.getLoc()) {}

  SmallVector<Mutant> run();

private:
  // Search.
  void search(unsigned depth);
  void tryMove(unsigned depth, function_ref<Value(OpBuilder &)> build,
               bool isCompute = false, uint64_t variant = 0);
  void checkCandidate();
  bool isComplete() const;

  // Fingerprints.
  SmallVector<SmallVector<int64_t>> samplePositions(ArrayRef<int64_t> shape);
  SmallVector<ModQ, 8> sample(PointEvaluator<ModQ> &eval, Value value);
  uint64_t fingerprintOf(ArrayRef<int64_t> shape, ArrayRef<ModQ> samples);

  // What the subprogram offers the operator set.
  void collectTemplates();

  // Moves.
  void enumerateMoves(unsigned depth);
  bool allowed(ArrayRef<const Node *> operands, unsigned depth) const;

  DenseI64ArrayAttr array(ArrayRef<int64_t> v) {
    return builder.getDenseI64ArrayAttr(v);
  }
  SmallVector<NamedAttribute> convAttributes(const ConvConfig &c,
                                             int64_t groups);
  Value buildReductionSplit(OpBuilder &b, Value input, Value filter,
                            const ConvConfig &c, int64_t groups);
  Value buildGroupedReductionSplit(OpBuilder &b, Value input, Value filter,
                                   const ConvConfig &c, int64_t pieces);
  /// `value` as `shape` (its row-major elements), or with its dimensions
  /// permuted.
  Value reshapeTo(OpBuilder &b, Value value, ArrayRef<int64_t> shape);
  Value transposeBy(OpBuilder &b, Value value, ArrayRef<int64_t> permutation);
  /// The sum of `value`'s `pieces` slices of `size` along `axis`.
  Value addPieces(OpBuilder &b, Value value, int64_t axis, int64_t pieces,
                  int64_t size);

  func::FuncOp original;
  ModuleOp scratch;
  const MutationOptions &options;
  MutationStats &stats;
  OpBuilder builder;
  Location loc;

  func::FuncOp searchFunc;
  Block *block = nullptr;
  /// Values of the search's tensors, kept across states: a tensor's
  /// positions are computed once while it exists.
  std::unique_ptr<PointEvaluator<ModQ>> eval;
  SmallVector<Node> nodes;
  llvm::DenseSet<uint64_t> visited;
  /// Samples of the original's outputs.
  SmallVector<SmallVector<ModQ, 8>> outputSamples;
  SmallVector<Shape> outputShapes;

  SmallVector<ConvConfig> convs;
  SmallVector<std::pair<bool, bool>> matmuls;
  SmallVector<Shape> kernelSizes;
  SmallVector<Shape> knownShapes;
  unsigned maxCompute = 0, computeUsed = 0;
  /// The highest polynomial degree of an output.
  unsigned maxDegree = 1;
  bool allowAdd = false;
  /// Whether parity space-to-batch moves belong to the operator set.
  bool spaceToBatch = false;
  /// Positions (batch x height x width) of the subprogram's largest
  /// convolution output: where reduction splits may pay beyond the basic
  /// ones.
  int64_t largestConvOutput = 0;
  int64_t maxElements = 1;
  /// Arithmetic of the whole subprogram.
  double maxFlops = 0;
  /// States to visit at most.
  int64_t stateBudget = 0;
  /// Index in `nodes` of the first tensor the latest move made.
  size_t latestMove = 0;
  /// The variant moves (see tryMove) on the path to the current state.
  uint64_t variants = 0;

  SmallVector<Mutant> mutants;
  llvm::DenseSet<uint64_t> mutantKeys;
  std::string originalText;
};

} // namespace

/// The states a search of `original` visits at most, and the largest
/// reduction of its operators.
static std::pair<int64_t, int64_t>
getStateBudget(func::FuncOp original, const MutationOptions &options) {
  // States cost in proportion to the reductions of the compute operators
  // (each fingerprint evaluates positions of them): big ones get fewer.
  int64_t reduction = 1, computeOps = 0;
  original.walk([&](MultiLinearOpInterface op) {
    computeOps += isa<Conv2DOp, MatmulOp>(op);
    for (unsigned r = 0; r < op->getNumResults(); ++r)
      for (const MultiLinearTerm &term :
           op.getMultiLinearDescription(r).terms) {
        int64_t points = 1;
        for (unsigned loop = 0; loop < term.getNumLoops(); ++loop)
          if (term.isReduction(loop))
            points *= term.loopBounds[loop];
        reduction = std::max(reduction, points);
      }
  });
  computeOps = std::max<int64_t>(1, computeOps);
  double scale =
      std::min(1.0, kCheapReduction / static_cast<double>(reduction));
  int64_t budget =
      std::max<int64_t>(1, static_cast<int64_t>(options.maxStates * computeOps *
                                                computeOps * scale));
  return {budget, reduction};
}

double mlir::pet::estimateSearchWork(func::FuncOp original,
                                     const MutationOptions &options) {
  auto [budget, reduction] = getStateBudget(original, options);
  return static_cast<double>(budget) * static_cast<double>(reduction);
}

ArrayRef<StringRef> mlir::pet::getMutationOperatorNames() {
  static const StringRef names[] = {"conv2d", "matmul",  "pad",       "split",
                                    "concat", "reshape", "transpose", "add"};
  return names;
}

//===----------------------------------------------------------------------===//
// Fingerprints
//===----------------------------------------------------------------------===//

SmallVector<SmallVector<int64_t>>
Generator::samplePositions(ArrayRef<int64_t> shape) {
  int64_t total = numElements(shape);
  SmallVector<int64_t> linear;
  if (total <= kSamples) {
    for (int64_t k = 0; k < total; ++k)
      linear.push_back(k);
  } else {
    // The first and last positions (borders) and pseudo-random others, a
    // function of the shape only, so that equal tensors sample equally.
    uint64_t h = llvm::hash_combine_range(shape.begin(), shape.end());
    linear.push_back(0);
    linear.push_back(total - 1);
    while (linear.size() < kSamples) {
      h = h * 6364136223846793005ULL + 1442695040888963407ULL;
      linear.push_back(static_cast<int64_t>((h >> 17) % total));
    }
  }
  SmallVector<SmallVector<int64_t>> positions;
  for (int64_t k : linear)
    delinearizeIndex(k, shape, positions.emplace_back());
  return positions;
}

SmallVector<ModQ, 8> Generator::sample(PointEvaluator<ModQ> &eval,
                                       Value value) {
  SmallVector<ModQ, 8> values;
  for (const auto &p : samplePositions(shapeOf(value)))
    values.push_back(eval.evaluate(value, p));
  return values;
}

uint64_t Generator::fingerprintOf(ArrayRef<int64_t> shape,
                                  ArrayRef<ModQ> samples) {
  llvm::hash_code h = llvm::hash_combine_range(shape.begin(), shape.end());
  for (ModQ v : samples)
    h = llvm::hash_combine(h, v.getValue());
  return static_cast<uint64_t>(h);
}

//===----------------------------------------------------------------------===//
// Templates
//===----------------------------------------------------------------------===//

void Generator::collectTemplates() {
  auto addShape = [&](Shape shape) {
    if (!llvm::is_contained(knownShapes, shape))
      knownShapes.push_back(std::move(shape));
  };
  for (BlockArgument arg : original.getArguments())
    addShape(shapeOf(arg));
  for (Type type : original.getResultTypes())
    addShape(Shape(cast<RankedTensorType>(type).getShape()));
  original.walk([&](Operation *op) {
    if (auto conv = dyn_cast<Conv2DOp>(op)) {
      ConvConfig c{conv.getStrideValues(), conv.getPadLowValues(),
                   conv.getPadHighValues(), conv.getDilationValues(),
                   conv.getGroupCount()};
      if (llvm::is_contained(convs, c) && c.groups == 1) {
        // Several convolutions alike: one grouped convolution may do them.
        ConvConfig grouped = c;
        grouped.groups = 2;
        if (!llvm::is_contained(convs, grouped))
          convs.push_back(grouped);
      }
      if (!llvm::is_contained(convs, c))
        convs.push_back(c);
      // A convolution dilated by 2 with even padding is a dense one on each
      // of the four parity sub-images (space-to-batch).
      bool halvable =
          llvm::all_of(c.dilations, [](int64_t d) { return d == 2; }) &&
          llvm::all_of(c.strides, [](int64_t v) { return v == 1; });
      for (int d = 0; d < 2; ++d)
        halvable &= c.padLow[d] % 2 == 0 && c.padHigh[d] % 2 == 0;
      if (halvable) {
        ConvConfig dense = c;
        dense.dilations = {1, 1};
        for (int d = 0; d < 2; ++d) {
          dense.padLow[d] /= 2;
          dense.padHigh[d] /= 2;
        }
        if (!llvm::is_contained(convs, dense))
          convs.push_back(dense);
        spaceToBatch = true;
      }
      Shape out = shapeOf(conv.getResult());
      largestConvOutput = std::max(largestConvOutput, out[0] * out[2] * out[3]);
      Shape k = shapeOf(conv.getFilter());
      Shape kernel = {k[2], k[3]};
      if (!llvm::is_contained(kernelSizes, kernel))
        kernelSizes.push_back(kernel);
      ++maxCompute;
      // A pointwise convolution of one image is a matrix product.
      bool pointwise =
          k[2] == 1 && k[3] == 1 && c.groups == 1 &&
          shapeOf(conv.getInput())[0] == 1 &&
          llvm::all_of(c.strides, [](int64_t v) { return v == 1; }) &&
          llvm::all_of(c.padLow, [](int64_t v) { return v == 0; }) &&
          llvm::all_of(c.padHigh, [](int64_t v) { return v == 0; });
      if (pointwise &&
          !llvm::is_contained(matmuls, std::make_pair(false, false)))
        matmuls.push_back({false, false});
    } else if (auto mm = dyn_cast<MatmulOp>(op)) {
      auto config = std::make_pair(mm.getTransposeLhs(), mm.getTransposeRhs());
      if (!llvm::is_contained(matmuls, config))
        matmuls.push_back(config);
      ++maxCompute;
    } else if (isa<AddOp, SubOp>(op)) {
      allowAdd = true;
    }
  });
}

//===----------------------------------------------------------------------===//
// Compound moves
//===----------------------------------------------------------------------===//

SmallVector<NamedAttribute> Generator::convAttributes(const ConvConfig &c,
                                                      int64_t groups) {
  // Only attributes that differ from their defaults, as users write them.
  SmallVector<NamedAttribute> attrs;
  auto add = [&](StringRef name, ArrayRef<int64_t> v, int64_t d) {
    if (llvm::any_of(v, [&](int64_t x) { return x != d; }))
      attrs.push_back(builder.getNamedAttr(name, array(v)));
  };
  add("strides", c.strides, 1);
  add("pad_low", c.padLow, 0);
  add("pad_high", c.padHigh, 0);
  add("dilations", c.dilations, 1);
  if (groups != 1)
    attrs.push_back(
        builder.getNamedAttr("groups", builder.getI64IntegerAttr(groups)));
  return attrs;
}

Value Generator::buildReductionSplit(OpBuilder &b, Value input, Value filter,
                                     const ConvConfig &c, int64_t groups) {
  Shape sw = shapeOf(filter);
  auto axisAttr = [&](int64_t axis) {
    return b.getNamedAttr("axis", b.getI64IntegerAttr(axis));
  };
  // [F, C, kh, kw] -> g x [F, C/g, kh, kw] -> [g*F, C/g, kh, kw].
  SmallVector<int64_t> channelSizes(groups, sw[1] / groups);
  auto pieces = SplitOp::create(
      b, loc, ValueRange{filter},
      ArrayRef<NamedAttribute>{axisAttr(1),
                               b.getNamedAttr("sizes", array(channelSizes))});
  auto stacked = ConcatOp::create(b, loc, pieces.getResults(),
                                  ArrayRef<NamedAttribute>{axisAttr(0)});
  auto partial = Conv2DOp::create(b, loc, ValueRange{input, stacked},
                                  convAttributes(c, groups));
  return addPieces(b, partial.getResult(), /*axis=*/1, groups, sw[0]);
}

Value Generator::reshapeTo(OpBuilder &b, Value value, ArrayRef<int64_t> shape) {
  Type element = cast<RankedTensorType>(value.getType()).getElementType();
  return ReshapeOp::create(b, loc, RankedTensorType::get(shape, element), value)
      .getResult();
}

Value Generator::transposeBy(OpBuilder &b, Value value,
                             ArrayRef<int64_t> permutation) {
  return TransposeOp::create(b, loc, ValueRange{value},
                             ArrayRef<NamedAttribute>{b.getNamedAttr(
                                 "permutation", array(permutation))})
      .getResult();
}

Value Generator::addPieces(OpBuilder &b, Value value, int64_t axis,
                           int64_t pieces, int64_t size) {
  SmallVector<int64_t> sizes(pieces, size);
  auto split =
      SplitOp::create(b, loc, ValueRange{value},
                      ArrayRef<NamedAttribute>{
                          b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                          b.getNamedAttr("sizes", array(sizes))});
  Value total = split.getResult(0);
  for (int64_t k = 1; k < pieces; ++k)
    total = AddOp::create(b, loc, ValueRange{total, split.getResult(k)},
                          ArrayRef<NamedAttribute>{});
  return total;
}

Value Generator::buildGroupedReductionSplit(OpBuilder &b, Value input,
                                            Value filter, const ConvConfig &c,
                                            int64_t pieces) {
  // A convolution of g groups, each F/g output channels over C/g input
  // channels, as one of g*s groups: group gi*s+si reads input channels
  // (gi*s+si)*C/(g*s).. and makes the partial sums of group gi's outputs
  // over piece si. Filter [F, C/g, kh, kw] as [g, F/g, s, C/(g*s), kh, kw],
  // transposed to [g, s, F/g, ...] (weights: done once at load), then
  // [g*s*F/g, C/(g*s), kh, kw]. Partial sums [N, g*s*F/g, H, W] read as
  // [N, g, s, F/g, H, W], the s pieces added, then [N, F, H, W]. (Every
  // dimension kept apart: box propagation keeps the original's boxes.)
  Shape sw = shapeOf(filter);
  int64_t g = c.groups, fg = sw[0] / g, cp = sw[1] / pieces;
  Value w6 = reshapeTo(b, filter, {g, fg, pieces, cp, sw[2], sw[3]});
  Value wt = transposeBy(b, w6, {0, 2, 1, 3, 4, 5});
  Value stacked = reshapeTo(b, wt, {g * pieces * fg, cp, sw[2], sw[3]});
  auto partial = Conv2DOp::create(b, loc, ValueRange{input, stacked},
                                  convAttributes(c, g * pieces));
  Shape so = shapeOf(partial.getResult());
  Value grouped =
      reshapeTo(b, partial.getResult(), {so[0], g, pieces, fg, so[2], so[3]});
  Value total = addPieces(b, grouped, /*axis=*/2, pieces, /*size=*/1);
  return reshapeTo(b, total, {so[0], g * fg, so[2], so[3]});
}

//===----------------------------------------------------------------------===//
// Search
//===----------------------------------------------------------------------===//

bool Generator::allowed(ArrayRef<const Node *> operands, unsigned depth) const {
  // Moves chain: each uses the tensor the previous move made, except that
  // the first two moves may also work on the inputs alone (preparing two
  // operands of a later operator).
  if (depth == 0)
    return true;
  const Node &last = nodes.back();
  if (llvm::any_of(operands,
                   [&](const Node *n) { return n->value == last.value; }))
    return true;
  return depth < 2 &&
         llvm::all_of(operands, [](const Node *n) { return n->depth == 0; });
}

void Generator::tryMove(unsigned depth, function_ref<Value(OpBuilder &)> build,
                        bool isCompute, uint64_t variant) {
  if (stats.statesVisited >= stateBudget || stats.stoppedByDeadline)
    return;
  if (options.deadline &&
      std::chrono::steady_clock::now() >= *options.deadline) {
    stats.stoppedByDeadline = true;
    return;
  }
  if (isCompute && computeUsed >= maxCompute)
    return;
  // A mutant of a subprogram that computes must compute too: the last move
  // of a search without a convolution or matmul yet has to be one.
  if (!isCompute && maxCompute > 0 && computeUsed == 0 &&
      depth + 1 >= options.maxDepth)
    return;
  builder.setInsertionPointToEnd(block);
  Operation *before = block->empty() ? nullptr : &block->back();
  Value made = build(builder);
  // The operations this move created, in order.
  SmallVector<Operation *> created;
  for (Operation &op : llvm::make_range(
           before ? std::next(before->getIterator()) : block->begin(),
           block->end()))
    created.push_back(&op);
  auto undo = [&] {
    for (Operation *op : llvm::reverse(created)) {
      for (Value v : op->getResults())
        eval->forget(v);
      op->erase();
    }
  };
  if (!made) {
    undo();
    return;
  }
  // A tensor of a higher polynomial degree than every output can equal none
  // of them (and sampling a product of products costs the square): pruned.
  llvm::DenseMap<Value, unsigned> degrees;
  auto degreeOf = [&](Value v) -> unsigned {
    if (unsigned d = degrees.lookup(v))
      return d;
    for (const Node &n : nodes)
      if (n.value == v)
        return n.degree;
    return isa<BlockArgument>(v) ? 1 : 0;
  };
  for (Operation *op : created)
    for (OpResult result : op->getResults())
      degrees[result] = getResultDegree(result, degreeOf);
  if (llvm::any_of(created.back()->getResults(),
                   [&](Value v) { return degrees.lookup(v) > maxDegree; })) {
    ++stats.prunedDuplicates;
    undo();
    return;
  }
  // Only operators of the operator set; none doing far more work than the
  // whole subprogram.
  if ((!options.operators.empty() &&
       llvm::any_of(created,
                    [&](Operation *op) {
                      return !llvm::is_contained(
                          options.operators,
                          op->getName().stripDialect().str());
                    })) ||
      CostModel::getWork(created.back()).flops > 4 * maxFlops + 1e6) {
    undo();
    return;
  }
  ++stats.tensorsCreated;
  // The move's results (a split makes several).
  SmallVector<Value> results(created.back()->getResults());
  size_t firstNew = nodes.size();
  for (Value v : results) {
    if (numElements(shapeOf(v)) > 4 * maxElements)
      continue;
    SmallVector<ModQ, 8> samples = sample(*eval, v);
    uint64_t fp = fingerprintOf(shapeOf(v), samples);
    bool duplicate =
        llvm::any_of(nodes, [&](const Node &n) { return n.fingerprint == fp; });
    if (!duplicate)
      nodes.push_back(
          {v, std::move(samples), fp, depth + 1, degrees.lookup(v)});
  }
  if (nodes.size() == firstNew) {
    ++stats.prunedDuplicates;
    undo();
    return;
  }
  // The set of tensors reached, whatever the order of the moves.
  SmallVector<uint64_t> fps;
  for (const Node &n : nodes)
    if (n.depth > 0)
      fps.push_back(n.fingerprint);
  llvm::sort(fps);
  // Moves that compute a value in another form (a variant) reach states of
  // their own: the same values, computed differently.
  uint64_t savedVariants = variants;
  variants = variant
                 ? static_cast<uint64_t>(llvm::hash_combine(variants, variant))
                 : variants;
  uint64_t state = static_cast<uint64_t>(llvm::hash_combine(
      llvm::hash_combine_range(fps.begin(), fps.end()), variants));
  if (visited.insert(state).second) {
    ++stats.statesVisited;
    computeUsed += isCompute;
    size_t savedLatest = latestMove;
    latestMove = firstNew;
    checkCandidate();
    // Once every output is there exactly, further moves only add work to a
    // complete program: the state is a leaf.
    if (!isComplete())
      search(depth + 1);
    latestMove = savedLatest;
    computeUsed -= isCompute;
  } else {
    ++stats.prunedDuplicates;
  }
  variants = savedVariants;
  nodes.resize(firstNew);
  undo();
}

void Generator::search(unsigned depth) {
  if (depth >= options.maxDepth || mutants.size() >= 4 * options.maxMutants)
    return;
  enumerateMoves(depth);
}

void Generator::enumerateMoves(unsigned depth) {
  // Snapshot: moves below append to `nodes`.
  SmallVector<Node> current(nodes);
  auto rankOf = [](const Node &n) { return shapeOf(n.value).size(); };
  MLIRContext *context = builder.getContext();
  auto attr = [&](StringRef name, Attribute value) {
    return builder.getNamedAttr(name, value);
  };

  for (const Node &a : current) {
    Shape sa = shapeOf(a.value);
    // Convolutions with the subprogram's configurations.
    if (rankOf(a) == 4) {
      for (const Node &w : current) {
        Shape sw = shapeOf(w.value);
        if (rankOf(w) != 4 || &w == &a || !allowed({&a, &w}, depth))
          continue;
        // Filters have the subprogram's kernel sizes: that prunes the
        // many "convolutions" of an image by another image.
        if (!llvm::is_contained(kernelSizes, Shape{sw[2], sw[3]}))
          continue;
        // Whether the (dilated) filter fits in the padded image.
        auto fits = [&](const ConvConfig &c) {
          for (int d = 0; d < 2; ++d)
            if (c.dilations[d] * (sw[2 + d] - 1) + 1 >
                sa[2 + d] + c.padLow[d] + c.padHigh[d])
              return false;
          return true;
        };
        for (const ConvConfig &c : convs) {
          if (sw[1] * c.groups != sa[1] || sw[0] % c.groups != 0 || !fits(c))
            continue;
          tryMove(
              depth,
              [&](OpBuilder &b) -> Value {
                return Conv2DOp::create(b, loc, ValueRange{a.value, w.value},
                                        convAttributes(c, c.groups));
              },
              /*isCompute=*/true);
        }
        // Reduction splits: the input channels in `g` groups, one grouped
        // convolution making `g` partial sums of every output channel (the
        // filter's channel slices stacked along its output channels), then
        // their sum. Fully equivalent; a library may run the grouped form
        // faster (more output parallelism for the same arithmetic).
        for (const ConvConfig &c : convs) {
          if (sw[1] * c.groups != sa[1] || sw[0] % c.groups != 0 || !fits(c))
            continue;
          // Subprograms of one convolution only: a state space per split
          // of every operator of a larger window costs more than it finds
          // (tried at 7x7 and 8x8 too: the splits used up Inception-v3's
          // state budget before its merged programs were reached).
          if (maxCompute != 1)
            continue;
          // The subprogram's output, not this move's: a "convolution" of a
          // filter by another has few positions too.
          int64_t outputPositions = largestConvOutput;
          for (int64_t g : kReductionSplits) {
            if (g == 8 && outputPositions > kMaxEightWaySplitOutput)
              continue;
            if (c.groups == 1) {
              if (sa[1] % g != 0 || sa[1] / g < kMinSplitChannels)
                continue;
              tryMove(
                  depth,
                  [&](OpBuilder &b) -> Value {
                    return buildReductionSplit(b, a.value, w.value, c, g);
                  },
                  /*isCompute=*/true, /*variant=*/g);
              continue;
            }
            if (sw[1] % g != 0 || sw[1] / g < kMinGroupSplitChannels ||
                outputPositions > kMaxGroupedSplitOutput)
              continue;
            tryMove(
                depth,
                [&](OpBuilder &b) -> Value {
                  return buildGroupedReductionSplit(b, a.value, w.value, c, g);
                },
                /*isCompute=*/true, /*variant=*/g);
          }
        }
      }
    }
    // Matrix products with the subprogram's transposes.
    if (rankOf(a) == 2) {
      for (const Node &b : current) {
        if (rankOf(b) != 2 || !allowed({&a, &b}, depth))
          continue;
        Shape sb = shapeOf(b.value);
        for (auto [tl, tr] : matmuls) {
          if ((tl ? sa[0] : sa[1]) != (tr ? sb[1] : sb[0]))
            continue;
          tryMove(
              depth,
              [&](OpBuilder &bld) -> Value {
                SmallVector<NamedAttribute> attrs;
                if (tl)
                  attrs.push_back(attr("transpose_lhs", bld.getUnitAttr()));
                if (tr)
                  attrs.push_back(attr("transpose_rhs", bld.getUnitAttr()));
                return MatmulOp::create(bld, loc, ValueRange{a.value, b.value},
                                        attrs);
              },
              /*isCompute=*/true);
        }
      }
    }
    // Zero-extend a filter to another kernel size of the subprogram.
    if (rankOf(a) == 4 && allowed({&a}, depth)) {
      for (const Shape &k : kernelSizes) {
        int64_t dh = k[0] - sa[2], dw = k[1] - sa[3];
        if (dh < 0 || dw < 0 || (dh == 0 && dw == 0) || dh % 2 || dw % 2)
          continue;
        tryMove(depth, [&](OpBuilder &b) -> Value {
          return PadOp::create(
              b, loc, ValueRange{a.value},
              ArrayRef<NamedAttribute>{
                  attr("low", array({0, 0, dh / 2, dw / 2})),
                  attr("high", array({0, 0, dh / 2, dw / 2}))});
        });
      }
    }
    // Move half of a spatial dimension into the batch, or back.
    if (rankOf(a) == 4 && allowed({&a}, depth)) {
      for (auto [from, to] :
           {std::pair<int64_t, int64_t>{2, 0}, {3, 0}, {0, 2}, {0, 3}}) {
        if (sa[from] % 2 != 0 || sa[from] < 2)
          continue;
        tryMove(depth, [&](OpBuilder &b) -> Value {
          auto split = SplitOp::create(
              b, loc, ValueRange{a.value},
              ArrayRef<NamedAttribute>{
                  attr("axis", b.getI64IntegerAttr(from)),
                  attr("sizes", array({sa[from] / 2, sa[from] / 2}))});
          return ConcatOp::create(
              b, loc, split.getResults(),
              ArrayRef<NamedAttribute>{attr("axis", b.getI64IntegerAttr(to))});
        });
      }
    }
    // Space-to-batch by 2 in both spatial dimensions (the four parity
    // sub-images into the batch), and back.
    if (spaceToBatch && rankOf(a) == 4 && allowed({&a}, depth)) {
      int64_t n = sa[0], c = sa[1], h = sa[2], w = sa[3];
      if (h % 2 == 0 && w % 2 == 0)
        tryMove(depth, [&](OpBuilder &b) -> Value {
          // [n, c, h/2, 2, w/2, 2] -> [2, 2, n, c, h/2, w/2]
          Value v = reshapeTo(b, a.value, {n, c, h / 2, 2, w / 2, 2});
          v = transposeBy(b, v, {3, 5, 0, 1, 2, 4});
          return reshapeTo(b, v, {4 * n, c, h / 2, w / 2});
        });
      if (n % 4 == 0)
        tryMove(depth, [&](OpBuilder &b) -> Value {
          // [2, 2, n/4, c, h, w] -> [n/4, c, h, 2, w, 2]
          Value v = reshapeTo(b, a.value, {2, 2, n / 4, c, h, w});
          v = transposeBy(b, v, {2, 3, 4, 0, 5, 1});
          return reshapeTo(b, v, {n / 4, c, 2 * h, 2 * w});
        });
    }
    // Reshape to a shape of the subprogram, or to a matrix view.
    if (allowed({&a}, depth)) {
      SmallVector<Shape> targets(knownShapes);
      if (sa.size() == 4) {
        targets.push_back({sa[0] * sa[1], sa[2] * sa[3]});
        targets.push_back({sa[0], sa[1] * sa[2] * sa[3]});
      }
      for (const Shape &t : targets) {
        if (t == sa || numElements(t) != numElements(sa))
          continue;
        tryMove(depth, [&](OpBuilder &b) { return reshapeTo(b, a.value, t); });
      }
    }
    // Transpose a matrix.
    if (rankOf(a) == 2 && allowed({&a}, depth))
      tryMove(depth, [&](OpBuilder &b) {
        return transposeBy(b, a.value, {1, 0});
      });
    // Split into the pieces the outputs need, or in halves.
    if (allowed({&a}, depth)) {
      for (int64_t axis = 0; axis < static_cast<int64_t>(sa.size()); ++axis) {
        SmallVector<SmallVector<int64_t>> choices;
        SmallVector<int64_t> fromOutputs;
        for (const Shape &out : outputShapes) {
          bool sameOtherDims = out.size() == sa.size();
          for (int64_t d = 0; sameOtherDims && d < (int64_t)sa.size(); ++d)
            sameOtherDims = d == axis || out[d] == sa[d];
          if (sameOtherDims)
            fromOutputs.push_back(out[axis]);
        }
        int64_t sum = 0;
        for (int64_t s : fromOutputs)
          sum += s;
        if (fromOutputs.size() > 1 && sum == sa[axis]) {
          // In any order: concatenations put their parts in one order only.
          llvm::sort(fromOutputs);
          do
            choices.push_back(fromOutputs);
          while (std::next_permutation(fromOutputs.begin(), fromOutputs.end()));
        }
        SmallVector<int64_t> halves = {sa[axis] / 2, sa[axis] / 2};
        if (sa[axis] % 2 == 0 && sa[axis] >= 2 &&
            !llvm::is_contained(choices, halves))
          choices.push_back(halves);
        for (const auto &sizes : choices)
          tryMove(depth, [&](OpBuilder &b) -> Value {
            auto split =
                SplitOp::create(b, loc, ValueRange{a.value},
                                ArrayRef<NamedAttribute>{
                                    attr("axis", b.getI64IntegerAttr(axis)),
                                    attr("sizes", array(sizes))});
            return split.getResult(0);
          });
      }
    }
  }

  // Concatenations of up to as many tensors as the subprogram has outputs
  // (at least two), along any dimension where they fit. One order of the
  // parts suffices: outputs are matched to split pieces by value.
  unsigned maxParts = std::max<unsigned>(2, outputShapes.size());
  SmallVector<const Node *> parts;
  std::function<void(size_t)> choose = [&](size_t start) {
    if (parts.size() >= 2 && allowed(parts, depth)) {
      Shape first = shapeOf(parts[0]->value);
      for (int64_t axis = 0; axis < (int64_t)first.size(); ++axis) {
        bool fits = true;
        for (const Node *p : parts) {
          Shape s = shapeOf(p->value);
          for (int64_t d = 0; fits && d < (int64_t)first.size(); ++d)
            fits = d == axis || s[d] == first[d];
        }
        if (!fits)
          continue;
        SmallVector<Value> values;
        for (const Node *p : parts)
          values.push_back(p->value);
        tryMove(depth, [&](OpBuilder &b) -> Value {
          return ConcatOp::create(b, loc, values,
                                  ArrayRef<NamedAttribute>{
                                      attr("axis", b.getI64IntegerAttr(axis))});
        });
      }
    }
    if (parts.size() == maxParts)
      return;
    for (size_t i = start; i < current.size(); ++i) {
      const Node *n = &current[i];
      if (!parts.empty() &&
          shapeOf(n->value).size() != shapeOf(parts[0]->value).size())
        continue;
      parts.push_back(n);
      choose(i + 1);
      parts.pop_back();
    }
  };
  choose(0);

  // Sums, if the subprogram adds.
  if (allowAdd)
    for (size_t i = 0; i < current.size(); ++i)
      for (size_t j = i + 1; j < current.size(); ++j) {
        const Node &a = current[i], &b = current[j];
        if (shapeOf(a.value) != shapeOf(b.value) || !allowed({&a, &b}, depth))
          continue;
        tryMove(depth, [&](OpBuilder &bld) -> Value {
          return AddOp::create(bld, loc, ValueRange{a.value, b.value},
                               ArrayRef<NamedAttribute>{});
        });
      }
  (void)context;
}

//===----------------------------------------------------------------------===//
// Candidates
//===----------------------------------------------------------------------===//

/// The operators of `func` as text that ignores names and locations: equal
/// for two functions that compute the same way.
std::string mlir::pet::getStructuralKey(func::FuncOp func) {
  std::string key;
  llvm::raw_string_ostream os(key);
  // Weights matter: what is computed from them alone runs once, at load.
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (func.getArgAttr(i, PETDialect::kWeightAttrName))
      os << "w" << i << ";";
  llvm::DenseMap<Operation *, unsigned> index;
  for (Operation &op : func.getBody().front()) {
    index[&op] = index.size();
    os << CostModel::getKey(&op);
    for (Value v : op.getOperands()) {
      if (auto arg = dyn_cast<BlockArgument>(v))
        os << " a" << arg.getArgNumber();
      else
        os << " o" << index.lookup(v.getDefiningOp()) << "."
           << cast<OpResult>(v).getResultNumber();
    }
    os << ";";
  }
  return key;
}

bool Generator::isComplete() const {
  return llvm::all_of(llvm::enumerate(outputShapes), [&](auto output) {
    return llvm::any_of(nodes, [&](const Node &n) {
      return n.depth > 0 && shapeOf(n.value) == output.value() &&
             ArrayRef<ModQ>(n.samples) ==
                 ArrayRef<ModQ>(outputSamples[output.index()]);
    });
  });
}

void Generator::checkCandidate() {
  unsigned needed = static_cast<unsigned>(
      std::ceil(options.minEquivalentFraction * kSamples - 1e-9));
  SmallVector<Value> chosen;
  bool usesLatest = false;
  for (auto [i, shape] : llvm::enumerate(outputShapes)) {
    int best = -1;
    unsigned bestMatch = 0;
    for (auto [n, node] : llvm::enumerate(nodes)) {
      if (node.depth == 0 || shapeOf(node.value) != shape)
        continue;
      unsigned match = 0;
      for (auto [x, y] : llvm::zip(node.samples, outputSamples[i]))
        match += x == y;
      unsigned required = std::min<unsigned>(
          needed, static_cast<unsigned>(node.samples.size()));
      if (match >= required && (best < 0 || match >= bestMatch)) {
        best = n;
        bestMatch = match;
      }
    }
    if (best < 0)
      return;
    usesLatest |= static_cast<size_t>(best) >= latestMove;
    chosen.push_back(nodes[best].value);
  }
  if (!usesLatest)
    return;

  // The operators the chosen tensors need, cloned into a function.
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> worklist(chosen);
  while (!worklist.empty()) {
    Operation *def = worklist.pop_back_val().getDefiningOp();
    if (!def || !slice.insert(def))
      continue;
    worklist.append(def->operand_begin(), def->operand_end());
  }
  SmallVector<Operation *> ops = slice.takeVector();
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  OpBuilder b(scratch.getContext());
  b.setInsertionPointToEnd(scratch.getBody());
  auto func = func::FuncOp::create(
      b, loc, ("mutant_" + Twine(stats.candidatesVerified)).str(),
      original.getFunctionType());
  if (ArrayAttr argAttrs = original.getAllArgAttrs())
    func.setAllArgAttrs(argAttrs);
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping mapping;
  mapping.map(block->getArguments(), body->getArguments());
  for (Operation *op : ops)
    b.clone(*op, mapping);
  SmallVector<Value> results = llvm::map_to_vector(
      chosen, [&](Value v) { return mapping.lookupOrDefault(v); });
  func::ReturnOp::create(b, loc, results);

  uint64_t key =
      static_cast<uint64_t>(llvm::hash_value(getStructuralKey(func)));
  if (getStructuralKey(func) == originalText ||
      !mutantKeys.insert(key).second) {
    func.erase();
    return;
  }
  ++stats.candidatesVerified;
  FailureOr<VerificationResult> verdict =
      verifyEquivalence(original, func, options.verifier);
  if (failed(verdict)) {
    func.erase();
    return;
  }
  int64_t total = 0, equivalent = 0;
  for (const auto &verdicts : verdict->results)
    for (const BoxVerdict &v : verdicts) {
      total += v.box.getVolume();
      equivalent += v.equivalent ? v.box.getVolume() : 0;
    }
  double fraction = total ? static_cast<double>(equivalent) / total : 0;
  if (fraction < options.minEquivalentFraction) {
    func.erase();
    return;
  }
  mutants.push_back({func, std::move(*verdict), fraction});
}

SmallVector<Mutant> Generator::run() {
  for (Type type : original.getResultTypes())
    outputShapes.push_back(Shape(cast<RankedTensorType>(type).getShape()));
  original.walk([&](Operation *op) {
    for (Value v : op->getResults())
      if (auto t = dyn_cast<RankedTensorType>(v.getType()))
        maxElements = std::max(maxElements, t.getNumElements());
  });
  for (BlockArgument arg : original.getArguments())
    maxElements = std::max(maxElements, numElements(shapeOf(arg)));
  collectTemplates();
  originalText = getStructuralKey(original);
  for (unsigned d : getResultDegrees(original))
    maxDegree = std::max(maxDegree, d);
  original.walk(
      [&](Operation *op) { maxFlops += CostModel::getWork(op).flops; });
  stateBudget = getStateBudget(original, options).first;

  auto inputs = [seed = options.seed](unsigned a, int64_t k) {
    return randomModQ(seed, a, k);
  };
  PointEvaluator<ModQ> originalEval(original, inputs);
  for (auto [i, shape] : llvm::enumerate(outputShapes)) {
    SmallVector<ModQ, 8> values;
    for (const auto &p : samplePositions(shape))
      values.push_back(originalEval.evaluateResult(i, p));
    outputSamples.push_back(std::move(values));
  }

  builder.setInsertionPointToEnd(scratch.getBody());
  searchFunc = func::FuncOp::create(
      builder, loc, "__pet_mutation_search",
      builder.getFunctionType(original.getArgumentTypes(), {}));
  block = searchFunc.addEntryBlock();
  eval = std::make_unique<PointEvaluator<ModQ>>(searchFunc, inputs);
  // The search reads its inputs very often: drawn once, kept in arrays,
  // unless they are so large that drawing them costs more than the reads
  // (a batch of 16 CSRNet images is 453M elements: 3.6 GB drawn for each
  // search, 8.5 s of a 3,000-state one, for a few million reads); then each
  // read draws its element.
  int64_t inputElements = 0;
  for (BlockArgument arg : block->getArguments())
    inputElements += numElements(shapeOf(arg));
  std::vector<std::vector<ModQ>> inputData;
  for (BlockArgument arg : block->getArguments()) {
    if (inputElements > options.maxInputArrayElements)
      break;
    std::vector<ModQ> &data = inputData.emplace_back();
    data.reserve(numElements(shapeOf(arg)));
    uint64_t argumentSeed =
        randomArgumentSeed(options.seed, arg.getArgNumber());
    for (int64_t k = 0, e = numElements(shapeOf(arg)); k < e; ++k)
      data.push_back(randomModQAt(argumentSeed, k));
  }
  if (!inputData.empty())
    eval->setInputData(llvm::map_to_vector(
        inputData, [](const auto &d) { return ArrayRef<ModQ>(d); }));
  for (BlockArgument arg : block->getArguments()) {
    SmallVector<ModQ, 8> samples = sample(*eval, arg);
    uint64_t fp = fingerprintOf(shapeOf(arg), samples);
    nodes.push_back({arg, std::move(samples), fp, 0, 1});
  }
  search(0);
  eval.reset();
  searchFunc.erase();

  llvm::stable_sort(mutants, [](const Mutant &a, const Mutant &b) {
    if (a.equivalentFraction != b.equivalentFraction)
      return a.equivalentFraction > b.equivalentFraction;
    auto size = [](func::FuncOp f) { // FuncOp is a handle: copy it
      return f.getBody().front().getOperations().size();
    };
    return size(a.func) < size(b.func);
  });
  while (mutants.size() > options.maxMutants) {
    mutants.back().func.erase();
    mutants.pop_back();
  }
  return std::move(mutants);
}

SmallVector<Mutant> mlir::pet::generateMutants(func::FuncOp original,
                                               ModuleOp scratch,
                                               const MutationOptions &options,
                                               MutationStats *stats) {
  MutationStats local;
  Generator generator(original, scratch, options, stats ? *stats : local);
  return generator.run();
}
