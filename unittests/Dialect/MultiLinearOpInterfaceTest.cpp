//===- MultiLinearOpInterfaceTest.cpp - Descriptions of each operator -----===//
//
// For every multi-linear operator: the description is well-formed, has the
// expected structure, and computes -- interpreted by the reference evaluator
// -- exactly what a direct loop-nest implementation of the operator computes.
//
//===----------------------------------------------------------------------===//

#include "ReferenceEvaluator.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <functional>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

using NaiveFn = std::function<RefTensor(ArrayRef<RefTensor>)>;

std::string str(AffineMap map) {
  std::string text;
  llvm::raw_string_ostream(text) << map;
  return text;
}

std::string str(AffineExpr expr) {
  std::string text;
  llvm::raw_string_ostream(text) << expr;
  return text;
}

class MultiLinearOpInterfaceTest : public ::testing::Test {
protected:
  MultiLinearOpInterfaceTest() {
    context.loadDialect<PETDialect, func::FuncDialect>();
  }

  /// Parses `func.func @f(<args>) { <body> }` and returns its first op.
  Operation *parseOp(StringRef args, StringRef body, StringRef resultTypes) {
    std::string text = ("func.func @f(" + args + ") -> (" + resultTypes +
                        ") {\n" + body + "\n}")
                           .str();
    module = parseSourceString<ModuleOp>(text, &context);
    if (!module)
      return nullptr;
    func = cast<func::FuncOp>(module->getBody()->front());
    return &func.getBody().front().front();
  }

  /// Parses a function that reshapes its argument from shape `from` to
  /// `to` (e.g. "2x6", "3x4") and returns the reshape.
  Operation *parseReshape(StringRef from, StringRef to) {
    std::string in = ("tensor<" + from + "xf32>").str(),
                out = ("tensor<" + to + "xf32>").str();
    return parseOp("%a: " + in,
                   "%0 = pet.reshape %a : " + in + " -> " + out +
                       "\nreturn %0 : " + out,
                   out);
  }

  /// Random values for the arguments of the parsed function.
  SmallVector<RefTensor> randomArgs() {
    SmallVector<RefTensor> args;
    for (Type type : func.getArgumentTypes())
      args.push_back(
          randomTensor(cast<RankedTensorType>(type).getShape(), rng));
    return args;
  }

  /// Checks every result of `op` (whose operands are the function's
  /// arguments): well-formed description, same values as `naive[i]`.
  void expectMatchesNaive(Operation *op, ArrayRef<NaiveFn> naive) {
    ASSERT_TRUE(op);
    auto linear = dyn_cast<MultiLinearOpInterface>(op);
    ASSERT_TRUE(linear) << "not multi-linear";
    ASSERT_EQ(naive.size(), op->getNumResults());
    for (int trial = 0; trial < 3; ++trial) {
      SmallVector<RefTensor> args = randomArgs();
      SmallVector<RefTensor> operands;
      for (Value v : op->getOperands())
        operands.push_back(args[cast<BlockArgument>(v).getArgNumber()]);
      for (unsigned i = 0; i < op->getNumResults(); ++i) {
        MultiLinearDescription desc = linear.getMultiLinearDescription(i);
        ASSERT_TRUE(succeeded(verifyMultiLinearDescription(op, i, desc)));
        auto shape = cast<RankedTensorType>(op->getResult(i).getType());
        RefTensor got = evaluateDescription(desc, operands, shape.getShape());
        RefTensor want = naive[i](operands);
        ASSERT_EQ(got.shape, want.shape);
        EXPECT_LE(maxAbsDifference(got, want), 1e-9)
            << "result #" << i << " of " << op->getName().getStringRef().str();
      }
    }
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  std::mt19937 rng{42};
};

//===----------------------------------------------------------------------===//
// Direct loop-nest implementations of the operators.
//===----------------------------------------------------------------------===//

RefTensor naiveConv(const RefTensor &x, const RefTensor &w,
                    ArrayRef<int64_t> outShape, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> padLow, ArrayRef<int64_t> dilations,
                    int64_t groups) {
  RefTensor out(outShape);
  int64_t perGroup = w.shape[0] / groups, cg = w.shape[1];
  out.forEachIndex([&](ArrayRef<int64_t> o) {
    int64_t g = o[1] / perGroup;
    double sum = 0;
    for (int64_t c = 0; c < cg; ++c)
      for (int64_t kh = 0; kh < w.shape[2]; ++kh)
        for (int64_t kw = 0; kw < w.shape[3]; ++kw) {
          int64_t ih = o[2] * strides[0] + kh * dilations[0] - padLow[0];
          int64_t iw = o[3] * strides[1] + kw * dilations[1] - padLow[1];
          SmallVector<int64_t> xi = {o[0], g * cg + c, ih, iw};
          if (x.inBounds(xi))
            sum += x.at(xi) * w.at({o[1], c, kh, kw});
        }
    out.at(o) = sum;
  });
  return out;
}

RefTensor naiveMatmul(const RefTensor &a, const RefTensor &b, bool ta, bool tb,
                      ArrayRef<int64_t> outShape) {
  RefTensor out(outShape);
  unsigned r = outShape.size();
  int64_t k = ta ? a.shape[r - 2] : a.shape[r - 1];
  out.forEachIndex([&](ArrayRef<int64_t> o) {
    SmallVector<int64_t> ai(o.drop_back(2)), bi(o.drop_back(2));
    ai.append({0, 0});
    bi.append({0, 0});
    double sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      ai[r - 2] = ta ? j : o[r - 2];
      ai[r - 1] = ta ? o[r - 2] : j;
      bi[r - 2] = tb ? o[r - 1] : j;
      bi[r - 1] = tb ? j : o[r - 1];
      sum += a.at(ai) * b.at(bi);
    }
    out.at(o) = sum;
  });
  return out;
}

