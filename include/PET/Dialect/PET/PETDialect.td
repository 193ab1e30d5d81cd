//===- PETDialect.td - The PET dialect ---------------------*- tablegen -*-===//

#ifndef PET_DIALECT_PET_PETDIALECT_TD
#define PET_DIALECT_PET_PETDIALECT_TD

include "mlir/IR/OpBase.td"

def PET_Dialect : Dialect {
  let name = "pet";
  let cppNamespace = "::mlir::pet";
  let summary = "Tensor programs for partially equivalent transformations";
  let description = [{
    The `pet` dialect models the operators of deep-learning programs on
    ranked, statically shaped tensors, split in two kinds:

    * multi-linear operators (convolution, matrix products, element-wise
      add/sub/mul, scaling, layout operators, zero padding, average pooling),
      which describe their computation as data through
      `MultiLinearOpInterface`, so that evaluation, box propagation and
      lowering are written once for all of them;
    * non-linear operators (activations, softmax, max pooling, layer
      normalization), which carry the `NonLinear` trait and delimit the
      multi-linear subprograms PET optimizes.

    Regions of tensors are described by `#pet.box` (a hyper-rectangle of
    positions) and `#pet.partition` (boxes covering a tensor).
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasRegionArgAttrVerify = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// On a function argument: a weight, fixed across inferences (unit).
    static constexpr ::llvm::StringLiteral kWeightAttrName = "pet.weight";
    /// On a function argument: a weight computed by the function named by
    /// the function's `pet.preprocess` (unit; with `pet.weight`).
    static constexpr ::llvm::StringLiteral kPreprocessedAttrName =
        "pet.preprocessed";
    /// On a function: the function that computes its preprocessed weights
    /// from its other weights, in order (a symbol reference).
    static constexpr ::llvm::StringLiteral kPreprocessFuncAttrName =
        "pet.preprocess";

  private:
    void registerAttributes();
  public:
  }];
}

// Every PET operator works on ranked tensors of static shape with a floating
// point element type, the same for all operands and results.
def PET_Tensor : StaticShapeTensorOf<[AnyFloat]>;

class PET_Op<string mnemonic, list<Trait> traits = []>
    : Op<PET_Dialect, mnemonic, traits>;

class PET_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<PET_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // PET_DIALECT_PET_PETDIALECT_TD
