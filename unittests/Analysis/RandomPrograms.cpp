//===- RandomPrograms.cpp - Random multi-linear program pairs -------------===//

#include "RandomPrograms.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"

#include <random>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

using Shape = SmallVector<int64_t, 4>;

enum class Kind {
  Conv,       // conv2d with a filter argument
  ZeroBorder, // identity in P
  AddInput,   // + an argument of the same shape
  AddBias,    // + a 1xCx1x1 argument
  MulScale,   // * a 1xCx1x1 argument
  SwapHW,     // transpose of H and W
  AvgPool,
  Slice,
  Scale,
  ConcatSplit, // identity in P
  Matmul,      // over the last dimension, through 2-D reshapes
  MergeBatch,  // reshape N x C x H x W -> NC x 1 x H x W
  Reinterpret, // reshape N x C x H x W -> N x C x H' x W', H'W' = HW
};

/// One step of a program, with everything random already drawn so that P
/// and P' are emitted from the same plan.
struct Step {
  Kind kind;
  int variant = 0; // 0: as in P
  unsigned arg = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, plh = 0, plw = 0, phh = 0, phw = 0,
          dh = 1, dw = 1;
  int64_t dim = 2, width = 1, groups = 1;
  bool low = true, exclude = false;
  double factor = 1.0;
  Shape offsets, sizes, strides;
};

class Emitter {
public:
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  DenseI64ArrayAttr array(ArrayRef<int64_t> values) {
    return b.getDenseI64ArrayAttr(values);
  }
  NamedAttribute attr(StringRef name, Attribute value) {
    return b.getNamedAttr(name, value);
  }
  Value conv(Value x, Value w, const Step &s, int64_t plh, int64_t phh,
             int64_t plw, int64_t phw) {
    return Conv2DOp::create(b, loc, ValueRange{x, w},
                            ArrayRef<NamedAttribute>{
                                attr("strides", array({s.sh, s.sw})),
                                attr("pad_low", array({plh, plw})),
                                attr("pad_high", array({phh, phw})),
                                attr("dilations", array({s.dh, s.dw})),
                                attr("groups", b.getI64IntegerAttr(s.groups))})
        .getResult();
  }
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
    return PadOp::create(b, loc, ValueRange{x},
                         ArrayRef<NamedAttribute>{attr("low", array(low)),
                                                  attr("high", array(high))})
        .getResult();
  }
  Value slice(Value x, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> strides) {
    return SliceOp::create(
               b, loc, ValueRange{x},
               ArrayRef<NamedAttribute>{attr("offsets", array(offsets)),
                                        attr("sizes", array(sizes)),
                                        attr("strides", array(strides))})
        .getResult();
  }
  Value concat(ValueRange inputs, int64_t axis) {
    return ConcatOp::create(b, loc, inputs,
                            ArrayRef<NamedAttribute>{
                                attr("axis", b.getI64IntegerAttr(axis))})
        .getResult();
  }
  SmallVector<Value> split(Value x, int64_t axis, ArrayRef<int64_t> sizes) {
    auto op = SplitOp::create(
        b, loc, ValueRange{x},
        ArrayRef<NamedAttribute>{attr("axis", b.getI64IntegerAttr(axis)),
                                 attr("sizes", array(sizes))});
    return SmallVector<Value>(op.getResults());
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return TransposeOp::create(
               b, loc, ValueRange{x},
               ArrayRef<NamedAttribute>{attr("permutation", array(perm))})
        .getResult();
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(shape, b.getF32Type());
    return ReshapeOp::create(b, loc, type, x).getResult();
  }
  template <typename OpTy> Value binary(Value x, Value y) {
    return OpTy::create(b, loc, ValueRange{x, y}, ArrayRef<NamedAttribute>{})
        .getResult();
  }
  Value scale(Value x, double factor) {
    return ScaleOp::create(b, loc, x, b.getF64FloatAttr(factor)).getResult();
  }
  Value avgPool(Value x, const Step &s, bool exclude) {
    SmallVector<NamedAttribute> attrs = {
        attr("kernel", array({s.kh, s.kw})),
        attr("strides", array({s.sh, s.sw})),
        attr("pad_low", array({s.plh, s.plw})),
        attr("pad_high", array({s.phh, s.phw}))};
    if (exclude)
      attrs.push_back(attr("exclude_pad", b.getUnitAttr()));
    return AvgPool2DOp::create(b, loc, ValueRange{x}, attrs).getResult();
  }
  Value matmul(Value x, Value y, bool transposeLhs = false,
               bool transposeRhs = false) {
    SmallVector<NamedAttribute> attrs;
    if (transposeLhs)
      attrs.push_back(attr("transpose_lhs", b.getUnitAttr()));
    if (transposeRhs)
      attrs.push_back(attr("transpose_rhs", b.getUnitAttr()));
    return MatmulOp::create(b, loc, ValueRange{x, y}, attrs).getResult();
  }

