//===- EvaluatorTest.cpp - Floating-point and exact evaluation ------------===//

#include "../Dialect/ReferenceEvaluator.h"
#include "ExactEvaluation.h"
#include "RandomPrograms.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    context.loadDialect<PETDialect, func::FuncDialect, arith::ArithDialect>();
  }

  func::FuncOp parse(StringRef text) {
    module = parseSourceString<ModuleOp>(text, &context);
    return module ? cast<func::FuncOp>(module->getBody()->front())
                  : func::FuncOp();
  }

  /// Runs `func` in double on one tensor given by its values.
  Tensor<double> run1(func::FuncOp func, ArrayRef<int64_t> shape,
                      ArrayRef<double> values) {
    Tensor<double> input(shape);
    input.getData().assign(values.begin(), values.end());
    auto out = evaluateFunction<double>(func, {input});
    EXPECT_TRUE(succeeded(out));
    return succeeded(out) ? (*out)[0] : Tensor<double>();
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

/// The production evaluator against the naive test oracle, in double, on
/// random multi-linear programs.
TEST_F(EvaluatorTest, MatchesReferenceOnRandomPrograms) {
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    OwningOpRef<ModuleOp> m = ModuleOp::create(UnknownLoc::get(&context));
    ProgramPair pair = buildRandomProgramPair(*m, 300 + i, i, 0.5);
    for (func::FuncOp func : {pair.original, pair.candidate}) {
      SmallVector<RefTensor> refArgs;
      SmallVector<Tensor<double>> args;
      for (Type type : func.getArgumentTypes()) {
        RefTensor t =
            randomTensor(cast<RankedTensorType>(type).getShape(), rng);
        Tensor<double> copy(t.shape);
        copy.getData() = t.data;
        refArgs.push_back(std::move(t));
        args.push_back(std::move(copy));
      }
      auto expected = evaluateFunction(func, refArgs);
      auto actual = evaluateFunction<double>(func, args);
      ASSERT_TRUE(expected && succeeded(actual));
      const std::vector<double> &want = (*expected)[0].data;
      const std::vector<double> &got = (*actual)[0].getData();
      ASSERT_EQ(want.size(), got.size());
      for (size_t k = 0; k < want.size(); ++k)
        ASSERT_NEAR(got[k], want[k], 1e-9 * (1 + std::fabs(want[k])))
            << "case " << i << " element " << k;
    }
  }
}

