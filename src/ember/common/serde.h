// Binary serialisation of values: the one format used for shuffle records, cached and
// checkpointed partitions, task results, broadcast values and closures.
//
// Serde<T> is defined for arithmetic types, enums, std::string, std::pair, std::tuple,
// std::vector, std::optional, std::map/unordered_map, and any user type that either
//   - has `void serialize(ByteWriter&) const` and `static T deserialize(ByteReader&)`, or
//   - is trivially copyable (copied as raw bytes; same binary on every executor).
// The encoding is little-endian host order: executors run the same binary on the same
// architecture (ARCHITECTURE.md §2), so no byte swapping is done.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ember/common/errors.h"

namespace ember {

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::string* out) : buf_(out) {}

  void writeBytes(const void* p, size_t n) {
    if (n) buf_->append(static_cast<const char*>(p), n);  // p may be null when n == 0
  }
  template <class T>
  void writeRaw(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    writeBytes(&v, sizeof(T));
  }
  void writeVarint(uint64_t v) {
    char tmp[10];
    int n = 0;
    while (v >= 0x80) {
      tmp[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    tmp[n++] = static_cast<char>(v);
    buf_->append(tmp, n);
  }
  void writeString(std::string_view s) {
    writeVarint(s.size());
    buf_->append(s.data(), s.size());
  }
  size_t size() const { return buf_->size(); }
  std::string& buffer() { return *buf_; }
  // Takes the bytes written so far (only for a writer that owns its buffer).
  std::string take() { return std::move(*buf_); }

 private:
  std::string own_;
  std::string* buf_ = &own_;
};

class ByteReader {
 public:
  ByteReader(const char* data, size_t n) : p_(data), end_(data + n) {}
  explicit ByteReader(std::string_view s) : ByteReader(s.data(), s.size()) {}

  bool atEnd() const { return p_ >= end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const char* position() const { return p_; }

  void readBytes(void* out, size_t n) {
    need(n);
    if (n == 0) return;  // out may be null (an empty vector's data())
    std::memcpy(out, p_, n);
    p_ += n;
  }
  std::string_view readView(size_t n) {
    need(n);
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }
  template <class T>
  T readRaw() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v;
    readBytes(&v, sizeof(T));
    return v;
  }
  uint64_t readVarint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
    throw IoError("corrupt data: varint longer than 10 bytes");
  }
  std::string readString() {
    size_t n = readVarint();
    return std::string(readView(n));
  }

 private:
  void need(size_t n) const {
    if (static_cast<size_t>(end_ - p_) < n)
      throw IoError("corrupt or truncated data: need " + std::to_string(n) + " bytes, " +
                    std::to_string(end_ - p_) + " left");
  }
  const char* p_;
  const char* end_;
};

template <class T, class Enable = void>
struct Serde;

// User types with their own serialize/deserialize members.
template <class T>
concept SelfSerializable = requires(const T& v, ByteWriter& w, ByteReader& r) {
  { v.serialize(w) };
  { T::deserialize(r) } -> std::same_as<T>;
};

template <class T>
struct Serde<T, std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>> {
  static void write(ByteWriter& w, const T& v) { w.writeRaw(v); }
  static T read(ByteReader& r) { return r.readRaw<T>(); }
};

template <>
struct Serde<std::string> {
  static void write(ByteWriter& w, const std::string& v) { w.writeString(v); }
  static std::string read(ByteReader& r) { return r.readString(); }
};

template <class A, class B>
struct Serde<std::pair<A, B>> {
  static void write(ByteWriter& w, const std::pair<A, B>& v) {
    Serde<A>::write(w, v.first);
    Serde<B>::write(w, v.second);
  }
  static std::pair<A, B> read(ByteReader& r) {
    A a = Serde<A>::read(r);
    B b = Serde<B>::read(r);
    return {std::move(a), std::move(b)};
  }
};