double broadcastRead(const RefTensor &t, ArrayRef<int64_t> outIndex) {
  SmallVector<int64_t> index;
  unsigned lead = outIndex.size() - t.shape.size();
  for (unsigned d = 0; d < t.shape.size(); ++d)
    index.push_back(t.shape[d] == 1 ? 0 : outIndex[lead + d]);
  return t.at(index);
}

RefTensor naiveBinary(const RefTensor &a, const RefTensor &b,
                      ArrayRef<int64_t> outShape,
                      std::function<double(double, double)> fn) {
  RefTensor out(outShape);
  out.forEachIndex([&](ArrayRef<int64_t> o) {
    out.at(o) = fn(broadcastRead(a, o), broadcastRead(b, o));
  });
  return out;
}

RefTensor naiveAvgPool(const RefTensor &x, ArrayRef<int64_t> outShape,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> padLow, bool excludePad) {
  RefTensor out(outShape);
  out.forEachIndex([&](ArrayRef<int64_t> o) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t kh = 0; kh < kernel[0]; ++kh)
      for (int64_t kw = 0; kw < kernel[1]; ++kw) {
        SmallVector<int64_t> xi = {o[0], o[1],
                                   o[2] * strides[0] + kh - padLow[0],
                                   o[3] * strides[1] + kw - padLow[1]};
        if (x.inBounds(xi)) {
          sum += x.at(xi);
          ++count;
        }
      }
    out.at(o) = sum / (excludePad ? count : kernel[0] * kernel[1]);
  });
  return out;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

TEST_F(MultiLinearOpInterfaceTest, Conv2DPadded) {
  Operation *op = parseOp(
      "%x: tensor<1x3x5x5xf32>, %w: tensor<4x3x3x3xf32>",
      "%0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : "
      "(tensor<1x3x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>\n"
      "return %0 : tensor<1x4x5x5xf32>",
      "tensor<1x4x5x5xf32>");
  ASSERT_TRUE(op);
  MultiLinearDescription desc =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0);
  ASSERT_EQ(desc.terms.size(), 1u);
  const MultiLinearTerm &term = desc.terms.front();
  EXPECT_EQ(term.loopBounds, SmallVector<int64_t>({1, 4, 5, 5, 3, 3, 3}));
  for (unsigned i = 0; i < 7; ++i)
    EXPECT_EQ(term.isReduction(i), i >= 4);
  EXPECT_EQ(str(term.resultMap),
            "(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)");
  ASSERT_EQ(term.factors.size(), 2u);
  EXPECT_EQ(
      str(term.factors[0].map),
      "(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5 - 1, d3 + d6 - 1)");
  EXPECT_EQ(str(term.factors[1].map),
            "(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)");
  using Pad = std::pair<int64_t, int64_t>;
  EXPECT_EQ(getZeroPadding(term, term.factors[0], {1, 3, 5, 5}),
            SmallVector<Pad>({{0, 0}, {0, 0}, {1, 1}, {1, 1}}));
  EXPECT_EQ(getZeroPadding(term, term.factors[1], {4, 3, 3, 3}),
            SmallVector<Pad>({{0, 0}, {0, 0}, {0, 0}, {0, 0}}));

  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveConv(in[0], in[1], {1, 4, 5, 5}, {1, 1}, {1, 1}, {1, 1}, 1);
      }});
}