/// Reductions that run across the operands of a concatenation, through
/// padding, transposes, splits and reshapes (the views exact evaluation
/// reads inputs through).
TEST_F(EvaluatorTest, ExactReductionsThroughLayoutViews) {
  const char *programs[] = {
      // Matmul over K made of three pieces, one padded.
      R"(func.func @f(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>,
                     %c: tensor<4x2xf32>, %w: tensor<12x6xf32>)
             -> tensor<4x6xf32> {
    %p = pet.pad %b low [0, 1] high [0, 1] : tensor<4x5xf32> -> tensor<4x7xf32>
    %k = pet.concat %a, %p, %c axis 1
        : (tensor<4x3xf32>, tensor<4x7xf32>, tensor<4x2xf32>) -> tensor<4x12xf32>
    %0 = pet.matmul %k, %w : (tensor<4x12xf32>, tensor<12x6xf32>) -> tensor<4x6xf32>
    return %0 : tensor<4x6xf32>
  })",
      // Convolution over channels concatenated from split halves in the
      // other order, the filter transposed and padded.
      R"(func.func @f(%x: tensor<1x6x5x5xf32>, %w: tensor<3x4x3x3xf32>)
             -> tensor<1x4x5x5xf32> {
    %h:2 = pet.split %x axis 1 sizes [2, 4]
        : (tensor<1x6x5x5xf32>) -> (tensor<1x2x5x5xf32>, tensor<1x4x5x5xf32>)
    %c = pet.concat %h#1, %h#0 axis 1
        : (tensor<1x4x5x5xf32>, tensor<1x2x5x5xf32>) -> tensor<1x6x5x5xf32>
    %t = pet.transpose %w perm [1, 0, 2, 3]
        : tensor<3x4x3x3xf32> -> tensor<4x3x3x3xf32>
    %f = pet.pad %t low [0, 1, 0, 0] high [0, 2, 0, 0]
        : tensor<4x3x3x3xf32> -> tensor<4x6x3x3xf32>
    %0 = pet.conv2d %c, %f pad_low [1, 1] pad_high [1, 1]
        : (tensor<1x6x5x5xf32>, tensor<4x6x3x3xf32>) -> tensor<1x4x5x5xf32>
    return %0 : tensor<1x4x5x5xf32>
  })",
      // Average pooling (in-bounds counts) across a concatenation along H,
      // the kernel taller than wide; a reshaped matmul operand.
      R"(func.func @f(%x: tensor<1x2x3x4xf32>, %y: tensor<1x2x4x4xf32>)
             -> tensor<1x2x7x4xf32> {
    %c = pet.concat %x, %y axis 2
        : (tensor<1x2x3x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x7x4xf32>
    %0 = pet.avg_pool2d %c kernel [5, 2] strides [1, 1] pad_low [2, 1]
        pad_high [2, 0] exclude_pad : tensor<1x2x7x4xf32> -> tensor<1x2x7x4xf32>
    return %0 : tensor<1x2x7x4xf32>
  })",
      R"(func.func @f(%x: tensor<2x3x4xf32>, %w: tensor<12x5xf32>)
             -> tensor<2x5xf32> {
    %r = pet.reshape %x : tensor<2x3x4xf32> -> tensor<2x12xf32>
    %0 = pet.matmul %r, %w : (tensor<2x12xf32>, tensor<12x5xf32>) -> tensor<2x5xf32>
    return %0 : tensor<2x5xf32>
  })",
      // A grouped convolution's filter regrouped as the generator's grouped
      // reduction split builds it: a reshape of a transpose of a reshape
      // (strided in the transposed operand as far as the step does not
      // carry), and its partial sums reshaped and split.
      R"(func.func @f(%x: tensor<1x8x3x3xf32>, %w: tensor<6x4x3x3xf32>)
             -> tensor<1x2x1x3x3x3xf32> {
    %a = pet.reshape %w : tensor<6x4x3x3xf32> -> tensor<2x3x2x2x3x3xf32>
    %b = pet.transpose %a perm [0, 2, 1, 3, 4, 5]
        : tensor<2x3x2x2x3x3xf32> -> tensor<2x2x3x2x3x3xf32>
    %f = pet.reshape %b : tensor<2x2x3x2x3x3xf32> -> tensor<12x2x3x3xf32>
    %y = pet.conv2d %x, %f pad_low [1, 1] pad_high [1, 1] groups 4
        : (tensor<1x8x3x3xf32>, tensor<12x2x3x3xf32>) -> tensor<1x12x3x3xf32>
    %r = pet.reshape %y : tensor<1x12x3x3xf32> -> tensor<1x2x2x3x3x3xf32>
    %s:2 = pet.split %r axis 2 sizes [1, 1]
        : (tensor<1x2x2x3x3x3xf32>) -> (tensor<1x2x1x3x3x3xf32>, tensor<1x2x1x3x3x3xf32>)
    %0 = pet.add %s#0, %s#1
        : (tensor<1x2x1x3x3x3xf32>, tensor<1x2x1x3x3x3xf32>) -> tensor<1x2x1x3x3x3xf32>
    return %0 : tensor<1x2x1x3x3x3xf32>
  })",
      // A matmul operand reshaped from a transpose: the reduction's step
      // crosses rows of the transposed operand (no view; read point by
      // point) or stays within one.
      R"(func.func @f(%x: tensor<3x4xf32>, %w: tensor<6x5xf32>)
             -> tensor<2x5xf32> {
    %t = pet.transpose %x perm [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    %r = pet.reshape %t : tensor<4x3xf32> -> tensor<2x6xf32>
    %0 = pet.matmul %r, %w : (tensor<2x6xf32>, tensor<6x5xf32>) -> tensor<2x5xf32>
    return %0 : tensor<2x5xf32>
  })",
      R"(func.func @f(%x: tensor<3x4xf32>, %w: tensor<2x5xf32>)
             -> tensor<6x5xf32> {
    %t = pet.transpose %x perm [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
    %r = pet.reshape %t : tensor<4x3xf32> -> tensor<6x2xf32>
    %0 = pet.matmul %r, %w : (tensor<6x2xf32>, tensor<2x5xf32>) -> tensor<6x5xf32>
    return %0 : tensor<6x5xf32>
  })"};
  for (const char *program : programs) {
    func::FuncOp func = parse(program);
    ASSERT_TRUE(func) << program;
    EXPECT_TRUE(pointsMatchWhole(func, 5)) << program;
  }
}

