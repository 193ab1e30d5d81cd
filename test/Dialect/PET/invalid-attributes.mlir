// RUN: pet-opt %s -split-input-file -verify-diagnostics

// Parse and verification errors of #pet.box and #pet.partition. Verifier
// errors point at the attribute body (the `<`), syntax errors at the token
// that is wrong.

//===----------------------------------------------------------------------===//
// #pet.box
//===----------------------------------------------------------------------===//

// expected-error @+1 {{box interval [3, 1) of dimension 0 has its lower bound above its upper bound}}
module attributes {pet.region = #pet.box<[3:1]>} {}

// -----

// expected-error @+1 {{box interval [-2, -4) of dimension 1 has its lower bound above its upper bound}}
module attributes {pet.region = #pet.box<[0:4, -2:-4]>} {}

// -----

func.func @box_on_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{box interval [5, 4) of dimension 0 has its lower bound above its upper bound}}
  %0 = pet.relu %x {pet.region = #pet.box<[5:4]>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{expected ':'}}
module attributes {pet.region = #pet.box<[0:4, 1]>} {}

// -----

// expected-error @+1 {{expected ':'}}
module attributes {pet.region = #pet.box<[0 4]>} {}

// -----

// expected-error @+1 {{expected '['}}
module attributes {pet.region = #pet.box<0:4>} {}

// -----

// expected-error @+1 {{expected integer value}}
module attributes {pet.region = #pet.box<[0:4, 0:2,]>} {}

// -----

// expected-error @+1 {{expected integer value}}
module attributes {pet.region = #pet.box<[0:n]>} {}

// -----

// expected-error @+1 {{integer value too large}}
module attributes {pet.region = #pet.box<[0:9223372036854775808]>} {}

// -----

// expected-error @+1 {{unknown attribute `frob` in dialect `pet`}}
module attributes {pet.region = #pet.frob<[0:4]>} {}

// -----

//===----------------------------------------------------------------------===//
// #pet.partition
//===----------------------------------------------------------------------===//

// expected-error @+1 {{boxes do not partition the tensor: boxes #0 ([0:2, 0:4]) and #1 ([1:4, 0:4]) overlap}}
module attributes {pet.region = #pet.partition<[4, 4] : [0:2, 0:4], [1:4, 0:4]>} {}

// -----

// Overlap is reported for the first box that meets an earlier one.
// expected-error @+1 {{boxes do not partition the tensor: boxes #1 ([1:2]) and #3 ([1:2]) overlap}}
module attributes {pet.region = #pet.partition<[3] : [0:1], [1:2], [2:3], [1:2]>} {}

// -----

// Two rank-0 boxes: the one position is covered twice.
// expected-error @+1 {{boxes do not partition the tensor: boxes #0 ([]) and #1 ([]) overlap}}
module attributes {pet.region = #pet.partition<[] : [], []>} {}

// -----

// The 3x3-convolution regions of a 4x4 plane with the center missing.
// expected-error @+1 {{boxes do not partition the tensor: the boxes cover 12 of the tensor's 16 positions}}
module attributes {pet.region = #pet.partition<[4, 4] : [0:1, 0:1], [0:1, 1:3], [0:1, 3:4], [1:3, 0:1], [1:3, 3:4], [3:4, 0:1], [3:4, 1:3], [3:4, 3:4]>} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: the boxes cover 0 of the tensor's 2 positions}}
module attributes {pet.region = #pet.partition<[2] : >} {}

// -----

// A rank-0 tensor has one position, which needs a box.
// expected-error @+1 {{boxes do not partition the tensor: the boxes cover 0 of the tensor's 1 positions}}
module attributes {pet.region = #pet.partition<[] : >} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: box #1 ([2:5]) is not inside the tensor ([0:4])}}
module attributes {pet.region = #pet.partition<[4] : [0:2], [2:5]>} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: box #0 ([-1:1, 0:2]) is not inside the tensor ([0:2, 0:2])}}
module attributes {pet.region = #pet.partition<[2, 2] : [-1:1, 0:2], [1:2, 0:2]>} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: box #0 has rank 3 but the tensor has rank 2}}
module attributes {pet.region = #pet.partition<[2, 2] : [0:2, 0:2, 0:1]>} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: box #1 has rank 1 but the tensor has rank 0}}
module attributes {pet.region = #pet.partition<[] : [], [0:1]>} {}

// -----

// expected-error @+1 {{boxes do not partition the tensor: box #1 ([1:1, 0:2]) is empty}}
module attributes {pet.region = #pet.partition<[2, 2] : [0:2, 0:2], [1:1, 0:2]>} {}

// -----

// A tensor with no positions admits no box, not even an empty one.
// expected-error @+1 {{boxes do not partition the tensor: box #0 ([0:0, 0:3]) is empty}}
module attributes {pet.region = #pet.partition<[0, 3] : [0:0, 0:3]>} {}

// -----

// expected-error @+1 {{partition shape has a negative size -1 in dimension 0}}
module attributes {pet.region = #pet.partition<[-1] : >} {}

// -----

// expected-error @+1 {{partition shape has a negative size -3 in dimension 1}}
module attributes {pet.region = #pet.partition<[2, -3] : [0:2, 0:0]>} {}

// -----

// A box of the partition is verified when it is parsed, at its position.
// expected-error @+1 {{box interval [2, 1) of dimension 0 has its lower bound above its upper bound}}
module attributes {pet.region = #pet.partition<[2] : [0:1], [2:1]>} {}

// -----

func.func @partition_on_op(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{boxes do not partition the tensor: boxes #0 ([0:4, 0:2]) and #1 ([0:4, 1:4]) overlap}}
  %0 = pet.relu %x {pet.region = #pet.partition<[4, 4] : [0:4, 0:2], [0:4, 1:4]>} : tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Missing colon between the shape and the boxes.
// expected-error @+1 {{expected ':'}}
module attributes {pet.region = #pet.partition<[4] [0:4]>} {}

// -----

// Missing comma between boxes.
// expected-error @+1 {{expected '>'}}
module attributes {pet.region = #pet.partition<[4] : [0:2] [2:4]>} {}

// -----

// Trailing comma after the last box.
// expected-error @+1 {{expected '['}}
module attributes {pet.region = #pet.partition<[4] : [0:4],>} {}

// -----

// The boxes are written without the #pet.box prefix.
// expected-error @+1 {{expected '['}}
module attributes {pet.region = #pet.partition<[4] : #pet.box<[0:4]>>} {}

// -----

// The shape is a list of sizes, not a box.
// expected-error @+1 {{expected ']'}}
module attributes {pet.region = #pet.partition<[0:4] : [0:4]>} {}

// -----

// expected-error @+1 {{expected integer value}}
module attributes {pet.region = #pet.partition<[1.5] : [0:1]>} {}

// -----

// A tensor of 2^64 positions: its volume does not wrap around to 0.
// expected-error @+1 {{boxes do not partition the tensor: the tensor has too many positions (2^63 or more) to partition}}
module attributes {pet.region = #pet.partition<[4294967296, 4294967296] : >} {}

// -----

// expected-error @+1 {{'pet.weight' on argument 0 must be a unit attribute}}
func.func @weight_not_unit(%w: tensor<2xf32> {pet.weight = 1 : i64}) {
  return
}

// -----

// expected-error @+1 {{'pet.preprocess' must name a function (@name)}}
func.func @preprocess_not_symbol() attributes {pet.preprocess = "init"} {
  return
}

// -----

// expected-error @+1 {{'pet.preprocessed' on argument 1 must be a unit attribute}}
func.func @preprocessed_not_unit(%x: tensor<2xf32>, %w: tensor<2xf32> {pet.weight, pet.preprocessed = true}) {
  return
}

// -----

// expected-error @+1 {{'pet.preprocess' names @missing, which is not a function with a body here}}
func.func @preprocess_missing() attributes {pet.preprocess = @missing} {
  return
}

// -----

func.func @init() {
  return
}
// expected-error @+1 {{'pet.preprocess' must be on a func.func}}
module attributes {pet.preprocess = @init} {}

// -----

func.func @init(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
// expected-error @+1 {{'pet.preprocessed' arguments must come last: argument 0 is followed by argument 1, which is not}}
func.func @preprocessed_not_last(%p: tensor<4xf32> {pet.weight, pet.preprocessed}, %x: tensor<4xf32>, %w: tensor<4xf32> {pet.weight}) attributes {pet.preprocess = @init} {
  return
}

// -----

func.func @init(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
// expected-error @+1 {{'pet.preprocessed' argument 2 must be a weight too ('pet.weight')}}
func.func @preprocessed_not_weight(%x: tensor<4xf32>, %w: tensor<4xf32> {pet.weight}, %p: tensor<4xf32> {pet.preprocessed}) attributes {pet.preprocess = @init} {
  return
}

// -----

// expected-error @+1 {{'pet.preprocessed' argument 1 needs the function's 'pet.preprocess' to compute it}}
func.func @preprocessed_without_function(%x: tensor<4xf32>, %p: tensor<4xf32> {pet.weight, pet.preprocessed}) {
  return
}

// -----

func.func @init(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
// expected-error @+1 {{preprocessing function @init takes ('tensor<4xf32>') but the function's weights are ('tensor<2xf32>')}}
func.func @preprocess_takes_other_weights(%x: tensor<4xf32>, %w: tensor<2xf32> {pet.weight}, %p: tensor<4xf32> {pet.weight, pet.preprocessed}) attributes {pet.preprocess = @init} {
  return
}

// -----

func.func @init(%w: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  return %w, %w : tensor<4xf32>, tensor<4xf32>
}
// expected-error @+1 {{preprocessing function @init returns ('tensor<4xf32>', 'tensor<4xf32>') but the function's preprocessed arguments are ('tensor<4xf32>')}}
func.func @preprocess_returns_more(%x: tensor<4xf32>, %w: tensor<4xf32> {pet.weight}, %p: tensor<4xf32> {pet.weight, pet.preprocessed}) attributes {pet.preprocess = @init} {
  return
}

// -----

func.func @init(%w: tensor<4xf32>) -> tensor<4xf32> {
  return %w : tensor<4xf32>
}
// A function whose weights are preprocessed by @init.
func.func @preprocessed(%x: tensor<4xf32>, %w: tensor<4xf32> {pet.weight}, %p: tensor<4xf32> {pet.weight, pet.preprocessed}) attributes {pet.preprocess = @init} {
  return
}
