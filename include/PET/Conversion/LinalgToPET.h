//===- LinalgToPET.h - Import linalg-on-tensors -----------------*- C++ -*-===//

#ifndef PET_CONVERSION_LINALGTOPET_H
#define PET_CONVERSION_LINALGTOPET_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::pet {

/// Patterns replacing the linalg and tensor forms torch-mlir emits
/// (convolutions, matrix products, pooling, layout, element-wise generics)
/// by PET operators.
void populateLinalgToPETPatterns(RewritePatternSet &patterns);

} // namespace mlir::pet

#endif // PET_CONVERSION_LINALGTOPET_H
