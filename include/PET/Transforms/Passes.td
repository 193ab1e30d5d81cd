//===- Passes.td - PET passes ------------------------------*- tablegen -*-===//

#ifndef PET_TRANSFORMS_PASSES_TD
#define PET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PETPropagateBoxes : Pass<"pet-propagate-boxes", "func::FuncOp"> {
  let summary = "Attach the box partition of every value computed by a PET operator";
  let description = [{
    Runs box propagation (PET's Theorem 1 regions) over each function and
    records, on every PET operator, the partition of each of its results in
    a `pet.boxes` attribute (an array with one `#pet.partition` per
    result). Results of non-linear operators are a single box: they start a
    new multi-linear subprogram. For inspection and tests; nothing else
    changes.
  }];
}

def PETVerify : Pass<"pet-verify", "ModuleOp"> {
  let summary = "Verify candidate functions against their originals, box by box";
  let description = [{
    For every function carrying `pet.candidate_of = @original`, decides on
    which boxes of each result the candidate computes the same values as the
    original, for all inputs: both output partitions are refined into one and
    each box is tested at Theorem 1's m+1 positions on random inputs in Z_q
    (q = 2^61 - 1), exactly, `trials` times. The verdicts are recorded on the
    candidate's results as `pet.equivalent` and `pet.nonequivalent` arrays
    of `#pet.box`, and summarized in a remark with the error bound: a box
    that is not equivalent is reported equivalent with probability at most
    (d/q)^trials, d being the programs' polynomial degree.

    Both functions must be multi-linear (an operator without an exact
    semantics is reported by name) and have the same signature.
  }];
  let options = [
    Option<"trials", "trials", "unsigned", /*default=*/"2",
           "Independent random trials per tested position">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0x5e7c0de",
           "Seed of the random inputs">,
  ];
}

def PETSplit : Pass<"pet-split", "ModuleOp"> {
  let summary = "Split functions into multi-linear subprograms at non-linear operators";
  let description = [{
    Groups the multi-linear operators of each function into subprograms:
    maximal sets connected through the values they pass each other, so that
    non-linear operators (and operators of other dialects) fall between
    them. Each operator gets its subprogram's number as `pet.subprogram`.
    With `outline`, each subprogram becomes a private function
    `@<function>_sub<N>` taking the subprogram's inputs and returning its
    outputs, called where the operators were: a form to inspect, or to hand
    a subprogram to other tools, one at a time. The other PET passes find
    subprograms themselves and need neither form.
  }];
  let options = [
    Option<"outline", "outline", "bool", /*default=*/"false",
           "Outline each subprogram into a function of its own">,
  ];
  let dependentDialects = ["func::FuncDialect"];
}

def PETEstimateCost : Pass<"pet-estimate-cost", "ModuleOp"> {
  let summary = "Estimate the GPU time of every PET operator and function";
  let description = [{
    Records on every PET operator its estimated time in microseconds as
    `pet.cost_us` (with `pet.measured` when it comes from the cost database
    rather than the analytical roofline of an H100), and summarizes each
    function in a remark. With `emit-keys`, also records the key under which
    a cost database lists the operator (`pet.cost_key`), for the benchmarks
    that measure and write such databases.
  }];
  let options = [
    Option<"costDb", "cost-db", "std::string", /*default=*/"",
           "JSON file of measured operator times (see CostModel.h)">,
    Option<"emitKeys", "emit-keys", "bool", /*default=*/"false",
           "Record each operator's cost-database key">,
  ];
}