TEST_F(MultiLinearOpInterfaceTest, Conv2DGroupedStridedDilated) {
  Operation *op = parseOp(
      "%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x2xf32>",
      "%0 = pet.conv2d %x, %w strides [2, 1] pad_low [1, 0] pad_high [2, 1] "
      "dilations [1, 2] groups 2 : "
      "(tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32>) -> tensor<2x6x4x5xf32>\n"
      "return %0 : tensor<2x6x4x5xf32>",
      "tensor<2x6x4x5xf32>");
  ASSERT_TRUE(op);
  const MultiLinearTerm term =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0).terms[0];
  // Reads reach one row above and below the input (the stride skips the
  // second padded row at the bottom) and one column to the right.
  using Pad = std::pair<int64_t, int64_t>;
  EXPECT_EQ(getZeroPadding(term, term.factors[0], {2, 4, 7, 6}),
            SmallVector<Pad>({{0, 0}, {0, 0}, {1, 1}, {0, 1}}));
  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveConv(in[0], in[1], {2, 6, 4, 5}, {2, 1}, {1, 0}, {1, 2}, 2);
      }});
}

TEST_F(MultiLinearOpInterfaceTest, Conv2DDepthwise) {
  Operation *op = parseOp(
      "%x: tensor<1x3x4x4xf32>, %w: tensor<3x1x3x3xf32>",
      "%0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] groups 3 : "
      "(tensor<1x3x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x4x4xf32>\n"
      "return %0 : tensor<1x3x4x4xf32>",
      "tensor<1x3x4x4xf32>");
  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveConv(in[0], in[1], {1, 3, 4, 4}, {1, 1}, {1, 1}, {1, 1}, 3);
      }});
}

TEST_F(MultiLinearOpInterfaceTest, MatmulAllTransposes) {
  struct Case {
    const char *lhs, *rhs, *flags;
    bool ta, tb;
  } cases[] = {{"3x4", "4x5", "", false, false},
               {"4x3", "4x5", "transpose_lhs", true, false},
               {"3x4", "5x4", "transpose_rhs", false, true},
               {"4x3", "5x4", "transpose_lhs transpose_rhs", true, true}};
  for (const Case &c : cases) {
    std::string args = std::string("%a: tensor<") + c.lhs +
                       "xf32>, %b: tensor<" + c.rhs + "xf32>";
    std::string body = std::string("%0 = pet.matmul %a, %b ") + c.flags +
                       " : (tensor<" + c.lhs + "xf32>, tensor<" + c.rhs +
                       "xf32>) -> tensor<3x5xf32>\nreturn %0 : tensor<3x5xf32>";
    Operation *op = parseOp(args, body, "tensor<3x5xf32>");
    ASSERT_TRUE(op) << c.flags;
    EXPECT_EQ(cast<MultiLinearOpInterface>(op)
                  .getMultiLinearDescription(0)
                  .terms[0]
                  .loopBounds,
              SmallVector<int64_t>({3, 5, 4}));
    bool ta = c.ta, tb = c.tb;
    expectMatchesNaive(op, {[=](ArrayRef<RefTensor> in) {
                         return naiveMatmul(in[0], in[1], ta, tb, {3, 5});
                       }});
  }
}

