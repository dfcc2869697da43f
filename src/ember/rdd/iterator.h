// Pull iterators: how a partition's records flow through the fused narrow
// transformations of a stage, one record at a time, with no intermediate collections.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/common/errors.h"

namespace ember {

template <class T>
class Iterator {
 public:
  virtual ~Iterator() = default;
  // Moves the next record into `out`; false at the end.
  virtual bool next(T& out) = 0;
  // Moves up to n next records into out[0..n); returns how many. Fewer than n only at
  // the end. The same records as calling next() n times; fused operators override it
  // to pass records in batches (one virtual call per batch, not per record), and then
  // an operator may run its function on a whole batch before the next operator sees
  // the first record of it.
  virtual size_t nextBatch(T* out, size_t n) {
    size_t i = 0;
    while (i < n && next(out[i])) ++i;
    return i;
  }
};

template <class T>
using IterPtr = std::unique_ptr<Iterator<T>>;

template <class T>
class VectorIterator : public Iterator<T> {
 public:
  explicit VectorIterator(std::vector<T> v) : v_(std::move(v)) {}
  bool next(T& out) override {
    if (i_ >= v_.size()) return false;
    out = std::move(v_[i_++]);
    return true;
  }

 private:
  std::vector<T> v_;
  size_t i_ = 0;
};

// Iterates a vector shared with others (a cached block): copies each record.
template <class T>
class SharedVectorIterator : public Iterator<T> {
 public:
  explicit SharedVectorIterator(std::shared_ptr<const std::vector<T>> v) : v_(std::move(v)) {}
  bool next(T& out) override {
    if (i_ >= v_->size()) return false;
    out = (*v_)[i_++];
    return true;
  }

 private:
  std::shared_ptr<const std::vector<T>> v_;
  size_t i_ = 0;
};

template <class T>
class EmptyIterator : public Iterator<T> {
 public:
  bool next(T&) override { return false; }
};

// An exception thrown by user code inside an operation, annotated with the operation
// ("map at wordcount.cpp:42"), the partition and the record number.
class OperationError : public UserError {
 public:
  using UserError::UserError;
};

// Calls user code; annotates its exceptions once (the innermost operation names itself).
template <class Fn>
decltype(auto) callUser(const char* opName, const std::string& callSite, int partition,
                        long long record, Fn&& fn) {
  try {
    return fn();
  } catch (const OperationError&) {
    throw;
  } catch (const TaskKilledError&) {
    throw;
  } catch (const FetchFailedError&) {
    throw;
  } catch (const UserError& e) {  // the record or the code is bad: retrying repeats it
    throw OperationError(std::string(opName) + " at " + callSite + " failed on record " +
                             std::to_string(record) + " of partition " + std::to_string(partition) +
                             ": " + e.what(),
                         e.deterministic());
  } catch (const std::exception& e) {
    throw OperationError(std::string(opName) + " at " + callSite + " failed on record " +
                             std::to_string(record) + " of partition " + std::to_string(partition) +
                             ": " + e.what(),
                         false);
  }
}

template <class T>
std::vector<T> drain(Iterator<T>& it) {
  std::vector<T> out;
  T x;
  while (it.next(x)) out.push_back(std::move(x));
  return out;
}

}  // namespace ember
