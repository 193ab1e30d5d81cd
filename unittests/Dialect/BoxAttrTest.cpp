//===- BoxAttrTest.cpp - #pet.box and #pet.partition ----------------------===//

#include "PET/Dialect/PET/PETAttributes.h"
#include "PET/Dialect/PET/PETDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::pet;

namespace {

class BoxAttrTest : public ::testing::Test {
protected:
  BoxAttrTest() { context.loadDialect<PETDialect>(); }

  /// Parses `text`, returning null (and recording the message) on error.
  Attribute parse(StringRef text) {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      lastError = diag.str();
      return success();
    });
    return parseAttribute(text, &context);
  }

  static std::string print(Attribute attr) {
    std::string text;
    llvm::raw_string_ostream(text) << attr;
    return text;
  }

  MLIRContext context;
  std::string lastError;
};

TEST_F(BoxAttrTest, BoxRoundTrip) {
  auto box = dyn_cast_or_null<BoxAttr>(parse("#pet.box<[0:4, 1:3]>"));
  ASSERT_TRUE(box) << lastError;
  EXPECT_EQ(box.getBox(), Box({0, 1}, {4, 3}));
  EXPECT_EQ(box.getRank(), 2u);
  EXPECT_EQ(print(box), "#pet.box<[0:4, 1:3]>");
  EXPECT_EQ(parse(print(box)), box);
  // Built from the C++ algebra, the attribute is the same uniqued object.
  EXPECT_EQ(BoxAttr::get(&context, Box({0, 1}, {4, 3})), box);

  auto scalar = dyn_cast_or_null<BoxAttr>(parse("#pet.box<[]>"));
  ASSERT_TRUE(scalar) << lastError;
  EXPECT_EQ(scalar.getRank(), 0u);
  EXPECT_EQ(print(scalar), "#pet.box<[]>");
}

TEST_F(BoxAttrTest, BoxErrors) {
  EXPECT_FALSE(parse("#pet.box<[3:1]>"));
  EXPECT_NE(lastError.find("lower bound above its upper bound"),
            std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#pet.box<[0:1, 2]>"));
  EXPECT_FALSE(parse("#pet.box<0:1>"));
}

TEST_F(BoxAttrTest, PartitionRoundTrip) {
  const char *text =
      "#pet.partition<[4, 6] : [0:1, 0:6], [1:4, 0:2], [1:4, 2:6]>";
  auto partition = dyn_cast_or_null<PartitionAttr>(parse(text));
  ASSERT_TRUE(partition) << lastError;
  EXPECT_EQ(print(partition), text);
  EXPECT_EQ(partition.getShape(), ArrayRef<int64_t>({4, 6}));
  llvm::SmallVector<Box> boxes = partition.getBoxValues();
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[1], Box({1, 0}, {4, 2}));
  EXPECT_EQ(PartitionAttr::get(&context, {4, 6}, boxes), partition);
}

TEST_F(BoxAttrTest, PartitionErrors) {
  EXPECT_FALSE(parse("#pet.partition<[4] : [0:2], [1:4]>"));
  EXPECT_NE(lastError.find("overlap"), std::string::npos) << lastError;
  EXPECT_FALSE(parse("#pet.partition<[4] : [0:2]>"));
  EXPECT_NE(lastError.find("cover 2 of the tensor's 4"), std::string::npos)
      << lastError;
  EXPECT_FALSE(parse("#pet.partition<[4] : [0:2, 0:1], [2:4, 0:1]>"));
  EXPECT_NE(lastError.find("rank"), std::string::npos) << lastError;
  EXPECT_FALSE(parse("#pet.partition<[-1] : >"));
  EXPECT_NE(lastError.find("negative"), std::string::npos) << lastError;

  // getChecked reports through the given emitter instead of aborting.
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  auto loc = UnknownLoc::get(&context);
  SmallVector<BoxAttr> boxes = {BoxAttr::get(&context, Box({0}, {3}))};
  EXPECT_FALSE(PartitionAttr::getChecked([&] { return emitError(loc); },
                                         &context, ArrayRef<int64_t>{4},
                                         ArrayRef<BoxAttr>(boxes)));
  EXPECT_NE(message.find("cover 3 of the tensor's 4"), std::string::npos)
      << message;
}

} // namespace
