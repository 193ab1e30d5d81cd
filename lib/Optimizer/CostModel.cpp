//===- CostModel.cpp - How long operators take on the GPU -----------------===//

#include "PET/Optimizer/CostModel.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/LayoutViews.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::pet;

static double bytesOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  unsigned bits = tensor.getElementType().getIntOrFloatBitWidth();
  return static_cast<double>(tensor.getNumElements()) * bits / 8;
}

OpWork CostModel::getWork(Operation *op) {
  OpWork work;
  if (!isa<PETDialect>(op->getDialect())) {
    work.needsKernel = false;
    return work;
  }
  if (isa<ReshapeOp>(op)) {
    work.needsKernel = false; // a view of the same row-major buffer
    return work;
  }
  for (Value operand : op->getOperands())
    work.bytes += bytesOf(operand.getType());
  for (Value result : op->getResults())
    work.bytes += bytesOf(result.getType());
  if (auto linear = dyn_cast<MultiLinearOpInterface>(op)) {
    for (unsigned i = 0; i < op->getNumResults(); ++i)
      for (const MultiLinearTerm &term :
           linear.getMultiLinearDescription(i).terms) {
        double points = 1;
        for (int64_t bound : term.loopBounds)
          points *= static_cast<double>(bound);
        // A multiply and an add per point with two factors (a MAC), one
        // operation per point otherwise.
        work.flops += points * std::max<size_t>(term.factors.size(), 1);
      }
    // Splits and concatenations: what the GPU lowering copies (nothing
    // where a library call reads or writes a view).
    if (std::optional<double> copied = getLayoutCopyBytes(op)) {
      if (*copied < work.bytes) {
        work.asView = true;
        work.bytes = *copied;
        if (work.bytes == 0) {
          work.flops = 0;
          work.needsKernel = false;
        }
      }
    }
    return work;
  }
  // Non-linear operators: a few operations per element.
  for (Value result : op->getResults())
    if (auto tensor = dyn_cast<RankedTensorType>(result.getType()))
      work.flops += 8.0 * static_cast<double>(tensor.getNumElements());
  return work;
}

double CostModel::getRooflineMicros(Operation *op) const {
  return getRooflineMicros(getWork(op));
}

double CostModel::getRooflineMicros(const OpWork &work) const {
  if (!work.needsKernel)
    return 0;
  double compute = work.flops / (device.peakFlops * device.efficiency);
  double memory = work.bytes / (device.memoryBandwidth * device.efficiency);
  return std::max(compute, memory) * 1e6 + device.launchMicros;
}

/// The inherent attributes of `op` without those that only restate a
/// default (stride 1, no padding, dilation 1, one group; pooling strides
/// equal to the kernel), so that equal operators get equal keys however
/// they were written.
static DictionaryAttr getNormalizedProperties(Operation *op) {
  auto props = dyn_cast_or_null<DictionaryAttr>(op->getPropertiesAsAttribute());
  if (!props)
    return props;
  bool pool = isa<AvgPool2DOp, MaxPool2DOp>(op);
  auto kernel = props.getAs<DenseI64ArrayAttr>("kernel");
  auto isDefault = [&](NamedAttribute attr) {
    StringRef name = attr.getName().getValue();
    if (auto groups = dyn_cast<IntegerAttr>(attr.getValue()))
      return name == "groups" && groups.getInt() == 1;
    auto values = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
    if (!values)
      return false;
    auto all = [&](int64_t v) {
      return llvm::all_of(values.asArrayRef(),
                          [&](int64_t x) { return x == v; });
    };
    if (name == "pad_low" || name == "pad_high")
      return all(0);
    if (name == "dilations")
      return all(1);
    if (name == "strides")
      return pool ? kernel && values == kernel : all(1);
    return false;
  };
  SmallVector<NamedAttribute> kept;
  for (NamedAttribute attr : props)
    if (!isDefault(attr))
      kept.push_back(attr);
  return DictionaryAttr::get(op->getContext(), kept);
}

std::string CostModel::getKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName();
  if (DictionaryAttr props = getNormalizedProperties(op);
      props && !props.empty())
    os << ' ' << props;
  os << " : (";
  llvm::interleaveComma(op->getOperandTypes(), os);
  os << ") -> (";
  llvm::interleaveComma(op->getResultTypes(), os);
  os << ')';
  return key;
}

std::optional<double> CostModel::lookup(StringRef key) const {
  auto it = measured.find(key);
  if (it == measured.end())
    return std::nullopt;
  return it->second;
}

bool CostModel::isMeasured(Operation *op) const {
  return !measured.empty() && measured.count(getKey(op));
}

double CostModel::getMicros(Operation *op) const {
  // Layout that the lowering runs (in part) as views: what it still copies.
  if (isa<SplitOp, SliceOp, ConcatOp>(op))
    if (OpWork work = getWork(op); work.asView)
      return getRooflineMicros(work);
  bool record = queries && isa<PETDialect>(op->getDialect());
  if (!record && measured.empty())
    return getRooflineMicros(op);
  std::string key = getKey(op);
  if (record) {
    std::lock_guard<std::mutex> lock(queries->mutex);
    queries->keys.insert(key);
  }
  auto it = measured.find(key);
  return it != measured.end() ? it->second : getRooflineMicros(op);
}

std::vector<std::string> CostModel::getQueriedKeys() const {
  std::vector<std::string> keys;
  if (!queries)
    return keys;
  std::lock_guard<std::mutex> lock(queries->mutex);
  for (const auto &entry : queries->keys)
    keys.push_back(entry.getKey().str());
  llvm::sort(keys);
  return keys;
}

LogicalResult CostModel::loadDatabase(StringRef path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = "cannot read cost database '" + path.str() +
            "': " + buffer.getError().message();
    return failure();
  }
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    error = "cost database '" + path.str() +
            "' is not JSON: " + llvm::toString(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *entries = root ? root->getArray("entries") : nullptr;
  if (!entries) {
    error = "cost database '" + path.str() +
            "' has no \"entries\" array at the top level";
    return failure();
  }
  llvm::StringMap<double> loaded;
  for (auto [i, entry] : llvm::enumerate(*entries)) {
    const llvm::json::Object *object = entry.getAsObject();
    std::optional<StringRef> key =
        object ? object->getString("key") : std::nullopt;
    std::optional<double> micros =
        object ? object->getNumber("time_us") : std::nullopt;
    if (!key || !micros || *micros < 0) {
      error = "cost database '" + path.str() + "': entry " + std::to_string(i) +
              " needs a \"key\" string and a non-negative \"time_us\"";
      return failure();
    }
    loaded[*key] = *micros;
  }
  for (auto &entry : loaded)
    measured[entry.getKey()] = entry.getValue();
  return success();
}
