//===- PETCorrectionOps.cpp - Corrections of mutants ----------------------===//

#include "PET/Dialect/PET/PETOps.h"

using namespace mlir;
using namespace mlir::pet;

LogicalResult CorrectOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  for (Value mutant : adaptor.getMutants())
    inferred.push_back(mutant.getType());
  return success();
}

SmallVector<Box> CorrectOp::getBoxesOf(unsigned index) {
  return llvm::map_to_vector(
      cast<ArrayAttr>(getBoxes()[index]).getAsRange<BoxAttr>(),
      [](BoxAttr box) { return box.getBox(); });
}

Value CorrectOp::getOriginalValue(unsigned index) {
  return getBody().front().getTerminator()->getOperand(index);
}

LogicalResult CorrectOp::verify() {
  ArrayAttr boxes = getBoxes();
  if (boxes.size() != getMutants().size())
    return emitOpError("expects one list of boxes per mutant value, got ")
           << boxes.size() << " for " << getMutants().size();
  for (auto [i, list] : llvm::enumerate(boxes)) {
    auto array = dyn_cast<ArrayAttr>(list);
    if (!array)
      return emitOpError("boxes #") << i << " is not a list of #pet.box";
    auto shape = cast<RankedTensorType>(getMutants()[i].getType()).getShape();
    Box whole = Box::fromShape(shape);
    for (Attribute attr : array) {
      auto box = dyn_cast<BoxAttr>(attr);
      if (!box)
        return emitOpError("boxes #")
               << i << " holds " << attr << ", not a #pet.box";
      if (box.getRank() != shape.size() || !whole.contains(box.getBox()))
        return emitOpError("box ") << box << " is not inside result #" << i
                                   << " of shape " << getMutants()[i].getType();
      // Corrections copy each box's elements (a slice of it): none is empty.
      if (box.getBox().isEmpty())
        return emitOpError("box ") << box << " of result #" << i
                                   << " is empty";
    }
  }
  return success();
}

LogicalResult CorrectOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("region arguments must have the types of the inputs");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("region must end in pet.yield");
  if (yield.getValues().getTypes() != getMutants().getTypes())
    return emitOpError("region must yield one value per mutant value, of "
                       "the same type");
  return success();
}