private:
  OpBuilder &b;
  Location loc;
};

/// Emits `step` on `v`, as in P (variant 0) or as P' rewrites it.
Value emit(Emitter &e, const Step &s, Value v, ArrayRef<Value> args,
           bool candidate) {
  int variant = candidate ? s.variant : 0;
  Shape shape(shapeOf(v));
  int64_t n = shape[0], h = shape[2];
  switch (s.kind) {
  case Kind::Conv: {
    Value w = args[s.arg];
    if (variant == 1) {
      // Zero-extend the filter by one tap on each side of H (or W) and pad
      // one more: fully equivalent (dilation 1 in that dimension).
      bool alongH = s.dh == 1;
      Value wide = alongH ? e.pad(w, {0, 0, 1, 0}, {0, 0, 1, 0})
                          : e.pad(w, {0, 0, 0, 1}, {0, 0, 0, 1});
      return alongH ? e.conv(v, wide, s, s.plh + 1, s.phh + 1, s.plw, s.phw)
                    : e.conv(v, wide, s, s.plh, s.phh, s.plw + 1, s.phw + 1);
    }
    if (variant == 2) {
      // H split in halves moved into the batch: wrong at the seam.
      SmallVector<Value> halves = e.split(v, 2, {h / 2, h / 2});
      Value batched = e.concat(halves, 0);
      Value y = e.conv(batched, w, s, s.plh, s.phh, s.plw, s.phw);
      SmallVector<Value> parts = e.split(y, 0, {n, n});
      return e.concat(parts, 2);
    }
    if (variant == 3) // padding moved by one row: shifted output
      return e.conv(v, w, s, s.plh + 1, s.phh - 1, s.plw, s.phw);
    return e.conv(v, w, s, s.plh, s.phh, s.plw, s.phw);
  }
  case Kind::ZeroBorder: {
    if (variant == 0)
      return v;
    Shape offsets(4, 0), sizes = shape, low(4, 0), high(4, 0);
    sizes[s.dim] -= s.width;
    if (s.low) {
      offsets[s.dim] = s.width;
      low[s.dim] = s.width;
    } else {
      high[s.dim] = s.width;
    }
    return e.pad(e.slice(v, offsets, sizes, {1, 1, 1, 1}), low, high);
  }
  case Kind::AddInput:
    if (variant == 1)
      return e.binary<AddOp>(args[s.arg], v);
    if (variant == 2)
      return e.binary<SubOp>(v, args[s.arg]);
    return e.binary<AddOp>(v, args[s.arg]);
  case Kind::AddBias:
    if (variant == 1)
      return e.binary<AddOp>(args[s.arg], v);
    return e.binary<AddOp>(v, args[s.arg]);
  case Kind::MulScale:
    if (variant == 1)
      return e.scale(e.scale(e.binary<MulOp>(v, args[s.arg]), 2.0), 0.5);
    if (variant == 2)
      return e.binary<MulOp>(args[s.arg], v);
    return e.binary<MulOp>(v, args[s.arg]);
  case Kind::SwapHW:
    if (variant == 1)
      return e.transpose(e.transpose(v, {0, 2, 3, 1}), {0, 3, 2, 1});
    return e.transpose(v, {0, 1, 3, 2});
  case Kind::AvgPool:
    return e.avgPool(v, s, variant == 1 ? !s.exclude : s.exclude);
  case Kind::Slice: {
    Shape offsets = s.offsets;
    if (variant == 1)
      ++offsets[2];
    return e.slice(v, offsets, s.sizes, s.strides);
  }
  case Kind::Scale:
    if (variant == 1)
      return e.scale(e.scale(v, s.factor * 2.0), 0.5);
    if (variant == 2)
      return e.scale(v, s.factor + 1.0);
    return e.scale(v, s.factor);
  case Kind::ConcatSplit:
    if (variant == 0)
      return v;
    return e.split(e.concat({v, v}, 1), 1, {shape[1], shape[1]})[1];
  case Kind::Matmul: {
    int64_t rows = shape[0] * shape[1] * shape[2];
    Value flat = e.reshape(v, {rows, shape[3]});
    Value w = args[s.arg];
    Value product;
    if (variant == 1) // (x w) = ((w^T x^T))^T
      product = e.transpose(
          e.matmul(e.transpose(w, {1, 0}), e.transpose(flat, {1, 0})), {1, 0});
    else if (variant == 2)
      product = e.matmul(e.transpose(flat, {1, 0}), w, /*transposeLhs=*/true);
    else
      product = e.matmul(flat, w);
    Shape out = shape;
    out[3] = shapeOf(w)[1];
    return e.reshape(product, out);
  }
  case Kind::Reinterpret: {
    Shape out = {shape[0], shape[1], s.sizes[0], s.sizes[1]};
    if (variant == 1)
      return e.reshape(e.reshape(v, {shape[0], shape[1], shape[2] * shape[3]}),
                       out);
    return e.reshape(v, out);
  }
  case Kind::MergeBatch: {
    Shape out = {shape[0] * shape[1], 1, shape[2], shape[3]};
    if (variant == 1)
      return e.reshape(
          e.reshape(v, {shape[0] * shape[1] * shape[2] * shape[3]}), out);
    return e.reshape(v, out);
  }
  }
  llvm_unreachable("unknown step");
}

