// Shipping user functions to executors (ARCHITECTURE.md §2).
//
// A closure that crosses to an executor must be one of:
//   - a lambda or struct that is trivially copyable (captures only plain values,
//     Broadcast<T> and Accumulator<T> handles): shipped as its bytes;
//   - a function object with `void serialize(ByteWriter&) const` and
//     `static F deserialize(ByteReader&)`: shipped by its own code;
//   - a plain function pointer: shipped as its offset inside the binary.
// Its type identifies the code (the registry), its bytes carry the captured state.
// Anything else fails to compile with a message that names the fix.
//
// Beware: a lambda capturing by reference ([&]) is trivially copyable (it holds
// pointers) and compiles, but the pointers mean nothing in another process. Capture
// by value.
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include "ember/common/serde.h"

namespace ember {

namespace detail {
// Anchor for function-pointer offsets: same binary => same offset in every process.
void closureAnchor();
}  // namespace detail

template <class F>
concept SelfSerializingFunction = requires(const F& f, ByteWriter& w, ByteReader& r) {
  f.serialize(w);
  { F::deserialize(r) } -> std::same_as<F>;
};

template <class F>
concept ShippableClosure = std::is_trivially_copyable_v<std::decay_t<F>> ||
                           SelfSerializingFunction<std::decay_t<F>>;

#define EMBER_CHECK_CLOSURE(F)                                                               \
  static_assert(::ember::ShippableClosure<F>,                                                \
                "Ember: this function is shipped to executors, so it may capture only "      \
                "trivially copyable values (numbers, plain structs, Broadcast<T> and "       \
                "Accumulator<T> handles). Put large or non-trivial read-only state such as " \
                "std::string, std::vector or maps in a broadcast variable "                  \
                "(ctx.broadcast(value), then b.value() inside the lambda), use an "          \
                "accumulator for counters, or write a function object with "                 \
                "serialize(ByteWriter&) const and static deserialize(ByteReader&).")

template <class F>
struct ClosureSerde {
  static void write(ByteWriter& w, const F& f) {
    if constexpr (SelfSerializingFunction<F>) {
      f.serialize(w);
    } else if constexpr (std::is_pointer_v<F>) {
      auto base = reinterpret_cast<uintptr_t>(&detail::closureAnchor);
      w.writeRaw<int64_t>(static_cast<int64_t>(reinterpret_cast<uintptr_t>(f) - base));
    } else {
      static_assert(std::is_trivially_copyable_v<F>);
      w.writeBytes(&f, sizeof(F));
    }
  }
  static F read(ByteReader& r) {
    if constexpr (SelfSerializingFunction<F>) {
      return F::deserialize(r);
    } else if constexpr (std::is_pointer_v<F>) {
      auto base = reinterpret_cast<uintptr_t>(&detail::closureAnchor);
      return reinterpret_cast<F>(base + static_cast<uintptr_t>(r.readRaw<int64_t>()));
    } else {
      // A trivially copyable closure is an implicit-lifetime type: copying its bytes
      // into suitably aligned storage creates it (C++20 [intro.object]/10).
      alignas(F) unsigned char storage[sizeof(F)];
      r.readBytes(storage, sizeof(F));
      return *std::launder(reinterpret_cast<F*>(storage));
    }
  }
};

}  // namespace ember

namespace ember {
// For Ember's own wrappers around a user closure F (e.g. mapValues' function): the
// wrapper is trivially copyable when F is, and serialises through F when F is a
// self-serialising function object.
#define EMBER_WRAPPER_SERDE(Name)                                     \
  void serialize(ByteWriter& w) const                                 \
    requires ::ember::SelfSerializingFunction<F>                      \
  {                                                                   \
    f.serialize(w);                                                   \
  }                                                                   \
  static Name deserialize(ByteReader& r)                              \
    requires ::ember::SelfSerializingFunction<F>                      \
  {                                                                   \
    return Name{F::deserialize(r)};                                   \
  }
}  // namespace ember