TEST_F(MultiLinearOpInterfaceTest, BatchMatmul) {
  Operation *op =
      parseOp("%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>",
              "%0 = pet.batch_matmul %a, %b transpose_rhs : "
              "(tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x3x5xf32>\n"
              "return %0 : tensor<2x3x5xf32>",
              "tensor<2x3x5xf32>");
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       return naiveMatmul(in[0], in[1], false, true, {2, 3, 5});
                     }});
}

//===----------------------------------------------------------------------===//
// Element-wise operators
//===----------------------------------------------------------------------===//

TEST_F(MultiLinearOpInterfaceTest, AddBroadcast) {
  Operation *op =
      parseOp("%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>",
              "%0 = pet.add %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> "
              "tensor<2x3x4xf32>\nreturn %0 : tensor<2x3x4xf32>",
              "tensor<2x3x4xf32>");
  ASSERT_TRUE(op);
  MultiLinearDescription desc =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0);
  ASSERT_EQ(desc.terms.size(), 2u);
  EXPECT_EQ(str(desc.terms[1].factors[0].map), "(d0, d1, d2) -> (d1, 0)");
  EXPECT_EQ(desc.terms[1].scale, 1.0);
  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveBinary(in[0], in[1], {2, 3, 4}, std::plus<double>());
      }});
}

TEST_F(MultiLinearOpInterfaceTest, SubBothStretched) {
  Operation *op =
      parseOp("%a: tensor<1x4xf32>, %b: tensor<3x1xf32>",
              "%0 = pet.sub %a, %b : (tensor<1x4xf32>, tensor<3x1xf32>) -> "
              "tensor<3x4xf32>\nreturn %0 : tensor<3x4xf32>",
              "tensor<3x4xf32>");
  ASSERT_TRUE(op);
  EXPECT_EQ(cast<MultiLinearOpInterface>(op)
                .getMultiLinearDescription(0)
                .terms[1]
                .scale,
            -1.0);
  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveBinary(in[0], in[1], {3, 4}, std::minus<double>());
      }});
}

TEST_F(MultiLinearOpInterfaceTest, MulIsOneBilinearTerm) {
  Operation *op =
      parseOp("%a: tensor<2x1x4xf32>, %b: tensor<5x1xf32>",
              "%0 = pet.mul %a, %b : (tensor<2x1x4xf32>, tensor<5x1xf32>) -> "
              "tensor<2x5x4xf32>\nreturn %0 : tensor<2x5x4xf32>",
              "tensor<2x5x4xf32>");
  ASSERT_TRUE(op);
  MultiLinearDescription desc =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0);
  ASSERT_EQ(desc.terms.size(), 1u);
  EXPECT_EQ(desc.terms[0].factors.size(), 2u);
  expectMatchesNaive(
      op, {[](ArrayRef<RefTensor> in) {
        return naiveBinary(in[0], in[1], {2, 5, 4}, std::multiplies<double>());
      }});
}

TEST_F(MultiLinearOpInterfaceTest, Scale) {
  Operation *op = parseOp("%a: tensor<2x3xf32>",
                          "%0 = pet.scale %a by 0.25 : tensor<2x3xf32>\n"
                          "return %0 : tensor<2x3xf32>",
                          "tensor<2x3xf32>");
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out = in[0];
                       for (double &v : out.data)
                         v *= 0.25;
                       return out;
                     }});
}

TEST_F(MultiLinearOpInterfaceTest, AvgPoolCountingAndExcludingPadding) {
  for (bool exclude : {false, true}) {
    std::string body =
        std::string("%0 = pet.avg_pool2d %x kernel [3, 3] strides [2, 2] "
                    "pad_low [1, 1] pad_high [1, 1] ") +
        (exclude ? "exclude_pad " : "") +
        ": tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>\n"
        "return %0 : tensor<1x2x3x3xf32>";
    Operation *op =
        parseOp("%x: tensor<1x2x5x5xf32>", body, "tensor<1x2x3x3xf32>");
    ASSERT_TRUE(op);
    const MultiLinearTerm term =
        cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0).terms[0];
    EXPECT_EQ(term.divisor, 9);
    EXPECT_EQ(term.divideByInBoundsCount, exclude);
    expectMatchesNaive(op, {[=](ArrayRef<RefTensor> in) {
                         return naiveAvgPool(in[0], {1, 2, 3, 3}, {3, 3},
                                             {2, 2}, {1, 1}, exclude);
                       }});
  }
}