/// Draws a step valid for a value of `shape`, appending the argument types
/// it needs to `argTypes` and returning the shape it produces.
Step drawStep(std::mt19937_64 &rng, const Shape &shape, double rewriteChance,
              SmallVectorImpl<Shape> &argShapes, Shape &next) {
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto chance = [&](double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
  };
  int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
  next = shape;
  Step s;
  SmallVector<int> variants; // the rewrites valid for this step
  while (true) {
    s = Step();
    s.kind = static_cast<Kind>(uniform(0, 12));
    variants.clear();
    switch (s.kind) {
    case Kind::Conv: {
      if (c > 3)
        continue;
      s.groups = uniform(1, c);
      if (c % s.groups != 0)
        s.groups = 1;
      int64_t f = s.groups * uniform(1, s.groups > 1 ? 2 : 3);
      s.kh = uniform(1, std::min<int64_t>(3, h + 2));
      s.kw = uniform(1, std::min<int64_t>(3, w + 2));
      s.dh = s.kh > 1 && chance(0.2) ? 2 : 1;
      s.dw = s.kw > 1 && chance(0.2) ? 2 : 1;
      s.sh = chance(0.25) ? 2 : 1;
      s.sw = chance(0.25) ? 2 : 1;
      int64_t spanH = s.dh * (s.kh - 1) + 1, spanW = s.dw * (s.kw - 1) + 1;
      s.plh = uniform(0, spanH - 1);
      s.phh = uniform(0, spanH - 1);
      s.plw = uniform(0, spanW - 1);
      s.phw = uniform(0, spanW - 1);
      if (h + s.plh + s.phh < spanH || w + s.plw + s.phw < spanW)
        continue;
      int64_t oh = (h + s.plh + s.phh - spanH) / s.sh + 1;
      int64_t ow = (w + s.plw + s.phw - spanW) / s.sw + 1;
      if (oh > 10 || ow > 10)
        continue;
      s.arg = argShapes.size();
      argShapes.push_back({f, c / s.groups, s.kh, s.kw});
      next = {n, f, oh, ow};
      if (s.dh == 1 || s.dw == 1)
        variants.push_back(1);
      if (s.sh == 1 && s.plh + s.phh == spanH - 1 && h % 2 == 0 &&
          spanH <= h / 2 + s.plh + s.phh)
        variants.push_back(2);
      if (s.phh >= 1)
        variants.push_back(3);
      break;
    }
    case Kind::ZeroBorder:
      s.dim = chance(0.5) ? 2 : 3;
      if (shape[s.dim] < 2)
        continue;
      s.width = uniform(1, shape[s.dim] - 1);
      s.low = chance(0.5);
      variants.push_back(1);
      break;
    case Kind::AddInput:
      s.arg = argShapes.size();
      argShapes.push_back(shape);
      variants.append({1, 2});
      break;
    case Kind::AddBias:
    case Kind::MulScale:
      s.arg = argShapes.size();
      argShapes.push_back({1, c, 1, 1});
      variants.append({1, 2});
      if (s.kind == Kind::AddBias)
        variants.pop_back();
      break;
    case Kind::SwapHW:
      next = {n, c, w, h};
      variants.push_back(1);
      break;
    case Kind::AvgPool: {
      s.kh = uniform(1, std::min<int64_t>(3, h));
      s.kw = uniform(1, std::min<int64_t>(3, w));
      s.sh = uniform(1, 2);
      s.sw = uniform(1, 2);
      s.plh = uniform(0, s.kh / 2);
      s.phh = uniform(0, s.kh / 2);
      s.plw = uniform(0, s.kw / 2);
      s.phw = uniform(0, s.kw / 2);
      s.exclude = chance(0.5);
      next = {n, c, (h + s.plh + s.phh - s.kh) / s.sh + 1,
              (w + s.plw + s.phw - s.kw) / s.sw + 1};
      variants.push_back(1);
      break;
    }
    case Kind::Slice: {
      s.offsets = {0, 0, 0, 0};
      s.sizes = shape;
      s.strides = {1, 1, 1, 1};
      for (int d = 2; d < 4; ++d) {
        s.strides[d] = uniform(1, 2);
        s.offsets[d] = uniform(0, shape[d] - 1);
        int64_t room = (shape[d] - 1 - s.offsets[d]) / s.strides[d] + 1;
        s.sizes[d] = uniform(1, room);
      }
      next = s.sizes;
      if (s.offsets[2] + 1 + (s.sizes[2] - 1) * s.strides[2] < h)
        variants.push_back(1);
      break;
    }
    case Kind::Scale: {
      const double factors[] = {0.5, 2.0, -1.0, 3.0, 0.25, -0.75};
      s.factor = factors[uniform(0, 5)];
      variants.append({1, 2});
      break;
    }
    case Kind::ConcatSplit:
      variants.push_back(1);
      break;
    case Kind::Matmul: {
      int64_t cols = uniform(1, 5);
      s.arg = argShapes.size();
      argShapes.push_back({w, cols});
      next = {n, c, h, cols};
      variants.append({1, 2});
      break;
    }
    case Kind::MergeBatch:
      if (n * c > 6)
        continue;
      next = {n * c, 1, h, w};
      variants.push_back(1);
      break;
    case Kind::Reinterpret: {
      SmallVector<int64_t> heights;
      for (int64_t d = 1; d <= std::min<int64_t>(h * w, 10); ++d)
        if ((h * w) % d == 0 && (h * w) / d <= 10 && d != h)
          heights.push_back(d);
      if (heights.empty())
        continue;
      int64_t newH = heights[uniform(0, heights.size() - 1)];
      s.sizes = {newH, h * w / newH};
      next = {n, c, newH, h * w / newH};
      variants.push_back(1);
      break;
    }
    }
    break;
  }
  if (!variants.empty() && chance(rewriteChance))
    s.variant = variants[uniform(0, variants.size() - 1)];
  return s;
}

