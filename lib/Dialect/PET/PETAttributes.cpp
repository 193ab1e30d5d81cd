//===- PETAttributes.cpp - Box attributes ---------------------------------===//

#include "PET/Dialect/PET/PETAttributes.h"
#include "PET/Dialect/PET/PETDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::pet;

#define GET_ATTRDEF_CLASSES
#include "PET/Dialect/PET/PETAttributes.cpp.inc"

void PETDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "PET/Dialect/PET/PETAttributes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Box syntax shared by both attributes, NumPy's slice notation with
// half-open `lower:upper` intervals: `[0:4, 1:3]`, or `[]` for rank 0.
//===----------------------------------------------------------------------===//

static ParseResult parseBoxBody(AsmParser &parser,
                                SmallVectorImpl<int64_t> &lower,
                                SmallVectorImpl<int64_t> &upper) {
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        if (parser.parseInteger(lower.emplace_back()) || parser.parseColon() ||
            parser.parseInteger(upper.emplace_back()))
          return failure();
        return success();
      });
}

static void printBoxBody(AsmPrinter &printer, ArrayRef<int64_t> lower,
                         ArrayRef<int64_t> upper) {
  printer.getStream() << Box(lower, upper);
}

//===----------------------------------------------------------------------===//
// BoxAttr
//===----------------------------------------------------------------------===//

Attribute BoxAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> lower, upper;
  if (parser.parseLess() || parseBoxBody(parser, lower, upper) ||
      parser.parseGreater())
    return {};
  return BoxAttr::getChecked([&] { return parser.emitError(loc); },
                             parser.getContext(), lower, upper);
}

void BoxAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printBoxBody(printer, getLower(), getUpper());
  printer << '>';
}

LogicalResult BoxAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              ArrayRef<int64_t> lower,
                              ArrayRef<int64_t> upper) {
  if (lower.size() != upper.size())
    return emitError() << "box bounds have different ranks (" << lower.size()
                       << " lower, " << upper.size() << " upper)";
  for (auto [d, lo, hi] : llvm::enumerate(lower, upper))
    if (lo > hi)
      return emitError() << "box interval [" << lo << ", " << hi
                         << ") of dimension " << d
                         << " has its lower bound above its upper bound";
  return success();
}

Box BoxAttr::getBox() const { return Box(getLower(), getUpper()); }

//===----------------------------------------------------------------------===//
// PartitionAttr
//===----------------------------------------------------------------------===//

PartitionAttr PartitionAttr::get(MLIRContext *context, ArrayRef<int64_t> shape,
                                 ArrayRef<Box> boxes) {
  SmallVector<BoxAttr> attrs = llvm::map_to_vector(
      boxes, [&](const Box &box) { return BoxAttr::get(context, box); });
  return Base::get(context, shape, attrs);
}

Attribute PartitionAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> shape;
  SmallVector<BoxAttr> boxes;
  auto parseBox = [&]() -> ParseResult {
    SMLoc boxLoc = parser.getCurrentLocation();
    SmallVector<int64_t> lower, upper;
    if (parseBoxBody(parser, lower, upper))
      return failure();
    BoxAttr box = BoxAttr::getChecked([&] { return parser.emitError(boxLoc); },
                                      parser.getContext(), lower, upper);
    if (!box)
      return failure();
    boxes.push_back(box);
    return success();
  };
  if (parser.parseLess() || parser.parseLSquare())
    return {};
  if (failed(parser.parseOptionalRSquare())) {
    if (parser.parseCommaSeparatedList([&]() -> ParseResult {
          return parser.parseInteger(shape.emplace_back());
        }) ||
        parser.parseRSquare())
      return {};
  }
  if (parser.parseColon())
    return {};
  // A tensor with no positions (a zero-sized dimension) has no boxes.
  if (failed(parser.parseOptionalGreater()) &&
      (parser.parseCommaSeparatedList(parseBox) || parser.parseGreater()))
    return {};
  return PartitionAttr::getChecked([&] { return parser.emitError(loc); },
                                   parser.getContext(), shape, boxes);
}

void PartitionAttr::print(AsmPrinter &printer) const {
  printer << "<[";
  llvm::interleaveComma(getShape(), printer);
  printer << "] : ";
  llvm::interleaveComma(getBoxes(), printer, [&](BoxAttr box) {
    printBoxBody(printer, box.getLower(), box.getUpper());
  });
  printer << '>';
}

LogicalResult
PartitionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      ArrayRef<int64_t> shape, ArrayRef<BoxAttr> boxes) {
  for (auto [d, size] : llvm::enumerate(shape))
    if (size < 0)
      return emitError() << "partition shape has a negative size " << size
                         << " in dimension " << d;
  SmallVector<Box> values =
      llvm::map_to_vector(boxes, [](BoxAttr box) { return box.getBox(); });
  if (std::optional<std::string> problem = checkPartition(shape, values))
    return emitError() << "boxes do not partition the tensor: " << *problem;
  return success();
}

SmallVector<Box> PartitionAttr::getBoxValues() const {
  return llvm::map_to_vector(getBoxes(),
                             [](BoxAttr box) { return box.getBox(); });
}