TEST_F(EvaluatorTest, ElementwiseNonLinear) {
  const char *ir = R"(func.func @f(%x: tensor<5xf64>) -> tensor<5xf64> {
    %0 = pet.OP %x FLAGS : tensor<5xf64>
    return %0 : tensor<5xf64>
  })";
  std::vector<double> xs = {-2.0, -0.5, 0.0, 0.5, 2.0};
  struct Case {
    const char *op, *flags;
    std::function<double(double)> fn;
  } cases[] = {
      {"relu", "", [](double x) { return x > 0 ? x : 0; }},
      {"sigmoid", "", [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"tanh", "", [](double x) { return std::tanh(x); }},
      {"gelu", "",
       [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {"gelu", "approximate",
       [](double x) {
         return 0.5 * x *
                (1 +
                 std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
       }},
  };
  for (const Case &c : cases) {
    std::string text = ir;
    text.replace(text.find("OP"), 2, c.op);
    text.replace(text.find("FLAGS"), 5, c.flags);
    func::FuncOp func = parse(text);
    ASSERT_TRUE(func) << c.op;
    Tensor<double> out = run1(func, {5}, xs);
    for (size_t k = 0; k < xs.size(); ++k)
      EXPECT_NEAR(out[k], c.fn(xs[k]), 1e-12) << c.op << " at " << xs[k];
  }
  // Known values: GELU(1) = Phi(1) = 0.8413447..., tanh form 0.841192.
  func::FuncOp gelu =
      parse(R"(func.func @f(%x: tensor<1xf64>) -> tensor<1xf64> {
    %0 = pet.gelu %x : tensor<1xf64>
    return %0 : tensor<1xf64>
  })");
  EXPECT_NEAR(run1(gelu, {1}, {1.0})[0], 0.8413447460685429, 1e-12);
  // rsqrt where it is defined (batch normalization's variance + eps).
  func::FuncOp rsqrt =
      parse(R"(func.func @f(%x: tensor<3xf64>) -> tensor<3xf64> {
    %0 = pet.rsqrt %x : tensor<3xf64>
    return %0 : tensor<3xf64>
  })");
  Tensor<double> r = run1(rsqrt, {3}, {4.0, 0.25, 2.0});
  EXPECT_EQ(r[0], 0.5);
  EXPECT_EQ(r[1], 2.0);
  EXPECT_NEAR(r[2], 0.7071067811865476, 1e-15);
}

TEST_F(EvaluatorTest, SoftmaxAndLayerNorm) {
  func::FuncOp softmax =
      parse(R"(func.func @f(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
    %0 = pet.softmax %x axis 0 : tensor<2x3xf64>
    return %0 : tensor<2x3xf64>
  })");
  ASSERT_TRUE(softmax);
  std::vector<double> x = {1, 2, 3, 4, 6, 8};
  Tensor<double> s = run1(softmax, {2, 3}, x);
  for (int col = 0; col < 3; ++col) {
    double a = x[col], b = x[3 + col];
    double ea = std::exp(a), eb = std::exp(b);
    EXPECT_NEAR(s[col], ea / (ea + eb), 1e-12);
    EXPECT_NEAR(s[3 + col], eb / (ea + eb), 1e-12);
  }

  // A lane of -inf: NaN from softmax, zeros from the safe softmax; other
  // lanes the same.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> masked = {-inf, -inf, -inf, 1, 2, 3};
  func::FuncOp rows =
      parse(R"(func.func @f(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
    %0 = pet.softmax %x axis 1 : tensor<2x3xf64>
    return %0 : tensor<2x3xf64>
  })");
  Tensor<double> plain = run1(rows, {2, 3}, masked);
  // (parse replaces the module that held `rows`.)
  func::FuncOp safeRows =
      parse(R"(func.func @f(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
    %0 = pet.softmax %x axis 1 safe : tensor<2x3xf64>
    return %0 : tensor<2x3xf64>
  })");
  Tensor<double> safe = run1(safeRows, {2, 3}, masked);
  for (int k = 0; k < 3; ++k) {
    EXPECT_TRUE(std::isnan(plain[k]));
    EXPECT_EQ(safe[k], 0.0);
    EXPECT_EQ(safe[3 + k], plain[3 + k]);
    EXPECT_GT(safe[3 + k], 0.0);
  }

  func::FuncOp norm =
      parse(R"(func.func @f(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
    %0 = pet.layer_norm %x axis 1 epsilon 0.0 : tensor<2x3xf64>
    return %0 : tensor<2x3xf64>
  })");
  ASSERT_TRUE(norm);
  Tensor<double> n = run1(norm, {2, 3}, x);
  // Row 0 = (1, 2, 3): mean 2, variance 2/3.
  double scale = 1 / std::sqrt(2.0 / 3.0);
  EXPECT_NEAR(n[0], -scale, 1e-12);
  EXPECT_NEAR(n[1], 0.0, 1e-12);
  EXPECT_NEAR(n[2], scale, 1e-12);
  // Row 1 = (4, 6, 8): mean 6, variance 8/3.
  EXPECT_NEAR(n[3], -2 / std::sqrt(8.0 / 3.0), 1e-12);
}