//===----------------------------------------------------------------------===//
// Layout operators
//===----------------------------------------------------------------------===//

TEST_F(MultiLinearOpInterfaceTest, Transpose) {
  Operation *op =
      parseOp("%a: tensor<2x3x4xf32>",
              "%0 = pet.transpose %a perm [2, 0, 1] : tensor<2x3x4xf32> -> "
              "tensor<4x2x3xf32>\nreturn %0 : tensor<4x2x3xf32>",
              "tensor<4x2x3xf32>");
  ASSERT_TRUE(op);
  EXPECT_EQ(str(cast<MultiLinearOpInterface>(op)
                    .getMultiLinearDescription(0)
                    .terms[0]
                    .factors[0]
                    .map),
            "(d0, d1, d2) -> (d1, d2, d0)");
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out({4, 2, 3});
                       out.forEachIndex([&](ArrayRef<int64_t> o) {
                         out.at(o) = in[0].at({o[1], o[2], o[0]});
                       });
                       return out;
                     }});
}

TEST_F(MultiLinearOpInterfaceTest, Reshapes) {
  struct Case {
    const char *from, *to;
  } cases[] = {{"2x6", "3x4"},
               {"2x3x4", "4x6"},
               {"1x12", "2x2x3"},
               {"12", "2x3x2"},
               {"2x3x2", "12"}};
  for (const Case &c : cases) {
    Operation *op = parseReshape(c.from, c.to);
    ASSERT_TRUE(op) << c.from << " -> " << c.to;
    // Every read stays inside the input.
    const MultiLinearTerm term =
        cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0).terms[0];
    ArrayRef<int64_t> inShape =
        cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
    for (auto [lo, hi] : getZeroPadding(term, term.factors[0], inShape)) {
      EXPECT_EQ(lo, 0);
      EXPECT_EQ(hi, 0);
    }
    auto outShape = cast<RankedTensorType>(op->getResult(0).getType());
    SmallVector<int64_t> shape(outShape.getShape());
    expectMatchesNaive(op, {[=](ArrayRef<RefTensor> in) {
                         RefTensor out(shape);
                         out.data = in[0].data; // row-major order is kept
                         return out;
                       }});
  }
}

TEST_F(MultiLinearOpInterfaceTest, ConcatThreeInputs) {
  Operation *op = parseOp(
      "%a: tensor<2x1x3xf32>, %b: tensor<2x2x3xf32>, %c: tensor<2x3x3xf32>",
      "%0 = pet.concat %a, %b, %c axis 1 : (tensor<2x1x3xf32>, "
      "tensor<2x2x3xf32>, tensor<2x3x3xf32>) -> tensor<2x6x3xf32>\n"
      "return %0 : tensor<2x6x3xf32>",
      "tensor<2x6x3xf32>");
  ASSERT_TRUE(op);
  MultiLinearDescription desc =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0);
  ASSERT_EQ(desc.terms.size(), 3u);
  EXPECT_EQ(str(desc.terms[1].resultMap), "(d0, d1, d2) -> (d0, d1 + 1, d2)");
  EXPECT_EQ(str(desc.terms[2].resultMap), "(d0, d1, d2) -> (d0, d1 + 3, d2)");
  EXPECT_EQ(desc.terms[2].factors[0].operandIndex, 2u);
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out({2, 6, 3});
                       int64_t offset = 0;
                       for (const RefTensor &t : in) {
                         t.forEachIndex([&](ArrayRef<int64_t> i) {
                           out.at({i[0], i[1] + offset, i[2]}) = t.at(i);
                         });
                         offset += t.shape[1];
                       }
                       return out;
                     }});
}

