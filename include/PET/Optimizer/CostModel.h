//===- CostModel.h - How long operators take on the GPU ---------*- C++ -*-===//
//
// The optimizer compares programs by estimated run time. The default is an
// analytical roofline: each operator is one kernel whose time is the larger
// of its arithmetic over the device's peak rate and its memory traffic over
// the memory bandwidth, plus a launch cost. A cost database measured on the
// GPU (JSON, written by the benchmarks) overrides the estimate for the
// operators it lists; anything it lacks falls back to the roofline.
//
//===----------------------------------------------------------------------===//

#ifndef PET_OPTIMIZER_COSTMODEL_H
#define PET_OPTIMIZER_COSTMODEL_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mlir::pet {

/// The device the roofline describes. Defaults: NVIDIA H100 SXM, FP32.
struct DeviceModel {
  std::string name = "NVIDIA H100 SXM (roofline)";
  /// Peak FP32 rate (non-tensor-core), FLOP/s.
  double peakFlops = 67e12;
  /// HBM3 bandwidth, bytes/s.
  double memoryBandwidth = 3.35e12;
  /// Fraction of the peaks a well-tuned kernel reaches.
  double efficiency = 0.7;
  /// Time to launch one kernel inside a CUDA graph, microseconds.
  double launchMicros = 2.0;
};

/// Arithmetic and memory traffic of one operator.
struct OpWork {
  double flops = 0;
  double bytes = 0;
  /// False for operators that need no kernel (a reshape is a view).
  bool needsKernel = true;
  /// True for a split or concatenation that the GPU lowering runs (in part)
  /// as views (LayoutViews.h): `bytes` is what it still copies, and a
  /// measurement of the operator alone (a copy) does not apply.
  bool asView = false;
};

class CostModel {
public:
  explicit CostModel(DeviceModel device = DeviceModel()) : device(device) {}

  /// Reads measured times from a JSON file of the form
  ///   {"device": "...", "entries": [{"key": "<op key>", "time_us": 12.5}]}
  /// Fails with a message naming the file and what is wrong in it.
  LogicalResult loadDatabase(StringRef path, std::string &error);

  /// Estimated time of `op` in microseconds: measured if the database has
  /// its key, else the roofline. Zero for operators outside PET.
  double getMicros(Operation *op) const;
  /// The measured time stored under `key` (an operator's or a whole
  /// program's, see getProgramKey), if the database has it.
  std::optional<double> lookup(StringRef key) const;
  /// Whether `getMicros(op)` comes from a measurement.
  bool isMeasured(Operation *op) const;
  /// The roofline estimate alone.
  double getRooflineMicros(Operation *op) const;
  double getRooflineMicros(const OpWork &work) const;

  /// Arithmetic and traffic of a PET operator.
  static OpWork getWork(Operation *op);
  /// The database key of `op`: its name, inherent attributes and types,
  /// printed (operand names and locations do not matter).
  static std::string getKey(Operation *op);

  const DeviceModel &getDevice() const { return device; }
  size_t getNumMeasurements() const { return measured.size(); }

  /// From now on, remembers the key of every operator whose time is asked
  /// for (thread-safe), so that a profiling run can measure exactly what a
  /// search compared.
  void recordQueries() { queries = std::make_unique<Queries>(); }
  /// The keys asked for since `recordQueries`, sorted.
  std::vector<std::string> getQueriedKeys() const;

private:
  struct Queries {
    std::mutex mutex;
    llvm::StringSet<> keys;
  };

  DeviceModel device;
  llvm::StringMap<double> measured;
  std::unique_ptr<Queries> queries;
};

} // namespace mlir::pet

#endif // PET_OPTIMIZER_COSTMODEL_H