func::FuncOp buildFunction(OpBuilder &b, ModuleOp module, StringRef name,
                           ArrayRef<Shape> argShapes, ArrayRef<Step> steps,
                           bool candidate) {
  Location loc = b.getUnknownLoc();
  SmallVector<Type> argTypes;
  for (const Shape &shape : argShapes)
    argTypes.push_back(RankedTensorType::get(shape, b.getF32Type()));
  b.setInsertionPointToEnd(module.getBody());
  auto func =
      func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
  Block *block = func.addEntryBlock();
  b.setInsertionPointToStart(block);
  Emitter e(b, loc);
  SmallVector<Value> args(block->getArguments());
  Value v = args[0];
  for (const Step &step : steps)
    v = emit(e, step, v, args, candidate);
  func::ReturnOp::create(b, loc, v);
  func.setFunctionType(b.getFunctionType(argTypes, {v.getType()}));
  return func;
}

} // namespace

ProgramPair pet_test::buildRandomProgramPair(ModuleOp module, uint64_t seed,
                                             unsigned id,
                                             double rewriteChance) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  Shape shape = {uniform(1, 2), uniform(1, 3), uniform(2, 8), uniform(2, 8)};
  SmallVector<Shape> argShapes = {shape};
  SmallVector<Step, 4> steps;
  int64_t numSteps = uniform(1, 4);
  for (int64_t i = 0; i < numSteps; ++i) {
    Shape next;
    steps.push_back(drawStep(rng, shape, rewriteChance, argShapes, next));
    shape = next;
  }
  OpBuilder b(module.getContext());
  std::string suffix = std::to_string(id);
  ProgramPair pair;
  pair.original = buildFunction(b, module, "original_" + suffix, argShapes,
                                steps, /*candidate=*/false);
  pair.candidate = buildFunction(b, module, "candidate_" + suffix, argShapes,
                                 steps, /*candidate=*/true);
  pair.candidate->setAttr(
      "pet.candidate_of",
      FlatSymbolRefAttr::get(module.getContext(), pair.original.getSymName()));
  return pair;
}