TEST_F(MultiLinearOpInterfaceTest, SplitThreeWays) {
  Operation *op = parseOp(
      "%a: tensor<2x6x3xf32>",
      "%0:3 = pet.split %a axis 1 sizes [1, 2, 3] : (tensor<2x6x3xf32>) -> "
      "(tensor<2x1x3xf32>, tensor<2x2x3xf32>, tensor<2x3x3xf32>)\n"
      "return %0#0, %0#1, %0#2 : tensor<2x1x3xf32>, tensor<2x2x3xf32>, "
      "tensor<2x3x3xf32>",
      "tensor<2x1x3xf32>, tensor<2x2x3xf32>, tensor<2x3x3xf32>");
  auto piece = [](int64_t offset, int64_t size) -> NaiveFn {
    return [=](ArrayRef<RefTensor> in) {
      RefTensor out({2, size, 3});
      out.forEachIndex([&](ArrayRef<int64_t> o) {
        out.at(o) = in[0].at({o[0], o[1] + offset, o[2]});
      });
      return out;
    };
  };
  expectMatchesNaive(op, {piece(0, 1), piece(1, 2), piece(3, 3)});
}

TEST_F(MultiLinearOpInterfaceTest, StridedSlice) {
  Operation *op =
      parseOp("%a: tensor<5x7xf32>",
              "%0 = pet.slice %a offsets [1, 2] sizes [2, 3] strides [2, 2] : "
              "tensor<5x7xf32> -> tensor<2x3xf32>\nreturn %0 : tensor<2x3xf32>",
              "tensor<2x3xf32>");
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out({2, 3});
                       out.forEachIndex([&](ArrayRef<int64_t> o) {
                         out.at(o) = in[0].at({1 + 2 * o[0], 2 + 2 * o[1]});
                       });
                       return out;
                     }});
}

TEST_F(MultiLinearOpInterfaceTest, PadWritesOnlyTheInterior) {
  Operation *op =
      parseOp("%a: tensor<2x3xf32>",
              "%0 = pet.pad %a low [1, 0] high [0, 2] : tensor<2x3xf32> -> "
              "tensor<3x5xf32>\nreturn %0 : tensor<3x5xf32>",
              "tensor<3x5xf32>");
  ASSERT_TRUE(op);
  EXPECT_EQ(str(cast<MultiLinearOpInterface>(op)
                    .getMultiLinearDescription(0)
                    .terms[0]
                    .resultMap),
            "(d0, d1) -> (d0 + 1, d1)");
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out({3, 5});
                       in[0].forEachIndex([&](ArrayRef<int64_t> i) {
                         out.at({i[0] + 1, i[1]}) = in[0].at(i);
                       });
                       return out;
                     }});
}

TEST_F(MultiLinearOpInterfaceTest, InsertOverwritesABox) {
  Operation *op = parseOp(
      "%s: tensor<2x2xf32>, %d: tensor<4x5xf32>",
      "%0 = pet.insert %s into %d offsets [1, 2] : tensor<2x2xf32> into "
      "tensor<4x5xf32>\nreturn %0 : tensor<4x5xf32>",
      "tensor<4x5xf32>");
  ASSERT_TRUE(op);
  // The source, and the destination around it in 4 disjoint pieces.
  EXPECT_EQ(cast<MultiLinearOpInterface>(op)
                .getMultiLinearDescription(0)
                .terms.size(),
            5u);
  expectMatchesNaive(op, {[](ArrayRef<RefTensor> in) {
                       RefTensor out = in[1];
                       in[0].forEachIndex([&](ArrayRef<int64_t> i) {
                         out.at({i[0] + 1, i[1] + 2}) = in[0].at(i);
                       });
                       return out;
                     }});
}

//===----------------------------------------------------------------------===//
// Classification and the description checker
//===----------------------------------------------------------------------===//

TEST_F(MultiLinearOpInterfaceTest, EveryOpIsClassified) {
  // Every operator is multi-linear or non-linear, but for the structural
  // ones of corrections (a region and its terminator).
  unsigned linear = 0, nonLinear = 0;
  SmallVector<std::string> structural;
  for (RegisteredOperationName name : context.getRegisteredOperations()) {
    if (name.getDialectNamespace() != "pet")
      continue;
    bool isLinear = name.hasInterface<MultiLinearOpInterface>();
    bool isNon = name.hasTrait<mlir::pet::OpTrait::NonLinear>();
    EXPECT_FALSE(isLinear && isNon) << name.getStringRef().str();
    if (!isLinear && !isNon)
      structural.push_back(name.getStringRef().str());
    linear += isLinear;
    nonLinear += isNon;
  }
  EXPECT_EQ(linear, 15u);
  EXPECT_EQ(nonLinear, 8u);
  llvm::sort(structural);
  EXPECT_EQ(structural, SmallVector<std::string>({"pet.correct", "pet.yield"}));
}

