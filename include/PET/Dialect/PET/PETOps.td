//===- PETOps.td - PET operators ---------------------------*- tablegen -*-===//

#ifndef PET_DIALECT_PET_PETOPS_TD
#define PET_DIALECT_PET_PETOPS_TD

include "PET/Dialect/PET/PETDialect.td"
include "PET/Dialect/PET/PETInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class PET_MultiLinearOp<string mnemonic, list<Trait> traits = []>
    : PET_Op<mnemonic, !listconcat(traits, [
        Pure, DeclareOpInterfaceMethods<MultiLinearOpInterface>,
        PET_NonEmptyTensors])>;

class PET_NonLinearOp<string mnemonic, list<Trait> traits = []>
    : PET_Op<mnemonic, !listconcat(traits, [Pure, PET_NonLinear,
                                            PET_NonEmptyTensors])>;

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def PET_Conv2DOp : PET_MultiLinearOp<"conv2d", [InferTypeOpAdaptor]> {
  let summary = "2-D convolution (NCHW input, FCHW filter)";
  let description = [{
    `result[n, f, oh, ow] = sum_{c, kh, kw} input[n, g * C/G + c,
    oh * sh + kh * dh - pad_low_h, ow * sw + kw * dw - pad_low_w] *
    filter[f, c, kh, kw]` with `g = f / (F / G)` for `G = groups`; reads
    outside the input are zero (zero padding). The input is `N x C x H x W`,
    the filter `F x C/G x KH x KW`, the result `N x F x OH x OW` with
    `OH = (H + pad_low_h + pad_high_h - dh * (KH - 1) - 1) / sh + 1`.
    Omitted attributes default to stride 1, no padding, dilation 1, one group.
    There is no bias: add one with `pet.add` and a broadcast `1 x F x 1 x 1`
    tensor.

    ```mlir
    %y = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1]
        : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, PET_Tensor:$filter,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_low,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_high,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<I64Attr>:$groups);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`strides` $strides^)? (`pad_low` $pad_low^)?
    (`pad_high` $pad_high^)? (`dilations` $dilations^)? (`groups` $groups^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Attribute values with their defaults filled in: {h, w}.
    ::llvm::SmallVector<int64_t, 2> getStrideValues();
    ::llvm::SmallVector<int64_t, 2> getPadLowValues();
    ::llvm::SmallVector<int64_t, 2> getPadHighValues();
    ::llvm::SmallVector<int64_t, 2> getDilationValues();
    int64_t getGroupCount() { return getGroups().value_or(1); }
  }];
  // A zero padding of the image (pet.pad) moves into the convolution.
  let hasCanonicalizeMethod = 1;
}

def PET_MatmulOp : PET_MultiLinearOp<"matmul", [InferTypeOpAdaptor]> {
  let summary = "Matrix product of two 2-D tensors";
  let description = [{
    `result[m, n] = sum_k lhs'[m, k] * rhs'[k, n]` where `lhs'` is `lhs`,
    transposed when `transpose_lhs` is set, and likewise for `rhs`.

    ```mlir
    %c = pet.matmul %a, %b transpose_rhs
        : (tensor<128x768xf32>, tensor<3072x768xf32>) -> tensor<128x3072xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$lhs, PET_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def PET_BatchMatmulOp : PET_MultiLinearOp<"batch_matmul", [InferTypeOpAdaptor]> {
  let summary = "Batched matrix product of two 3-D tensors";
  let description = [{
    `result[b, m, n] = sum_k lhs'[b, m, k] * rhs'[b, k, n]`, with the same
    optional transposes of the last two dimensions as `pet.matmul`.

    ```mlir
    %s = pet.batch_matmul %q, %k transpose_rhs
        : (tensor<12x128x64xf32>, tensor<12x128x64xf32>) -> tensor<12x128x128xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$lhs, PET_Tensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Element-wise linear operators
//===----------------------------------------------------------------------===//

class PET_BroadcastBinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : PET_MultiLinearOp<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])> {
  let description = [{
    `result = lhs }] # formula # [{ rhs` element by element, with NumPy
    broadcasting: shapes are aligned on their last dimension, and a dimension
    of size 1 (or a missing leading one) stretches to the other's size.

    ```mlir
    %y = pet.}] # mnemonic # [{ %x, %bias
        : (tensor<1x64x56x56xf32>, tensor<1x64x1x1xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$lhs, PET_Tensor:$rhs);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def PET_AddOp : PET_BroadcastBinaryOp<"add", "+", [Commutative]> {
  let summary = "Element-wise sum with broadcasting";
}
def PET_SubOp : PET_BroadcastBinaryOp<"sub", "-"> {
  let summary = "Element-wise difference with broadcasting";
}
def PET_MulOp : PET_BroadcastBinaryOp<"mul", "*", [Commutative]> {
  let summary = "Element-wise product with broadcasting (bilinear)";
}

def PET_ScaleOp : PET_MultiLinearOp<"scale", [SameOperandsAndResultType]> {
  let summary = "Multiplication by a constant";
  let description = [{
    `result = factor * input`. The factor is an `f64`; it is exact as a
    dyadic rational, so exact evaluators can represent it.

    ```mlir
    %y = pet.scale %x by 1.250000e-01 : tensor<12x128x128xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, F64Attr:$factor);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def PET_AvgPool2DOp : PET_MultiLinearOp<"avg_pool2d", [InferTypeOpAdaptor]> {
  let summary = "2-D average pooling (NCHW)";
  let description = [{
    `result[n, c, oh, ow] = sum_{kh, kw} input[n, c, oh * sh + kh - pad_low_h,
    ow * sw + kw - pad_low_w] / count`, where reads outside the input are zero
    and `count` is `KH * KW`, or with `exclude_pad` the number of taps that
    fall inside the input (PyTorch's `count_include_pad=False`). Strides
    default to the kernel size, padding to zero.

    ```mlir
    %y = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [1, 1]
        pad_high [1, 1] : tensor<1x192x35x35xf32> -> tensor<1x192x35x35xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_low,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_high,
                       UnitAttr:$exclude_pad);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel (`strides` $strides^)? (`pad_low` $pad_low^)?
    (`pad_high` $pad_high^)? (`exclude_pad` $exclude_pad^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t, 2> getStrideValues();
    ::llvm::SmallVector<int64_t, 2> getPadLowValues();
    ::llvm::SmallVector<int64_t, 2> getPadHighValues();
  }];
}

//===----------------------------------------------------------------------===//
// Layout operators
//===----------------------------------------------------------------------===//

def PET_TransposeOp : PET_MultiLinearOp<"transpose", [InferTypeOpAdaptor]> {
  let summary = "Permutation of dimensions";
  let description = [{
    Dimension `i` of the result is dimension `permutation[i]` of the input:
    `result[i_0, ..., i_(r-1)] = input[j]` with `j[permutation[k]] = i_k`.

    ```mlir
    %y = pet.transpose %x perm [0, 2, 1, 3]
        : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `perm` $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def PET_ReshapeOp : PET_MultiLinearOp<"reshape"> {
  let summary = "Reinterpretation of the row-major elements with a new shape";
  let description = [{
    The elements of the input, in row-major order, laid out with the result's
    shape; both have the same number of elements.

    ```mlir
    %y = pet.reshape %x : tensor<1x768xf32> -> tensor<1x12x64xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def PET_ConcatOp : PET_MultiLinearOp<"concat", [InferTypeOpAdaptor]> {
  let summary = "Concatenation along one dimension";
  let description = [{
    The inputs, which agree on every dimension but `axis`, laid side by side
    along `axis` in operand order.

    ```mlir
    %y = pet.concat %a, %b axis 1
        : (tensor<1x64x56x56xf32>, tensor<1x32x56x56xf32>) -> tensor<1x96x56x56xf32>
    ```
  }];
  let arguments = (ins Variadic<PET_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
}

def PET_SplitOp : PET_MultiLinearOp<"split", [InferTypeOpAdaptor]> {
  let summary = "Split along one dimension into consecutive pieces";
  let description = [{
    Result `k` holds `sizes[k]` consecutive slices of the input along `axis`,
    starting after those of results `0 .. k-1`; the sizes add up to the
    input's extent along `axis`.

    ```mlir
    %a, %b = pet.split %x axis 1 sizes [64, 32]
        : (tensor<1x96x56x56xf32>) -> (tensor<1x64x56x56xf32>, tensor<1x32x56x56xf32>)
    ```
  }];
  let arguments = (ins PET_Tensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<PET_Tensor>:$results);
  let assemblyFormat = [{
    $input `axis` $axis `sizes` $sizes attr-dict `:`
    functional-type($input, $results)
  }];
  let extraClassDeclaration = [{
    /// Where result `index` starts along `axis` in the input.
    int64_t getOffset(unsigned index);
  }];
  let hasFolder = 1;
}

def PET_SliceOp : PET_MultiLinearOp<"slice", [InferTypeOpAdaptor]> {
  let summary = "Strided static slice";
  let description = [{
    `result[i] = input[offsets + i * strides]` for `i` in `[0, sizes)`; every
    position read lies inside the input. Strides default to 1.

    ```mlir
    %y = pet.slice %x offsets [0, 0, 1, 0] sizes [1, 64, 28, 56]
        strides [1, 1, 2, 1] : tensor<1x64x56x56xf32> -> tensor<1x64x28x56xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes,
                       OptionalAttr<DenseI64ArrayAttr>:$strides);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `offsets` $offsets `sizes` $sizes (`strides` $strides^)? attr-dict
    `:` type($input) `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t> getStrideValues();
  }];
  let hasFolder = 1;
}

def PET_PadOp : PET_MultiLinearOp<"pad", [InferTypeOpAdaptor]> {
  let summary = "Zero padding";
  let description = [{
    The input surrounded by `low[d]` zeros before and `high[d]` zeros after
    it in each dimension `d`.

    ```mlir
    %y = pet.pad %w low [0, 0, 1, 1] high [0, 0, 1, 1]
        : tensor<64x64x1x1xf32> -> tensor<64x64x3x3xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `low` $low `high` $high attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def PET_InsertOp : PET_MultiLinearOp<"insert", [InferTypeOpAdaptor]> {
  let summary = "A tensor with a box overwritten by another tensor";
  let description = [{
    `dest` with the positions `offsets + i` replaced by `source[i]`, for
    every position `i` of `source`, which must fit inside `dest`. This is
    how corrections overwrite the wrong boxes of a mutant.

    ```mlir
    %r = pet.insert %rows into %m offsets [0, 0, 3, 0]
        : tensor<1x3x2x8xf32> into tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins PET_Tensor:$source, PET_Tensor:$dest,
                       DenseI64ArrayAttr:$offsets);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $source `into` $dest `offsets` $offsets attr-dict `:` type($source)
    `into` type($dest)
  }];
}

//===----------------------------------------------------------------------===//
// Non-linear operators
//===----------------------------------------------------------------------===//

class PET_UnaryNonLinearOp<string mnemonic, string formula>
    : PET_NonLinearOp<mnemonic, [SameOperandsAndResultType]> {
  let description = "`result = " # formula # "` element by element.";
  let arguments = (ins PET_Tensor:$input);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def PET_ReluOp : PET_UnaryNonLinearOp<"relu", "max(input, 0)"> {
  let summary = "Rectified linear unit";
}
def PET_SigmoidOp : PET_UnaryNonLinearOp<"sigmoid", "1 / (1 + exp(-input))"> {
  let summary = "Logistic sigmoid";
}
def PET_TanhOp : PET_UnaryNonLinearOp<"tanh", "tanh(input)"> {
  let summary = "Hyperbolic tangent";
}
def PET_RsqrtOp : PET_UnaryNonLinearOp<"rsqrt", "1 / sqrt(input)"> {
  let summary = "Reciprocal square root";
  let description = [{
    `result = 1 / sqrt(input)` element by element (math.rsqrt). Inference
    batch normalization scales by `rsqrt(variance + eps)`: on weights, it
    is computed once at load (`--pet-preprocess`).
  }];
}

def PET_GeluOp : PET_NonLinearOp<"gelu", [SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `result = input * Phi(input)` with `Phi` the standard normal CDF, or its
    tanh approximation when `approximate` is set (PyTorch's
    `approximate='tanh'`).
  }];
  let arguments = (ins PET_Tensor:$input, UnitAttr:$approximate);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input (`approximate` $approximate^)? attr-dict `:` type($input)
  }];
}

def PET_SoftmaxOp : PET_NonLinearOp<"softmax", [SameOperandsAndResultType]> {
  let summary = "Softmax along one dimension";
  let description = [{
    `result = exp(input) / sum_axis exp(input)`, computed stably. With
    `safe`, a lane whose inputs are all -inf gives zeros instead of NaN
    (PyTorch's `_safe_softmax`, what its scaled dot-product attention
    computes).
  }];
  let arguments = (ins PET_Tensor:$input, I64Attr:$axis, UnitAttr:$safe);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat =
      "$input `axis` $axis (`safe` $safe^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def PET_LayerNormOp : PET_NonLinearOp<"layer_norm", [SameOperandsAndResultType]> {
  let summary = "Normalization over the trailing dimensions";
  let description = [{
    `result = (input - mean) / sqrt(var + epsilon)` where the mean and the
    (biased) variance are taken over dimensions `axis .. rank-1`. The affine
    part of PyTorch's `LayerNorm` is not included: it is multi-linear, so it
    is expressed with `pet.mul` and `pet.add` where PET can optimize it.
  }];
  let arguments = (ins PET_Tensor:$input, I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis `epsilon` $epsilon attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def PET_MaxPool2DOp : PET_NonLinearOp<"max_pool2d", [InferTypeOpAdaptor]> {
  let summary = "2-D max pooling (NCHW)";
  let description = [{
    `result[n, c, oh, ow] = max_{kh, kw} input[n, c, oh * sh + kh * dh -
    pad_low_h, ow * sw + kw * dw - pad_low_w]`, where reads outside the input
    are -infinity. Strides default to the kernel size, padding to zero,
    dilation to one.
  }];
  let arguments = (ins PET_Tensor:$input, DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_low,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_high,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations);
  let results = (outs PET_Tensor:$result);
  let assemblyFormat = [{
    $input `kernel` $kernel (`strides` $strides^)? (`pad_low` $pad_low^)?
    (`pad_high` $pad_high^)? (`dilations` $dilations^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::llvm::SmallVector<int64_t, 2> getStrideValues();
    ::llvm::SmallVector<int64_t, 2> getPadLowValues();
    ::llvm::SmallVector<int64_t, 2> getPadHighValues();
    ::llvm::SmallVector<int64_t, 2> getDilationValues();
  }];
}

include "PET/Dialect/PET/PETCorrectionOps.td"

#endif // PET_DIALECT_PET_PETOPS_TD
