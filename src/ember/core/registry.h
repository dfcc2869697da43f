// The registry that lets executors rebuild what the driver ships (ARCHITECTURE.md §2).
//
// Executors run the same binary as the driver. Every shippable class template
// (an RDD node, a shuffle dependency, a job function, a partitioner, an aggregator)
// registers a factory under its type's identity when the template is instantiated;
// because the instantiation is in the binary, the executor process runs the same static
// initialiser and can look the factory up by name. The key is the mangled type name,
// which identifies a lambda's closure type uniquely within one binary.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <typeinfo>

#include "ember/common/errors.h"
#include "ember/common/serde.h"

namespace ember {

class GraphReader;

template <class Base>
class Registry {
 public:
  using Factory = std::shared_ptr<Base> (*)(ByteReader&, GraphReader&);

  static bool add(const char* key, Factory f) {
    std::lock_guard lock(mutex());
    map().emplace(key, f);
    return true;
  }
  static std::shared_ptr<Base> create(const std::string& key, ByteReader& r, GraphReader& g) {
    Factory f = nullptr;
    {
      std::lock_guard lock(mutex());
      auto it = map().find(key);
      if (it != map().end()) f = it->second;
    }
    if (!f)
      throw InternalError("no factory registered for type '" + key +
                          "': driver and executor must run the same binary");
    return f(r, g);
  }

 private:
  static std::map<std::string, Factory>& map() {
    static std::map<std::string, Factory> m;
    return m;
  }
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
};

// Mixin for a concrete shippable type `Self` deriving from `Base`: registers
// `Self::deserialize(ByteReader&, GraphReader&)` at start-up and provides typeKey().
// Self must call `registeredKey()` from a virtual function (typeKey) so that the
// registration is instantiated together with the class.
template <class Self, class Base>
struct Registered {
  static const char* registeredKey() {
    (void)registered_;
    return typeid(Self).name();
  }

 private:
  static std::shared_ptr<Base> make(ByteReader& r, GraphReader& g) {
    return Self::deserialize(r, g);
  }
  static inline const bool registered_ = Registry<Base>::add(typeid(Self).name(), &make);
};

}  // namespace ember