TEST_F(MultiLinearOpInterfaceTest, NonLinearOpsAreNotMultiLinear) {
  Operation *op = parseOp("%a: tensor<2x3xf32>",
                          "%0 = pet.relu %a : tensor<2x3xf32>\n"
                          "return %0 : tensor<2x3xf32>",
                          "tensor<2x3xf32>");
  ASSERT_TRUE(op);
  EXPECT_FALSE(isMultiLinear(op));
  EXPECT_TRUE(isNonLinear(op));
}

TEST_F(MultiLinearOpInterfaceTest, CheckerRejectsMalformedDescriptions) {
  Operation *op =
      parseOp("%a: tensor<3x4xf32>, %b: tensor<4x5xf32>",
              "%0 = pet.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> "
              "tensor<3x5xf32>\nreturn %0 : tensor<3x5xf32>",
              "tensor<3x5xf32>");
  ASSERT_TRUE(op);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  MultiLinearDescription good =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0);
  ASSERT_TRUE(succeeded(verifyMultiLinearDescription(op, 0, good)));

  // The reduction loop k indexing the result.
  MultiLinearDescription bad = good;
  AffineExpr d0 = getAffineDimExpr(0, &context),
             d2 = getAffineDimExpr(2, &context);
  bad.terms[0].resultMap = AffineMap::get(3, 0, {d0, d2}, &context);
  EXPECT_TRUE(failed(verifyMultiLinearDescription(op, 0, bad)));
  EXPECT_NE(message.find("reduction"), std::string::npos) << message;

  // A write past the end of the result.
  bad = good;
  bad.terms[0].loopBounds[0] = 4;
  EXPECT_TRUE(failed(verifyMultiLinearDescription(op, 0, bad)));
  EXPECT_NE(message.find("writes indices [0, 3] of result dimension 0"),
            std::string::npos)
      << message;

  // A factor map of the wrong arity.
  bad = good;
  bad.terms[0].factors[1].map = AffineMap::get(3, 0, {d2}, &context);
  EXPECT_TRUE(failed(verifyMultiLinearDescription(op, 0, bad)));
  EXPECT_NE(message.find("map of operand #1"), std::string::npos) << message;

  // A parallel loop that does not index the result.
  bad = good;
  bad.terms[0].iteratorTypes[2] = utils::IteratorType::parallel;
  EXPECT_TRUE(failed(verifyMultiLinearDescription(op, 0, bad)));
  EXPECT_NE(message.find("parallel loop d2"), std::string::npos) << message;
}

TEST_F(MultiLinearOpInterfaceTest, AccessRangesOfDivisionAndModulo) {
  AffineExpr d0 = getAffineDimExpr(0, &context),
             d1 = getAffineDimExpr(1, &context);
  // (4 * d0 + d1) floordiv 3 and (4 * d0 + d1) mod 3 with d0 < 2, d1 < 4.
  AffineExpr linear = d0 * 4 + d1;
  AffineMap map = AffineMap::get(
      2, 0, {linear.floorDiv(3), linear % 3, d1 - 2, linear.ceilDiv(2)},
      &context);
  SmallVector<IndexRange> ranges = getAccessRanges(map, {2, 4});
  EXPECT_EQ(ranges[0], IndexRange(0, 2));
  EXPECT_EQ(ranges[1], IndexRange(0, 2));
  EXPECT_EQ(ranges[2], IndexRange(-2, 1));
  EXPECT_EQ(ranges[3], IndexRange(0, 4));
}

