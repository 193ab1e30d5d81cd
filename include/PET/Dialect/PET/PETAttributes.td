//===- PETAttributes.td - Box attributes -------------------*- tablegen -*-===//

#ifndef PET_DIALECT_PET_PETATTRIBUTES_TD
#define PET_DIALECT_PET_PETATTRIBUTES_TD

include "PET/Dialect/PET/PETDialect.td"
include "mlir/IR/AttrTypeBase.td"

def PET_BoxAttr : PET_Attr<"Box", "box"> {
  let summary = "A hyper-rectangle of tensor positions";
  let description = [{
    One half-open interval `lower:upper` per dimension, as in NumPy's slice
    notation (`t[0:1, 0:4, 0:1, 1:7]` selects the box below):

    ```mlir
    #pet.box<[0:1, 0:4, 0:1, 1:7]>
    ```

    `lower <= upper` in every dimension; a box with `lower == upper` in some
    dimension is empty. `#pet.box<[]>` is the one position of a rank-0
    tensor.
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$lower,
                        ArrayRefParameter<"int64_t">:$upper);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "const ::mlir::pet::Box &":$box), [{
      return $_get($_ctxt, box.getLower(), box.getUpper());
    }]>
  ];
  let extraClassDeclaration = [{
    /// The box as a value of the C++ box algebra.
    ::mlir::pet::Box getBox() const;
    unsigned getRank() const { return getLower().size(); }
  }];
}

def PET_PartitionAttr : PET_Attr<"Partition", "partition"> {
  let summary = "Boxes that partition a tensor";
  let description = [{
    The shape of a tensor and disjoint non-empty boxes that together cover
    it. The boxes are written without the `#pet.box` prefix:

    ```mlir
    #pet.partition<[4, 6] : [0:1, 0:6], [1:4, 0:6]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        ArrayRefParameter<"BoxAttr">:$boxes);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$shape,
                     "::llvm::ArrayRef<::mlir::pet::Box>":$boxes)>
  ];
  let extraClassDeclaration = [{
    /// The boxes as values of the C++ box algebra.
    ::llvm::SmallVector<::mlir::pet::Box> getBoxValues() const;
  }];
}

#endif // PET_DIALECT_PET_PETATTRIBUTES_TD