template <class... Ts>
struct Serde<std::tuple<Ts...>> {
  static void write(ByteWriter& w, const std::tuple<Ts...>& v) {
    std::apply([&](const Ts&... xs) { (Serde<Ts>::write(w, xs), ...); }, v);
  }
  static std::tuple<Ts...> read(ByteReader& r) {
    // Braced init guarantees left-to-right evaluation.
    return std::tuple<Ts...>{Serde<Ts>::read(r)...};
  }
};

template <class T>
struct Serde<std::vector<T>> {
  static void write(ByteWriter& w, const std::vector<T>& v) {
    w.writeVarint(v.size());
    if constexpr (std::is_arithmetic_v<T>) {
      w.writeBytes(v.data(), v.size() * sizeof(T));
    } else {
      for (const auto& x : v) Serde<T>::write(w, x);
    }
  }
  static std::vector<T> read(ByteReader& r) {
    size_t n = r.readVarint();
    std::vector<T> v;
    if constexpr (std::is_arithmetic_v<T>) {
      if (n > r.remaining() / sizeof(T)) throw IoError("corrupt data: vector length");
      v.resize(n);
      r.readBytes(v.data(), n * sizeof(T));
    } else {
      if (n > r.remaining()) throw IoError("corrupt data: vector length");
      v.reserve(n);
      for (size_t i = 0; i < n; ++i) v.push_back(Serde<T>::read(r));
    }
    return v;
  }
};

template <class T>
struct Serde<std::optional<T>> {
  static void write(ByteWriter& w, const std::optional<T>& v) {
    w.writeRaw<uint8_t>(v.has_value());
    if (v) Serde<T>::write(w, *v);
  }
  static std::optional<T> read(ByteReader& r) {
    if (!r.readRaw<uint8_t>()) return std::nullopt;
    return Serde<T>::read(r);
  }
};

template <class M>
struct MapSerde {
  using K = typename M::key_type;
  using V = typename M::mapped_type;
  static void write(ByteWriter& w, const M& m) {
    w.writeVarint(m.size());
    for (const auto& [k, v] : m) {
      Serde<K>::write(w, k);
      Serde<V>::write(w, v);
    }
  }
  static M read(ByteReader& r) {
    size_t n = r.readVarint();
    M m;
    for (size_t i = 0; i < n; ++i) {
      K k = Serde<K>::read(r);
      m.emplace(std::move(k), Serde<V>::read(r));
    }
    return m;
  }
};
template <class K, class V, class C, class A>
struct Serde<std::map<K, V, C, A>> : MapSerde<std::map<K, V, C, A>> {};
template <class K, class V, class H, class E, class A>
struct Serde<std::unordered_map<K, V, H, E, A>> : MapSerde<std::unordered_map<K, V, H, E, A>> {};

template <class T>
struct Serde<T, std::enable_if_t<SelfSerializable<T>>> {
  static void write(ByteWriter& w, const T& v) { v.serialize(w); }
  static T read(ByteReader& r) { return T::deserialize(r); }
};

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// Plain structs of trivially copyable fields travel as bytes (std::optional has its
// own encoding even when trivially copyable).
template <class T>
struct Serde<T, std::enable_if_t<std::is_trivially_copyable_v<T> && std::is_class_v<T> &&
                                 !SelfSerializable<T> && !IsOptional<T>::value>> {
  static void write(ByteWriter& w, const T& v) { w.writeRaw(v); }
  static T read(ByteReader& r) { return r.readRaw<T>(); }
};

template <class T>
concept Serializable = requires(ByteWriter& w, ByteReader& r, const T& v) {
  Serde<T>::write(w, v);
  { Serde<T>::read(r) } -> std::same_as<T>;
};

template <class T>
std::string serializeToString(const T& v) {
  ByteWriter w;
  Serde<T>::write(w, v);
  return w.take();
}

template <class T>
T deserializeFromString(std::string_view s) {
  ByteReader r(s);
  return Serde<T>::read(r);
}

// The empty value: the value type of distinct()'s internal pairs.
struct Unit {
  bool operator==(const Unit&) const = default;
};

}  // namespace ember
