//===- PETCorrectionOps.td - Corrections of mutants --------*- tablegen -*-===//

#ifndef PET_DIALECT_PET_PETCORRECTIONOPS_TD
#define PET_DIALECT_PET_PETCORRECTIONOPS_TD

include "PET/Dialect/PET/PETDialect.td"
include "PET/Dialect/PET/PETInterfaces.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def PET_CorrectOp : PET_Op<"correct", [
    AttrSizedOperandSegments, RecursiveMemoryEffects, RecursivelySpeculatable,
    IsolatedFromAbove, SingleBlock, InferTypeOpAdaptor, PET_NonEmptyTensors]> {
  let summary = "A mutant's results with their wrong boxes recomputed";
  let description = [{
    The results of a partially equivalent mutant (`mutants`), corrected: a
    position inside one of `boxes[i]` takes the value that the region, the
    original subprogram, computes from `inputs` for result `i`; every other
    position keeps the mutant's value. The region's arguments are `inputs`;
    it ends in `pet.yield` of one value per mutant, of the same types.

    `--pet-mutate` records its corrections this way, one operation per
    subprogram, so that a lowering can compute all the boxes of a subprogram
    in one kernel that evaluates the original only where needed.

    ```mlir
    %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:5, 0:8]>]]
        : tensor<1x3x8x8xf32> from tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32> {
    ^bb0(%a: tensor<1x2x8x8xf32>, %b: tensor<3x2x3x3xf32>):
      %0 = pet.conv2d %a, %b pad_low [1, 1] pad_high [1, 1]
          : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
      pet.yield %0 : tensor<1x3x8x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<PET_Tensor>:$mutants,
                       Variadic<PET_Tensor>:$inputs,
                       ArrayAttr:$boxes);
  let results = (outs Variadic<PET_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $mutants `from` `(` $inputs `)` `boxes` $boxes attr-dict `:`
    type($mutants) `from` type($inputs) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The boxes of result `index`.
    ::llvm::SmallVector<::mlir::pet::Box> getBoxesOf(unsigned index);
    /// The value the region yields for result `index`.
    ::mlir::Value getOriginalValue(unsigned index);
  }];
}

def PET_YieldOp : PET_Op<"yield", [
    Pure, ReturnLike, Terminator, HasParent<"CorrectOp">]> {
  let summary = "The original values computed in a correction region";
  let arguments = (ins Variadic<PET_Tensor>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

#endif // PET_DIALECT_PET_PETCORRECTIONOPS_TD
