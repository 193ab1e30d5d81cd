//===- Passes.td - PET conversions -------------------------*- tablegen -*-===//

#ifndef PET_CONVERSION_PASSES_TD
#define PET_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertPETToLinalg : Pass<"convert-pet-to-linalg"> {
  let summary = "Lower PET operators to linalg-on-tensors (for IREE and the CPU path)";
  let description = [{
    Every PET operator becomes linalg-on-tensors with the tensor, arith and
    math dialects, the form IREE and torch-mlir speak:

    * multi-linear operators, from their `MultiLinearOpInterface`
      description, one `linalg.generic` per term (operands zero-padded with
      `tensor.pad` where the term reads outside them, and sliced to what it
      reads; a term that writes part of the result, as a piece of a
      concatenation, writes it with `tensor.insert_slice`); average pooling
      that does not count the padding divides by a count computed the same
      way; `pet.reshape` becomes `tensor.collapse_shape` +
      `tensor.expand_shape`;
    * non-linear operators as `linalg.generic` (element-wise, and the
      reductions of softmax and layer normalization) and
      `linalg.pooling_nchw_max` (on an input padded with -inf);
    * `pet.correct` as its original recomputed and its boxes inserted into
      the mutants (`--pet-correct` first gives the cheaper receptive-field
      form).

    An operator it cannot lower is an error that names it.
  }];
  let dependentDialects = [
    "arith::ArithDialect", "linalg::LinalgDialect", "math::MathDialect",
    "tensor::TensorDialect"
  ];
}