def PETMutate : Pass<"pet-mutate", "ModuleOp"> {
  let summary = "Replace multi-linear subprograms by cheaper verified mutants";
  let description = [{
    For each multi-linear subprogram of each public function (see
    `--pet-split`), enumerates mutants with PET's generator (depth-first
    search over an operator set derived from the subprogram's shapes and
    operators, Z_q fingerprints to drop duplicates), verifies each box by
    box, and estimates its cost with the cost model, counting the
    recomputation of its wrong boxes; where the cost database holds a
    measurement of a whole program (`pet.program_key`, see `candidates`),
    that measurement is its cost. The cheapest few (`beam-width`) are
    mutated again, for `rounds` rounds; a program of a later round is
    verified against the original subprogram. Searches run in parallel
    (`--mlir-disable-threading` turns that off). The cheapest program
    found replaces the subprogram if it beats it; its wrong boxes are
    recorded in a `pet.correct` operation that recomputes them with the
    original subprogram, so the function keeps its values exactly. A remark per
    replacement says what was found and the estimated times. Subprograms
    measured alone do not see what changes around them (a convolution's
    fused epilogue or in-place concatenation lost to a mutant's layout):
    where the database also holds the whole function, as it was and as
    optimized (`python -m pet_mlir.bench collect` records the benchmark's
    programs), and the optimized one did not measure faster, the function
    is kept as it was (`whole-program-check`), with a remark. Deterministic
    for fixed options.
  }];
  let options = [
    Option<"depth", "depth", "unsigned", /*default=*/"4",
           "Operators in a mutant at most">,
    Option<"maxStates", "max-states", "unsigned", /*default=*/"3000",
           "Search states per searched part at most, times the square of "
           "its number of convolutions and matmuls">,
    Option<"minEquivalent", "min-equivalent", "double", /*default=*/"0.7",
           "Fraction of output positions a mutant must get right">,
    Option<"seed", "seed", "uint64_t", /*default=*/"0x5e7",
           "Seed of the fingerprints and of the verifier's inputs">,
    Option<"trials", "trials", "unsigned", /*default=*/"2",
           "Random Z_q trials per verified position">,
    Option<"costDb", "cost-db", "std::string", /*default=*/"",
           "JSON file of measured operator times (see CostModel.h)">,
    Option<"minGain", "min-gain", "double", /*default=*/"0.0",
           "Fraction of the estimated time a mutant must save; negative "
           "accepts slower mutants (for testing)">,
    Option<"report", "report", "std::string", /*default=*/"",
           "Write what the search did, per subprogram, to this JSON file">,
    Option<"maxWindowOps", "max-window-ops", "unsigned", /*default=*/"2",
           "Subprograms with more operators are searched in windows: "
           "groups of convolutions/matmuls sharing an operand, and single "
           "ones">,
    ListOption<"operators", "operators", "std::string",
           "Operators mutants may use (default all: conv2d, matmul, pad, "
           "split, concat, reshape, transpose, add)">,
    Option<"costKeys", "cost-keys", "std::string", /*default=*/"",
           "Write the database keys of every operator whose time the "
           "searches asked for to this JSON file ({\"keys\": [...]})">,
    Option<"timeLimit", "time-limit", "double", /*default=*/"0",
           "Seconds the searches may take in all (0: no limit); a search "
           "still running then keeps the best mutant it found">,
    Option<"beamWidth", "beam-width", "unsigned", /*default=*/"2",
           "Cheapest programs of a round mutated again in the next">,
    Option<"rounds", "rounds", "unsigned", /*default=*/"2",
           "Rounds of mutation per searched part (1: mutants of the "
           "original only)">,
    Option<"candidatesPerPart", "candidates-per-part", "unsigned",
           /*default=*/"8",
           "Cheapest distinct programs a search keeps (by estimate) for a "
           "measurement to choose among">,
    Option<"candidates", "candidates", "std::string", /*default=*/"",
           "Write each distinct search's original and kept programs "
           "(mutants with their corrections) as functions of one module to "
           "this file, each with its `pet.program_key`, for a profiler to "
           "time whole (`python -m pet_mlir.measure`)">,
    Option<"requireMeasured", "require-measured", "bool", /*default=*/"false",
           "Replace a subprogram only by a program the cost database has "
           "measured whole, and only if it was measured faster than the "
           "measured original">,
    Option<"layoutAlternatives", "layout-alternatives", "bool",
           /*default=*/"true",
           "Also keep each program that the GPU lowering runs with layout "
           "views as its twin lowered with copies (`pet.copy_layout`), "
           "keyed apart, so that a measurement chooses between them">,
    Option<"wholeProgramCheck", "whole-program-check", "bool",
           /*default=*/"true",
           "Keep a function as it was when the cost database measured it "
           "whole (`key_before` in the report) and its optimized form "
           "(`key_after`) no faster">,
  ];
  let dependentDialects = ["func::FuncDialect"];
}

def PETCorrect : Pass<"pet-correct", "func::FuncOp"> {
  let summary = "Materialize corrections: recompute the original on the wrong boxes only";
  let description = [{
    Replaces every `pet.correct` by explicit operators: for each of its
    boxes, the original subprogram recomputed on exactly that box, from
    slices of its inputs' receptive fields (zero-padded where the box reads
    the original's padding), written into the mutant's result with
    `pet.insert`. Convolutions, matrix products, element-wise operators,
    scaling and transposes are restricted to the box; other operators are
    computed whole and sliced. Adjacent boxes that together form a box are
    merged first. The function keeps its values exactly.
  }];
}

def PETCorrectionKernels : Pass<"pet-correction-kernels", "func::FuncOp"> {
  let summary = "Lower each correction to one parallel loop over all its wrong positions";
  let description = [{
    Replaces a `pet.correct` by one `scf.forall` over every position of
    every box of every result (merged boxes first, as `--pet-correct` does).
    Each iteration evaluates the original subprogram at its position
    directly from the operators' multi-linear descriptions (reduction loops
    inside the iteration, reads outside an operand giving zero) and the
    element-wise non-linear operators' scalar functions, and writes the
    value into the mutant's result in place (`tensor.parallel_insert_slice`).
    On the GPU that is one kernel per subprogram's corrections instead of a
    slice, a library call and an insert per box. Where one result's
    positions each take more than 256 multiply-adds of one reducing operator
    (a convolution's seam over many channels), its first reduction loop is
    split: a loop over (chunk, position) computes the chunks' partial sums
    (a GPU thread each, about 256 multiply-adds), and the loop over the
    positions adds them up (two kernels).

    A correction stays as it is (for `--pet-correct`) when its region holds
    an operator that is neither (softmax, layer norm, max pooling), or when
    its positions times the multiply-adds of one position exceed
    `max-work` (then the library's convolution on the box is faster than
    one thread per position).
  }];
  let options = [
    Option<"maxWork", "max-work", "int64_t", /*default=*/"int64_t(1) << 25",
           "Positions times multiply-adds per position at most">,
  ];
}