TEST_F(EvaluatorTest, MaxPoolReadsPaddingAsMinusInfinity) {
  func::FuncOp pool =
      parse(R"(func.func @f(%x: tensor<1x1x2x3xf64>) -> tensor<1x1x2x2xf64> {
    %0 = pet.max_pool2d %x kernel [2, 2] strides [1, 2] pad_low [0, 1] pad_high [1, 0]
        : tensor<1x1x2x3xf64> -> tensor<1x1x2x2xf64>
    return %0 : tensor<1x1x2x2xf64>
  })");
  ASSERT_TRUE(pool);
  // Input rows (-1, -2, -3) and (-4, -5, -6): negative, so a zero padding
  // would win every window.
  Tensor<double> out = run1(pool, {1, 1, 2, 3}, {-1, -2, -3, -4, -5, -6});
  EXPECT_EQ(out.getData(), std::vector<double>({-1, -2, -4, -5}));
}

TEST_F(EvaluatorTest, ConstantsInBothDomains) {
  func::FuncOp func =
      parse(R"(func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
    %w = arith.constant dense<[0.5, -3.0]> : tensor<2xf32>
    %0 = pet.mul %x, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    return %0 : tensor<2xf32>
  })");
  ASSERT_TRUE(func);
  Tensor<float> x(ArrayRef<int64_t>{2});
  x.getData() = {4.0f, 5.0f};
  auto f = evaluateFunction<float>(func, {x});
  ASSERT_TRUE(succeeded(f));
  EXPECT_EQ((*f)[0].getData(), std::vector<float>({2.0f, -15.0f}));
  Tensor<ModQ> xq(ArrayRef<int64_t>{2});
  xq.getData() = {ModQ::fromInt(4), ModQ::fromInt(5)};
  auto q = evaluateFunction<ModQ>(func, {xq});
  ASSERT_TRUE(succeeded(q));
  EXPECT_EQ((*q)[0][0], ModQ::fromInt(2));
  EXPECT_EQ((*q)[0][1], ModQ::fromInt(-15));
}

TEST_F(EvaluatorTest, ExactDomainRejectsNonLinearOperatorsByName) {
  func::FuncOp func =
      parse(R"(func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
    %0 = pet.sigmoid %x : tensor<2xf32>
    return %0 : tensor<2xf32>
  })");
  ASSERT_TRUE(func);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  Tensor<ModQ> x(ArrayRef<int64_t>{2});
  EXPECT_TRUE(failed(evaluateFunction<ModQ>(func, {x})));
  EXPECT_EQ(message,
            "'pet.sigmoid' is not multi-linear: it has no exact evaluation "
            "in Z_q");
  EXPECT_TRUE(failed(checkEvaluable(func, /*exact=*/false)) == false);

  func::FuncOp softmax =
      parse(R"(func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
    %0 = pet.softmax %x axis 0 : tensor<2xf32>
    return %0 : tensor<2xf32>
  })");
  EXPECT_TRUE(failed(checkEvaluable(softmax, false, /*pointwise=*/true)));
  EXPECT_EQ(message,
            "'pet.softmax' cannot be evaluated one position at a time");

  // Wrong argument shapes are reported, not read out of bounds.
  Tensor<float> wrong(ArrayRef<int64_t>{3});
  EXPECT_TRUE(failed(evaluateFunction<float>(softmax, {wrong})));
  EXPECT_NE(message.find("argument #0 has the wrong shape"), std::string::npos)
      << message;
}

} // namespace