/// A reshape's access delinearizes the result's row-major index with the
/// input's shape; simplified with the loop bounds, every expression keeps
/// its value at every point and depends only on the loops it must (the
/// grouped reduction split's regrouped filter: box propagation and strided
/// evaluation then see affine maps, not every point).
TEST_F(MultiLinearOpInterfaceTest, ReshapeAccessesSimplifyWithLoopBounds) {
  struct Case {
    const char *from, *to;
  } cases[] = {{"8x8x3x3", "4x2x2x4x3x3"},
               {"4x2x2x4x3x3", "16x4x3x3"},
               {"1x16x2x2", "1x4x2x2x2x2"},
               {"2x6", "3x4"},
               {"6x5", "5x6"}};
  for (const Case &c : cases) {
    Operation *op = parseReshape(c.from, c.to);
    ASSERT_TRUE(op) << c.from << " -> " << c.to;
    const MultiLinearTerm term =
        cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0).terms[0];
    ArrayRef<int64_t> bounds = term.loopBounds;
    for (AffineExpr expr : term.factors[0].map.getResults()) {
      AffineExpr simple = simplifyWithLoopBounds(expr, bounds);
      SmallVector<int64_t> point(bounds.size(), 0);
      while (true) {
        SmallVector<AffineExpr> dims;
        for (int64_t v : point)
          dims.push_back(getAffineConstantExpr(v, &context));
        auto value = [&](AffineExpr e) {
          return cast<AffineConstantExpr>(
                     e.replaceDims(dims).replaceSymbols({}))
              .getValue();
        };
        ASSERT_EQ(value(simple), value(expr))
            << c.from << " -> " << c.to << ": " << str(expr) << " vs "
            << str(simple);
        int64_t d = bounds.size() - 1;
        while (d >= 0 && ++point[d] == bounds[d])
          point[d--] = 0;
        if (d < 0)
          break;
      }
    }
  }
  // A sum whose largest coefficient divides the divisor, the rest below it:
  // (144 d0 + 9 d1 + d2) floordiv / mod 9216 with d1 < 16, d2 < 9.
  {
    AffineExpr d0 = getAffineDimExpr(0, &context),
               d1 = getAffineDimExpr(1, &context),
               d2 = getAffineDimExpr(2, &context);
    AffineExpr sum = d0 * 144 + d1 * 9 + d2;
    SmallVector<int64_t> bounds = {100, 16, 9};
    AffineExpr quotient = simplifyWithLoopBounds(sum.floorDiv(9216), bounds);
    AffineExpr remainder = simplifyWithLoopBounds(sum % 9216, bounds);
    EXPECT_EQ(str(quotient), str(d0.floorDiv(64)));
    EXPECT_EQ(str(remainder), str((d0 % 64) * 144 + d1 * 9 + d2));
    for (int64_t a = 0; a < bounds[0]; ++a)
      for (int64_t b = 0; b < bounds[1]; ++b)
        for (int64_t c = 0; c < bounds[2]; ++c) {
          SmallVector<AffineExpr> dims = {getAffineConstantExpr(a, &context),
                                          getAffineConstantExpr(b, &context),
                                          getAffineConstantExpr(c, &context)};
          int64_t linear = 144 * a + 9 * b + c;
          EXPECT_EQ(
              cast<AffineConstantExpr>(quotient.replaceDims(dims)).getValue(),
              linear / 9216);
          EXPECT_EQ(
              cast<AffineConstantExpr>(remainder.replaceDims(dims)).getValue(),
              linear % 9216);
        }
    // Not when the rest can reach the coefficient: unchanged.
    AffineExpr wide = d0 * 144 + d1 * 9 + d2 * 20;
    EXPECT_EQ(str(simplifyWithLoopBounds(wide.floorDiv(9216), bounds)),
              str(wide.floorDiv(9216)));
  }
  // [4, 2, 2, 4, 3, 3] -> [16, 4, 3, 3]: the input's first three indices
  // depend on the output channel alone.
  Operation *op = parseReshape("4x2x2x4x3x3", "16x4x3x3");
  ASSERT_TRUE(op);
  const MultiLinearTerm term =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(0).terms[0];
  for (unsigned i = 0; i < 3; ++i) {
    AffineExpr simple = simplifyWithLoopBounds(term.factors[0].map.getResult(i),
                                               term.loopBounds);
    for (unsigned loop = 1; loop < 4; ++loop)
      EXPECT_FALSE(simple.isFunctionOfDim(loop)) << str(simple);
  }
}

} // namespace