/// A random shape of `rank` dimensions with `elements` elements.
static Shape randomFactorization(std::mt19937_64 &rng, int64_t elements,
                                 unsigned rank) {
  Shape shape;
  int64_t rest = elements;
  for (unsigned d = 0; d + 1 < rank; ++d) {
    SmallVector<int64_t> divisors;
    for (int64_t k = 1; k <= rest; ++k)
      if (rest % k == 0)
        divisors.push_back(k);
    int64_t k = divisors[std::uniform_int_distribution<size_t>(
        0, divisors.size() - 1)(rng)];
    shape.push_back(k);
    rest /= k;
  }
  shape.push_back(rest);
  return shape;
}

ProgramPair pet_test::buildRandomLayoutPair(ModuleOp module, uint64_t seed,
                                            unsigned id) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const int64_t sizes[] = {6, 8, 12, 16, 18, 24};
  int64_t elements = sizes[uniform(0, 5)];
  Shape input = randomFactorization(rng, elements, uniform(1, 3));
  Shape output = randomFactorization(rng, elements, uniform(1, 3));

  OpBuilder b(module.getContext());
  Location loc = b.getUnknownLoc();
  auto build = [&](StringRef name) {
    Type in = RankedTensorType::get(input, b.getF32Type());
    Type out = RankedTensorType::get(output, b.getF32Type());
    b.setInsertionPointToEnd(module.getBody());
    auto func = func::FuncOp::create(b, loc, name, b.getFunctionType(in, out));
    b.setInsertionPointToStart(func.addEntryBlock());
    Emitter e(b, loc);
    Value v = func.getArgument(0);
    for (int64_t step = uniform(1, 3); step > 0; --step) {
      Shape shape(shapeOf(v));
      if (shape.size() > 1 && uniform(0, 1)) {
        SmallVector<int64_t> perm =
            llvm::to_vector(llvm::seq<int64_t>(0, shape.size()));
        std::shuffle(perm.begin(), perm.end(), rng);
        v = e.transpose(v, perm);
      } else {
        v = e.reshape(v, randomFactorization(rng, elements, uniform(1, 3)));
      }
    }
    if (shapeOf(v) != ArrayRef<int64_t>(output))
      v = e.reshape(v, output);
    func::ReturnOp::create(b, loc, v);
    return func;
  };
  std::string suffix = std::to_string(id);
  ProgramPair pair;
  pair.original = build("layout_original_" + suffix);
  pair.candidate = build("layout_candidate_" + suffix);
  return pair;
}

void pet_test::cutWithRelus(func::FuncOp func, unsigned id) {
  OpBuilder b(func.getContext());
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front().without_terminator())
    ops.push_back(&op);
  if (!ops.empty())
    ops.pop_back();
  for (Operation *op : ops) {
    if (op->getNumResults() != 1 || (id % 3 == 0 && !isa<Conv2DOp>(op)))
      continue;
    b.setInsertionPointAfter(op);
    Value v = op->getResult(0);
    auto relu = ReluOp::create(b, op->getLoc(), v);
    v.replaceAllUsesExcept(relu, relu);
  }
}
