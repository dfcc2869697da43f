#include "ember/core/rdd_base.h"

#include <algorithm>
#include <functional>

#include "ember/core/registry.h"

namespace ember {

const char* storageLevelName(StorageLevel level) {
  switch (level) {
    case StorageLevel::None: return "NONE";
    case StorageLevel::MemoryOnly: return "MEMORY_ONLY";
    case StorageLevel::MemoryAndDisk: return "MEMORY_AND_DISK";
    case StorageLevel::DiskOnly: return "DISK_ONLY";
  }
  return "?";
}

std::string RDDBase::displayName() const { return info_.opName + " at " + info_.callSite; }

std::vector<std::shared_ptr<Dependency>> RDDBase::dependencies() const {
  std::lock_guard lock(mutex_);
  return deps_;
}

std::string RDDBase::checkpointDir() const {
  std::lock_guard lock(mutex_);
  return checkpointDir_;
}

void RDDBase::setCheckpointed(std::string dir) {
  std::lock_guard lock(mutex_);
  checkpointDir_ = std::move(dir);
  deps_.clear();  // lineage truncated: partitions now come from the files
}

namespace {
std::string describe(const RDDBase& r) {
  std::string tags;
  if (r.storageLevel() != StorageLevel::None) tags = storageLevelName(r.storageLevel());
  if (!r.checkpointDir().empty()) tags += std::string(tags.empty() ? "" : ", ") + "checkpointed";
  return r.className() + "[" + std::to_string(r.id()) + "] at " + r.displayName() + " [" + tags +
         "]";
}

// Spark's layout: a block starts with "(partitions) node"; narrow parents follow as
// " |  node" lines; a shuffle parent opens an indented block " +-(n) node".
void appendChildren(const RDDBase& r, const std::string& blockPrefix, std::string& out);

void appendBlock(const RDDBase& r, const std::string& prefix, const char* marker,
                 std::string& out) {
  if (!out.empty()) out += '\n';
  out += prefix + marker + "(" + std::to_string(r.numPartitions()) + ") " + describe(r);
  appendChildren(r, *marker ? prefix + "   " : prefix, out);
}

void appendChildren(const RDDBase& r, const std::string& blockPrefix, std::string& out) {
  for (const auto& d : r.dependencies()) {
    if (!d->rdd()) continue;
    if (d->isShuffle()) {
      appendBlock(*d->rdd(), blockPrefix, " +-", out);
    } else {
      out += '\n' + blockPrefix + " |  " + describe(*d->rdd());
      appendChildren(*d->rdd(), blockPrefix, out);
    }
  }
}
}  // namespace

std::string RDDBase::toDebugString() const {
  std::string out;
  appendBlock(*this, "", "", out);
  return out;
}

void GraphWriter::writeRdd(const RDDBase& rdd) {
  if (std::find(written_.begin(), written_.end(), rdd.id()) != written_.end()) {
    w_.writeVarint(0);
    w_.writeVarint(static_cast<uint64_t>(rdd.id()));
    return;
  }
  std::string cp = rdd.checkpointDir();
  w_.writeVarint(1);
  w_.writeString(cp.empty() ? rdd.typeKey() : rdd.checkpointTypeKey());
  w_.writeVarint(static_cast<uint64_t>(rdd.id()));
  w_.writeVarint(static_cast<uint64_t>(rdd.numPartitions()));
  w_.writeString(rdd.opName());
  w_.writeString(rdd.callSite());
  w_.writeRaw<uint8_t>(static_cast<uint8_t>(rdd.storageLevel()));
  w_.writeString(cp);
  if (cp.empty()) rdd.serializePayload(w_, *this);
  written_.push_back(rdd.id());
}

RDDBasePtr GraphReader::readRdd() {
  uint64_t tag = r_.readVarint();
  if (tag == 0) {
    int id = static_cast<int>(r_.readVarint());
    for (auto& [i, p] : read_)
      if (i == id) return p;
    throw InternalError("shipped RDD graph refers to unknown RDD " + std::to_string(id));
  }
  std::string key = r_.readString();
  RDDBase::Info info;
  info.id = static_cast<int>(r_.readVarint());
  info.numPartitions = static_cast<int>(r_.readVarint());
  info.opName = r_.readString();
  info.callSite = r_.readString();
  auto level = static_cast<StorageLevel>(r_.readRaw<uint8_t>());
  std::string cp = r_.readString();
  stack_.push_back(std::move(info));
  RDDBasePtr node;
  try {
    node = Registry<RDDBase>::create(key, r_, *this);
  } catch (...) {
    stack_.pop_back();
    throw;
  }
  stack_.pop_back();
  node->setStorageLevel(level);
  if (!cp.empty()) node->setCheckpointed(cp);
  read_.emplace_back(node->id(), node);
  return node;
}

std::string StagePayload::serialize() const {
  ByteWriter w;
  GraphWriter g(w);
  if (shuffleDep) {
    w.writeRaw<uint8_t>(1);
    w.writeString(shuffleDep->typeKey());
    shuffleDep->serialize(w, g);
  } else {
    w.writeRaw<uint8_t>(0);
    g.writeRdd(*rdd);
    w.writeString(func->typeKey());
    func->serialize(w, g);
  }
  return w.take();
}

std::shared_ptr<StagePayload> StagePayload::deserialize(std::string_view bytes) {
  ByteReader r(bytes);
  GraphReader g(r);
  auto p = std::make_shared<StagePayload>();
  if (r.readRaw<uint8_t>() == 1) {
    std::string key = r.readString();
    p->shuffleDep = Registry<ShuffleDependencyBase>::create(key, r, g);
    p->rdd = p->shuffleDep->rdd();
  } else {
    p->rdd = g.readRdd();
    std::string key = r.readString();
    p->func = Registry<JobFunctionBase>::create(key, r, g);
  }
  return p;
}

}  // namespace ember
