// Partitioners decide which reduce partition a key goes to. They ship with the
// shuffle dependency, so they are registered types like RDD nodes.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "ember/common/hash.h"
#include "ember/core/registry.h"

namespace ember {

template <class K>
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  virtual int numPartitions() const = 0;
  virtual int getPartition(const K& key) const = 0;
  virtual const char* typeKey() const = 0;
  virtual void serialize(ByteWriter& w) const = 0;

  static std::shared_ptr<Partitioner<K>> read(ByteReader& r, GraphReader& g) {
    std::string key = r.readString();
    return Registry<Partitioner<K>>::create(key, r, g);
  }
  void write(ByteWriter& w) const {
    w.writeString(typeKey());
    serialize(w);
  }
};

template <class K>
class HashPartitioner : public Partitioner<K>, public Registered<HashPartitioner<K>, Partitioner<K>> {
 public:
  explicit HashPartitioner(int n) : n_(n) {}
  int numPartitions() const override { return n_; }
  int getPartition(const K& key) const override {
    return static_cast<int>(Hasher<K>{}(key) % static_cast<uint64_t>(n_));
  }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w) const override { w.writeVarint(static_cast<uint64_t>(n_)); }
  static std::shared_ptr<Partitioner<K>> deserialize(ByteReader& r, GraphReader&) {
    return std::make_shared<HashPartitioner<K>>(static_cast<int>(r.readVarint()));
  }

 private:
  int n_;
};

// Keys up to bounds[0] go to partition 0, up to bounds[1] to partition 1, ...
// (reversed when descending). Bounds come from a sample of the data (rdd.h).
template <class K>
class RangePartitioner : public Partitioner<K>, public Registered<RangePartitioner<K>, Partitioner<K>> {
 public:
  RangePartitioner(std::vector<K> bounds, bool ascending)
      : bounds_(std::move(bounds)), ascending_(ascending) {}
  int numPartitions() const override { return static_cast<int>(bounds_.size()) + 1; }
  int getPartition(const K& key) const override {
    int p = static_cast<int>(std::lower_bound(bounds_.begin(), bounds_.end(), key) - bounds_.begin());
    return ascending_ ? p : static_cast<int>(bounds_.size()) - p;
  }
  const char* typeKey() const override { return this->registeredKey(); }
  void serialize(ByteWriter& w) const override {
    Serde<std::vector<K>>::write(w, bounds_);
    w.writeRaw(ascending_);
  }
  static std::shared_ptr<Partitioner<K>> deserialize(ByteReader& r, GraphReader&) {
    auto bounds = Serde<std::vector<K>>::read(r);
    bool asc = r.readRaw<bool>();
    return std::make_shared<RangePartitioner<K>>(std::move(bounds), asc);
  }

 private:
  std::vector<K> bounds_;
  bool ascending_;
};

// repartition(): records carry consecutive integer keys from a per-partition starting
// point; key mod n spreads them evenly whatever the data.
class ModuloPartitioner : public Partitioner<int64_t>, public Registered<ModuloPartitioner, Partitioner<int64_t>> {
 public:
  explicit ModuloPartitioner(int n) : n_(n) {}
  int numPartitions() const override { return n_; }
  int getPartition(const int64_t& key) const override {
    return static_cast<int>(static_cast<uint64_t>(key) % static_cast<uint64_t>(n_));
  }
  const char* typeKey() const override { return registeredKey(); }
  void serialize(ByteWriter& w) const override { w.writeVarint(static_cast<uint64_t>(n_)); }
  static std::shared_ptr<Partitioner<int64_t>> deserialize(ByteReader& r, GraphReader&) {
    return std::make_shared<ModuloPartitioner>(static_cast<int>(r.readVarint()));
  }

 private:
  int n_;
};

}  // namespace ember
