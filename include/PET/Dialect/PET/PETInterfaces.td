//===- PETInterfaces.td - Interfaces of PET operators ------*- tablegen -*-===//

#ifndef PET_DIALECT_PET_PETINTERFACES_TD
#define PET_DIALECT_PET_PETINTERFACES_TD

include "mlir/IR/OpBase.td"

def MultiLinearOpInterface : OpInterface<"MultiLinearOpInterface"> {
  let cppNamespace = "::mlir::pet";
  let description = [{
    An operator that is linear in each of its operands when the others are
    fixed, described as data: for each result, a sum of terms

      result[resultMap(i)] += coefficient * prod_f operand_f[map_f(i)]

    over every point `i` of the term's iteration domain, where a read outside
    an operand's shape yields zero (that is how convolution padding is
    expressed) and positions no term writes are zero (the border of `pad`).
    See `MultiLinearDescription.h` for the exact contract. Analyses (the
    evaluator, box propagation) and lowerings are written against this
    description, never against individual operators.
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/[{
        Returns how result `resultIndex` is computed from the operands.
      }],
      /*retTy=*/"::mlir::pet::MultiLinearDescription",
      /*methodName=*/"getMultiLinearDescription",
      /*args=*/(ins "unsigned":$resultIndex)>,
  ];
}

// Operators that are not multi-linear in their operands (activations,
// softmax, max pooling, normalization). PET splits programs at them.
def PET_NonLinear : NativeOpTrait<"NonLinear"> {
  let cppNamespace = "::mlir::pet::OpTrait";
}

// Operators whose operands have no dimension of size 0: an empty tensor has
// no position to evaluate, verify or correct. (Empty results of non-empty
// operands, a split piece or a slice of size 0, are the operators' own
// verifiers' to report.)
def PET_NonEmptyTensors : NativeOpTrait<"NonEmptyTensors"> {
  let cppNamespace = "::mlir::pet::OpTrait";
}

#endif // PET_DIALECT_PET_PETINTERFACES_TD