def PETEvaluate : Pass<"pet-evaluate", "ModuleOp"> {
  let summary = "Print a function's results on generated inputs (reference evaluator)";
  let description = [{
    Evaluates `func` with PET's reference evaluator (double precision) on
    the inputs `--pet-add-runner-main` generates for the same seed, and
    prints each result to standard output as
    `pet-evaluate result <i> sizes = [<shape>] data = <values>`: the
    reference the CPU path, IREE and the GPU are compared with.
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"",
           "The function to evaluate (default: the only public one)">,
    Option<"seed", "seed", "int64_t", /*default=*/"1",
           "Seed of the generated inputs">,
  ];
}

def PETFuseCorrections : Pass<"pet-fuse-corrections", "func::FuncOp"> {
  let summary = "Move element-wise operators through correction inserts";
  let description = [{
    PET's fusion-friendly grouping of corrections: an element-wise operator
    (relu, gelu, sigmoid, tanh, scale, or add/sub/mul with an operand
    broadcast along the inserted region, as biases and batch-norm scales
    are) applied to a `pet.insert` that writes corrected boxes into a
    mutant's result is applied to both sides instead, and the insert comes
    after it: `relu(insert(c into m))` becomes `insert(relu(c) into
    relu(m))`, the other operand of a binary operator sliced to the box.
    The mutant's convolution or matmul is then followed directly by its
    bias and activation (what cuDNN fuses into one kernel), and so is each
    correction, whose extra work is its box only. The function keeps its
    values exactly; inserts read by more than one operator stay.
  }];
}

def PETFoldChannelScales : Pass<"pet-fold-channel-scales", "func::FuncOp"> {
  let summary = "Fold per-output-channel scales of convolutions into their filters";
  let description = [{
    `pet.mul(pet.conv2d(x, w), s)` with `s` one factor per output channel
    (`1 x F x 1 x 1` or `F x 1 x 1`, or a single value), and `pet.scale` of
    a convolution, become `pet.conv2d(x, w * s)` when the filter and the
    factors depend only on weights (inference batch-norm's scale, say):
    `--pet-preprocess` then computes the scaled filter once, and the
    convolution is followed directly by its bias and activation, which the
    GPU lowering fuses into one cuDNN call. The convolution must have no
    other reader. The values are mathematically the same; rounding differs
    as the products are associated differently.
  }];
}

def PETMergeSplitBiases : Pass<"pet-merge-split-biases", "func::FuncOp"> {
  let summary = "Add the pieces' biases of a split before it, as one concatenated bias";
  let description = [{
    A post-optimization: `pet.split` along the last axis whose every piece
    is read only by a `pet.add` of a bias that varies along that axis alone
    (`1 x ... x 1 x piece`, one rank for all, available before the split)
    becomes a `pet.add` of the biases' `pet.concat` before the split, and
    the split of that. Merged projections (attention's Q, K and V as one
    product, split) then carry one bias: `--pet-preprocess` concatenates
    weights once at load, and the GPU lowering adds it in the product's
    epilogue instead of a concatenation kernel on every pass. Every element
    gets the same addition as before.
  }];
}

def PETPreprocess : Pass<"pet-preprocess", "ModuleOp"> {
  let summary = "Compute once what depends only on weights";
  let description = [{
    PET's preprocessing post-optimization. A PET operator whose operands
    are all constants (weights imported as `arith.constant`, and what the
    mutants make of them: zero-extended or concatenated filters, reshaped
    or transposed matrices) is replaced by a constant holding its result,
    computed at compile time in double precision and rounded to the element
    type. Results larger than `max-elements` stay as they are.

    Weights passed as arguments are marked `{pet.weight}`. The operators
    that depend only on them (and constants) move into a new public
    function `@<name>_preprocess`, which takes the function's weight
    arguments in order and returns the preprocessed weights; the function
    takes those as new trailing arguments (marked `{pet.weight,
    pet.preprocessed}`) and names the new function in its
    `pet.preprocess` attribute. A runtime calls it once, at load. Weight
    arguments that nothing reads any more stay, so that argument positions
    do not change. Functions called within the module keep their
    signature (a remark says so).
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"16777216",
           "Largest constant to create, in elements">,
  ];
  let dependentDialects = ["arith::ArithDialect", "func::FuncDialect"];
}

#endif // PET_TRANSFORMS_PASSES_TD