def ConvertLinalgToPET : Pass<"convert-linalg-to-pet"> {
  let summary = "Import linalg-on-tensors (as torch-mlir emits it) into PET";
  let description = [{
    Replaces the linalg and tensor forms of CNNs and transformers by PET
    operators computing the same values:

    * `linalg.conv_2d_nchw_fchw`, `linalg.conv_2d_ngchw_gfchw` (grouped, with
      the reshapes around it) and `linalg.depthwise_conv_2d_nchw_chw` ->
      `pet.conv2d` (a zero `tensor.pad` of the image moves into the
      convolution's padding); `linalg.matmul`, `linalg.batch_matmul` ->
      `pet.matmul`, `pet.batch_matmul`. An init that is not a zero fill (a
      broadcast bias) becomes a `pet.add`.
    * `linalg.pooling_nchw_max` on a -inf padding -> `pet.max_pool2d`;
      `linalg.pooling_nchw_sum` -> `pet.avg_pool2d` times the window size.
    * `linalg.transpose`, `tensor.expand_shape` / `collapse_shape`,
      `tensor.concat`, static `tensor.extract_slice` / `insert_slice`, zero
      `tensor.pad` -> PET's layout operators.
    * element-wise `linalg.generic`: add, sub, mul of two inputs (broadcast
      maps become PET's size-1 broadcasting), multiplication or division by
      a constant (`pet.scale`; a division by `c` becomes a scale by `1/c`,
      equal up to rounding), negation, ReLU (`max(x, 0)` or
      `x > 0 ? x : 0`), tanh.

    Anything else stays as it is: PET optimizes the multi-linear parts
    around it. `--pet-import-remarks` after this pass names what stayed.
  }];
  let dependentDialects = ["pet::PETDialect"];
}

def ImportRemarks : Pass<"pet-import-remarks"> {
  let summary = "Remark on each linalg or tensor operation the import left";
  let description = [{
    After `--convert-linalg-to-pet`: a remark at every linalg or tensor
    operation that is still there (other than `tensor.empty`, fills and
    constants that feed it), saying what it is and, for a `linalg.generic`,
    which operations its body computes, so that a user sees what PET does
    not see.
  }];
}

def AddRunnerMain : Pass<"pet-add-runner-main", "ModuleOp"> {
  let summary = "Add a @main that runs a function on generated inputs and prints its results";
  let description = [{
    For the CPU path (`mlir-runner -e main`): a `@main` that fills each
    argument of `func` with deterministic pseudo-random values, calls it,
    and prints every result with `printMemrefF32` (from MLIR's
    `libmlir_c_runner_utils`). Element `k` (row-major) of argument `a` is
    `((floor((k * 2654435761 + (seed * 1000003 + a) * 40503) / 2^16) mod
    2^16) / 2^16 - 0.5) / sqrt(fan_in)` (64-bit integer arithmetic), where
    `fan_in` is the argument's element count over
    its first dimension (1 for rank 1): `python/pet_mlir/cpu.py` computes
    the same values, so other runtimes can be fed identically. Works on
    linalg-on-tensors (after `--convert-pet-to-linalg`) and on PET alike.

    `@main` calls `@<func>_entry`, also added: it takes the function's
    arguments but those `--pet-preprocess` added, computes those with the
    function named by `pet.preprocess` (as a runtime does at load), and
    calls the function. `print=false` adds the entry point only (what IREE
    runs).
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"",
           "The function to run (default: the only public one)">,
    Option<"seed", "seed", "int64_t", /*default=*/"1",
           "Seed of the generated inputs">,
    Option<"print", "print", "bool", /*default=*/"true",
           "Add @main (false: only the entry point, for other runtimes)">,
    Option<"mainName", "main-name", "std::string", /*default=*/"\"main\"",
           "Name of the function that runs and prints">,
    Option<"timeRuns", "time-runs", "int64_t", /*default=*/"0",
           "After printing, capture the entry point in a CUDA graph and "
           "time this many replays (PET's GPU runtime)">,
  ];
  let dependentDialects = [
    "arith::ArithDialect", "func::FuncDialect", "linalg::LinalgDialect",
    "math::MathDialect", "tensor::TensorDialect"
  ];
}

def AddTimingMain : Pass<"pet-add-timing-main", "ModuleOp"> {
  let summary = "Add a main that times every candidate program in a CUDA graph of its own";
  let description = [{
    For measuring whole programs on the GPU (`python -m pet_mlir.measure`):
    a function `main-name` that, for each public function carrying a
    `pet.program_key` (what `--pet-mutate=candidates=FILE` writes; every
    public function that is not a preprocessing function when none does),
    in module order, fills its arguments as `--pet-add-runner-main` does,
    runs its preprocessing function once (as a runtime does at load), calls
    it once to warm up (module loading, cuDNN's algorithm choice), captures
    `calls` calls of it in one CUDA graph and has PET's GPU runtime time
    `runs` replays with CUDA events
    (`pet_rt_time_graph_calls(label, runs, calls)`, which prints
    `pet-time[label]: median M us per call, ...`; the label is the
    function's position among those timed, from 0). Nothing is printed of
    the results.
  }];
  let options = [
    Option<"mainName", "main-name", "std::string", /*default=*/"\"pet_main\"",
           "Name of the function that times">,
    Option<"seed", "seed", "int64_t", /*default=*/"1",
           "Seed of the generated inputs">,
    Option<"runs", "runs", "int64_t", /*default=*/"50",
           "Graph replays timed per function">,
    Option<"calls", "calls", "int64_t", /*default=*/"10",
           "Calls of the function captured in one graph">,
  ];
  let dependentDialects = [
    "arith::ArithDialect", "func::FuncDialect", "linalg::LinalgDialect",
    "tensor::TensorDialect"
  ];
}

def GPUConvCalls : Pass<"pet-gpu-conv-calls", "ModuleOp"> {
  let summary = "PET convolutions with their bias, residual and ReLU as one call into PET's GPU runtime (cuDNN)";
  let description = [{
    The first step of PET's GPU pipeline, on PET's tensors: a `pet.conv2d`
    (f32) and what directly follows it alone -- a `pet.add` of a bias
    (`1 x F x 1 x 1`), a `pet.add` of a residual (the result's shape), in
    either order, then a `pet.relu` -- become one call of
    `pet_rt_conv2d_fused_f32`
    (`runtime/`: cuDNN's convolution with its padding, fused with bias,
    residual and ReLU where cuDNN allows), on `bufferization.to_buffer`s of
    the operands into a new buffer, read back by `bufferization.to_tensor`.

    Layout without copies (`include/PET/Optimizer/LayoutViews.h`, which the
    cost model asks too): the image is passed with whatever strides it has
    (a slice of a larger tensor stays a view), and a batch-1 image's rows or
    columns that a `pet.concat` of a `pet.split` lays along the batch are a
    `memref.reinterpret_cast` of the image (the batch stepping by a piece).
    A chain whose result only a `pet.concat` reads writes it straight into
    its slice of the concatenation's buffer (`memref.subview`), and a batch
    that a `pet.split` along the batch and a `pet.concat` along rows or
    columns turn back into one image is written into that image
    (`memref.reinterpret_cast`); the concatenation's other operands are
    copied into their slices (`bufferization.materialize_in_destination`).
    Filter, bias and residual stay contiguous buffers; a chain with a
    residual writes a buffer of its own. `layout-views=0` lowers without
    any of these (every slice, concatenation and batch move a copy; for
    comparisons).

    cuDNN pads both sides of a dimension alike; where one side has more
    (corrections on a box at an edge), the image is zero-padded by the
    difference first (`pet.pad`).

    `channels-last=1` stores the calls' outputs (and the concatenations
    they write into) NHWC: an `N x H x W x C` allocation seen through
    `memref.transpose` as the NCHW image, so that the program keeps its
    NCHW semantics while cuDNN reads and writes the layout of its TF32
    tensor-core kernels without transposing around each call. A chain with
    a residual that is not NHWC itself writes NCHW (the runtime reads the
    residual with the output's strides); NHWC residuals are other chains'
    outputs and max pools of them, which `--pet-gpu-channels-last-pools`
    writes NHWC after this pass. Everything else reads these
    buffers through their strides.
  }];
  let options = [
    Option<"layoutViews", "layout-views", "bool", /*default=*/"true",
           "Pass views to cuDNN and write concatenations in place">,
    Option<"channelsLast", "channels-last", "bool", /*default=*/"false",
           "Store the calls' outputs NHWC (seen as NCHW through a transpose)">,
  ];
  let dependentDialects = ["arith::ArithDialect",
                           "bufferization::BufferizationDialect",
                           "func::FuncDialect", "memref::MemRefDialect"];
}

def GPURuntimeCalls : Pass<"pet-gpu-runtime-calls", "ModuleOp"> {
  let summary = "Convolutions and matrix products on memrefs as calls into PET's GPU runtime; allocations in GPU-visible memory";
  let description = [{
    The step of PET's GPU pipeline between bufferization and the lowering of
    loops to GPU kernels (see `python/pet_mlir/gpu.py`):

    * `linalg.conv_2d_nchw_fchw`, `linalg.matmul` and `linalg.batch_matmul`
      on f32 memrefs become calls of `pet_rt_conv2d_f32`,
      `pet_rt_matmul_f32` and `pet_rt_batch_matmul_f32` (C interface, in
      `runtime/`: cuDNN and cuBLAS, accumulating into the output as linalg
      does). A convolution's image and output are passed as they lie
      (cuDNN takes strided views); other operands that are not contiguous
      are copied to contiguous buffers first (and the output back).
    * `memref.alloc` / `memref.dealloc` become `gpu.alloc host_shared` /
      `gpu.dealloc`: memory that kernels, the libraries and host code all
      use; constants (`memref.get_global`) are copied into such memory.

    Other linalg operations stay, for the loops-to-GPU passes.
  }];
  let dependentDialects = ["func::FuncDialect", "gpu::GPUDialect",
                           "linalg::LinalgDialect", "memref::MemRefDialect",
                           "arith::ArithDialect"];
}

def FuseElementwise : Pass<"pet-fuse-elementwise", "func::FuncOp"> {
  let summary = "Fuse chains of element-wise linalg operators on tensors";
  let description = [{
    In PET's GPU pipeline, after `--convert-pet-to-linalg`: an element-wise
    `linalg.generic` whose result only another element-wise generic reads
    is fused into it (upstream's element-wise fusion patterns), so that a
    chain such as bias add, residual add and normalization steps becomes
    one kernel. Unlike `--linalg-fuse-elementwise-ops` it does not move
    reshapes through named operators (which would turn a `linalg.matmul`
    into a generic and take it away from cuBLAS), and fuses a producer only
    into its single reader (nothing is computed twice).
  }];
}

def GPUFiltersLast : Pass<"pet-gpu-filters-last", "ModuleOp"> {
  let summary = "Preprocessed convolution filters stored KRSC (F x KH x KW x C), read through a transpose";
  let description = [{
    A step of PET's GPU pipeline after `--pet-preprocess`, for programs run
    with TF32 tensor cores: cuDNN's TF32 kernels read filters KRSC and
    otherwise transpose each call's filter (KCRS -> KRSC) on every forward
    pass. For each function with weight preprocessing (`pet.preprocess`),
    each preprocessed weight that only convolutions read as their filter is
    returned transposed by the preprocessing function (`pet.transpose`
    [0, 2, 3, 1], computed once at load), its argument takes that type, and
    the function reads it back through `pet.transpose` [0, 3, 1, 2], which
    `--pet-gpu-conv-calls` passes to the runtime as a strided view (no
    copy). The values computed are the same; the C API's preprocessed
    buffers hold the filters in the new order.
  }];
  let dependentDialects = ["func::FuncDialect"];
}

def GPUAttentionCalls : Pass<"pet-gpu-attention-calls", "ModuleOp"> {
  let summary = "Scaled dot-product attention (product, scale, softmax, product) as one runtime kernel";
  let description = [{
    In PET's GPU pipeline, on PET's tensors, before `--pet-gpu-matmul-calls`:
    each chain

    ```mlir
    %s = pet.batch_matmul %q, %k transpose_rhs : ...   // or pet.matmul
    %t = pet.scale %s by 1.250000e-01 : ...             // optional
    %p = pet.softmax %t axis 2 [safe] : ...             // the last axis
    %o = pet.batch_matmul %p, %v : ...
    ```

    in which each of `%s`, `%t` and `%p` has one reader, becomes one call
    of `pet_rt_attention_f32` (`runtime/`: a kernel that keeps the scores
    on chip, FP32, an online softmax over tiles of keys), on a new buffer
    read back with `bufferization.to_tensor`. Either product may transpose
    its operands (`transpose_lhs` of the first, `transpose_rhs` of both);
    `q`, `k` and `v` are read as strided views of where they lie (through
    transposes, reshapes and splits: the heads inside the projections), and
    an output whose only reader is a transpose that keeps the last
    dimension last (and a reshape of it) is written straight into that
    layout. Rows (the product's inner and output dimensions) of more than
    128 values, or more than `max-keys` keys, stay as they are (cuBLASLt
    products and a row kernel). Transposes, reshapes and splits left
    without readers are erased. An additive mask between the scale and the
    softmax is not matched (the chain stays as it is).

    Not in the GPU pipeline by default (`PET_FUSED_ATTENTION=1` adds it):
    on an H200 the kernel, a warp per query row, took 28.7 us per BERT-base
    layer against 10.5 us for the two cuBLASLt products and the softmax
    row kernel it replaces (bench/README.md, round 15).
  }];
  let options = [
    Option<"maxKeys", "max-keys", "int64_t", /*default=*/"1024",
           "Fuse attention over at most this many keys">,
  ];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "memref::MemRefDialect", "func::FuncDialect",
                           "arith::ArithDialect"];
}

def GPUMatmulCalls : Pass<"pet-gpu-matmul-calls", "ModuleOp"> {
  let summary = "PET matrix products with their bias, residual and GELU as one cuBLASLt call, operands read where they lie";
  let description = [{
    In PET's GPU pipeline, on PET's tensors (before `--convert-pet-to-linalg`):
    each f32 `pet.matmul` and `pet.batch_matmul` becomes one call of
    `pet_rt_gemm_f32` (`runtime/`, cuBLASLt) on `bufferization.to_buffer`s
    cast to strided views (`memref.reinterpret_cast`), writing a new buffer
    read back with `bufferization.to_tensor`:

    * operands are read through their own `transpose_*` attributes and
      through `pet.transpose`, `pet.reshape` (of a row-major view) and
      `pet.split`, wherever each matrix keeps unit stride along its rows or
      columns (attention's heads read out of the projection's matrix, keys
      transposed in place); others are passed as computed;
    * a `pet.add` of a bias (the output's last dimension, broadcast) and one
      of a residual (the output's shape), each at most once, then a
      `pet.gelu approximate`, each the only reader of the one before, are
      computed by the same call (cuBLASLt's epilogue and its C operand);
      GELU with `erf` stays an element-wise operator (cuBLASLt's is the tanh
      approximation);
    * the output is overwritten (no zero-filled buffer to accumulate into);
      a product whose only reader is a `pet.transpose` (and a `pet.reshape`
      of it) is written straight into that layout.

    Merged projections reach it with their pieces' biases already added as
    one before the split (`--pet-merge-split-biases`, in `--pet-optimize`
    and the GPU pipeline's preparation): the call adds that bias, and the
    split reads the call's output. Transposes, reshapes and splits left
    without readers are erased.
  }];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "memref::MemRefDialect", "func::FuncDialect",
                           "arith::ArithDialect"];
}

def GPURowKernels : Pass<"pet-gpu-row-kernels", "ModuleOp"> {
  let summary = "Softmax and layer norm, with their element-wise neighbours, as one GPU kernel of a block per row";
  let description = [{
    In PET's GPU pipeline, on PET's tensors (before `--convert-pet-to-linalg`):
    each f32 `pet.softmax` along the last dimension and each f32
    `pet.layer_norm` becomes one `gpu.launch` with a block per row (the
    dimensions before the reduced ones) whose threads stride over the row's
    elements and combine their partial maximum and sums with
    `gpu.all_reduce` (shuffles within warps, then shared memory): one
    kernel where the linalg lowering makes four to six, each reducing a
    whole row in one thread.

    Element-wise operators around it run in the same kernel: before it,
    every `pet.add`, `pet.sub`, `pet.mul`, `pet.scale` and unary non-linear
    operator (relu, sigmoid, tanh, gelu) of the row operator's shape whose
    only reader is in the kernel; after it, a chain of such operators, each
    the only reader of the one before. Their other operands are read where
    they lie, broadcast (a `1 x N` bias, a scalar). The kernel reads its
    operands through `bufferization.to_buffer` and writes a new buffer, read
    back with `bufferization.to_tensor`.

    A row of at most `max-per-thread` elements per thread is held in
    registers: each thread reads its elements once, their loads unrolled so
    that they are in flight together, and reduces and writes them from
    there. Longer rows are read in loops, once per reduction and once to
    write (the prologue computed again each time). Both fold a thread's
    elements in the same order: equal results.

    `warp-rows=1`: rows that get one warp's 32 threads (BERT's attention
    scores: 128 elements) go eight to a block of 32 x 8 threads, each
    warp's row reduced by an xor butterfly of `gpu.shuffle`s (no barrier,
    no shared memory; the combination order differs from `gpu.all_reduce`'s,
    so results may differ in the last bits). On by default (H200: BERT-base
    TF32 batch 1 0.755 -> 0.746 ms; gpu_check `row-ops` and
    `bert-layer-sample-opt` equal to the CPU path); `warp-rows=0` gives
    every row a block of its own.

    A softmax along another dimension, other element types and dynamic
    shapes keep the linalg lowering.
  }];
  let options = [
    Option<"maxThreads", "max-threads", "int64_t", /*default=*/"256",
           "Threads of a block at most (a row of N elements gets about N / 4, "
           "a multiple of 32)">,
    Option<"maxPerThread", "max-per-thread", "int64_t", /*default=*/"16",
           "Elements of a row per thread at most for the row to be held in "
           "registers (0: always loops)">,
    Option<"warpRows", "warp-rows", "bool", /*default=*/"true",
           "Rows of one warp's threads (up to 128 elements) eight to a "
           "block, reduced by warp shuffles (0: a block per row)">,
  ];
  let dependentDialects = ["gpu::GPUDialect",
                           "bufferization::BufferizationDialect",
                           "memref::MemRefDialect", "scf::SCFDialect",
                           "arith::ArithDialect", "math::MathDialect"];
}

def GPUChannelsLastArguments
    : Pass<"pet-gpu-channels-last-arguments", "ModuleOp"> {
  let summary = "Image arguments copied into NHWC buffers at function entry "
                "(candidates timed as a channels-last program feeds them)";
  let description = [{
    For timing a subprogram as a channels-last program runs it
    (`python -m pet_mlir.measure compile --layout nhwc...`): in such a
    program a subprogram's images are convolution outputs stored NHWC,
    whereas a subprogram compiled alone gets NCHW arguments, on which a
    channel slice (a reduction split's, say) is a free view that the NHWC
    image would make cuDNN copy. Run before `--pet-gpu-conv-calls`, this
    pass copies every 4-D f32 tensor argument of a function body that is not
    a weight (`pet.weight`) into an `N x H x W x C` buffer seen through
    `memref.transpose` (`linalg.copy` on buffers), which is what the
    channels-last passes recognize as NHWC; the function then reads the
    copy. The copy is part of what is timed, the same for every program of
    a subprogram (their arguments are the same).
  }];
  let dependentDialects = ["linalg::LinalgDialect",
                           "bufferization::BufferizationDialect",
                           "memref::MemRefDialect"];
}

def GPUChannelsLastPools : Pass<"pet-gpu-channels-last-pools", "ModuleOp"> {
  let summary = "Max pools of NHWC images (channels-last convolution outputs) written NHWC";
  let description = [{
    In PET's GPU pipeline after `--pet-gpu-conv-calls=channels-last=1`, on
    PET's tensors: an f32 `pet.max_pool2d` whose image is stored NHWC (a
    convolution call's output, `bufferization.to_tensor` of an
    `N x H x W x C` buffer seen through `memref.transpose`) becomes
    `linalg.pooling_nchw_max` on buffers: the image read through its
    strides, the result written into an NHWC buffer of its own (filled with
    -inf first) and read back with `bufferization.to_tensor`. Padding, if
    any, is an NHWC copy of the image surrounded by -inf. Lowered through
    linalg on tensors instead, the pool writes an NCHW buffer, so that its
    kernel reads or writes across the layout and the next convolution
    transposes the image back.

    Other pools (NCHW images, other element types, dynamic shapes) keep the
    linalg lowering.
  }];
  let dependentDialects = ["linalg::LinalgDialect",
                           "bufferization::BufferizationDialect",
                           "memref::MemRefDialect", "arith::ArithDialect"];
}

def GPUNameKernels : Pass<"pet-gpu-name-kernels", "ModuleOp"> {
  let summary = "Name GPU kernels after their host function and source line";
  let description = [{
    In PET's GPU pipeline, after `gpu-kernel-outlining` (which names every
    kernel `<function>_kernel`): each kernel that a `gpu.launch_func`
    launches is renamed `<function>_L<line>`, the line of the first source
    location of the launch (the PET operator it computes, through linalg
    and loops; `_<n>` added when a name repeats), and the launch follows.
    Profiles (`PET_PROFILE`, `PET_GRAPH_PROFILE`) then tell kernels apart.
  }];
  let dependentDialects = ["gpu::GPUDialect"];
}

def SplitReductions : Pass<"pet-split-reductions", "func::FuncOp"> {
  let summary = "Split long reductions over few rows into two parallel steps";
  let description = [{
    In PET's GPU pipeline, on tensors: a `linalg.generic` with one reduction
    loop whose parallel loops have fewer than `min-threads` points (the
    statistics of layer norm over 128 rows, softmax's over 1,536) would be
    that many GPU threads, each reducing a whole row. It is split with
    upstream's `splitReduction`: the reduction of size R becomes r partial
    reductions of R / r elements (r the largest divisor of R with at most
    `min-threads` threads in all and at least 8 elements each, contiguous,
    so that the parallel loops stay outermost and become the threads), then
    one reduction of the r partial results. Named operators (library calls)
    are left alone.
  }];
  let options = [
    Option<"minThreads", "min-threads", "int64_t", /*default=*/"8192",
           "Parallel points below which a reduction is split">,
  ];
}

def TileParallelLoops : Pass<"pet-tile-parallel-loops", "func::FuncOp"> {
  let summary = "Combine the dimensions of parallel loops and tile them for GPU threads";
  let description = [{
    In PET's GPU pipeline, before `gpu-map-parallel-loops`: the dimensions
    of each outermost `scf.parallel` are combined into one (delinearized in
    the body), which is tiled by `threads` (guarded, not min-bounded, so
    that the loops map to a grid of blocks of that many threads). A block's
    threads then cover `threads` consecutive elements of the iteration
    space however small its innermost dimension is (3 x 3 filters, 7 x 7
    images), and warps read consecutive elements. The dimension that varies
    fastest is the one along which the largest buffer the loop touches is
    contiguous (a written one, then the last dimension, between buffers of
    one size): the channels of a buffer stored NHWC behind its NCHW view
    (`--pet-gpu-conv-calls=channels-last=1`), the last non-unit dimension
    of an identity layout.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"256",
           "Threads per block along the innermost dimension">,
  ];
  let dependentDialects = ["scf::SCFDialect", "affine::AffineDialect",
                           "arith::ArithDialect"];
}

def AddInferenceAPI : Pass<"pet-add-inference-api", "ModuleOp"> {
  let summary = "Load/run/free entry points with a C API for a function";
  let description = [{
    Adds, for `func` (on tensors, before bufferization):

    * `@<func>_load(weights..., preprocessed...)`: runs the function's weight
      preprocessing (`pet.preprocess`) once, writing the preprocessed
      weights into buffers the caller provides;
    * `@<func>_run(arguments..., preprocessed..., results...)`: runs the
      function on its original arguments and the preprocessed weights,
      writing each result into a buffer the caller provides;

    both with MLIR's C interface (`_mlir_ciface_<func>_load`, ...), and, with
    `header=FILE`, writes a C header declaring them and wrapping them as
    `pet_<func>_load`, `pet_<func>_run` and `pet_<func>_free` on plain
    `float *` buffers, with the element counts of every buffer.
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"",
           "The function (default: the only public one)">,
    Option<"header", "header", "std::string", /*default=*/"",
           "Write the C header to this file">,
  ];
  let dependentDialects = ["bufferization::BufferizationDialect",
                           "func::FuncDialect", "memref::MemRefDialect"];
}

#endif // PET_CONVERSION_PASSES_TD
